package io.thingflux.alink;

import java.util.Map;

/**
 * An Alink request envelope: {@code {"id","version","params","method"[,"sys":{"ack":0|1}]}}.
 *
 * @param id the message id, always as a string (either form is accepted on the way in)
 * @param version {@code "1.0"} (some platform messages carry {@code "1.0.0"}); {@code null} when
 *     absent
 * @param method e.g. {@code thing.service.property.set}; {@code null} when absent (Link SDK 4.x
 *     leaves it out)
 * @param params a {@code Map}, {@code List} or scalar as decoded by {@link AlinkJson}; {@code null}
 *     when absent
 * @param ack {@code sys.ack}: {@code null} when absent (the platform's default is to reply)
 */
public record AlinkRequest(String id, String version, String method, Object params, Integer ack) {

    /** Whether the sender wants a reply ({@code sys.ack} absent or 1). */
    public boolean replyWanted() {
        return ack == null || ack != 0;
    }

    /** The params as an object, or an empty map when they are absent or not an object. */
    @SuppressWarnings("unchecked")
    public Map<String, Object> paramsAsMap() {
        return params instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }
}
