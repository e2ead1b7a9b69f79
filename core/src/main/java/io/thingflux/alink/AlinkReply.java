package io.thingflux.alink;

import java.util.Map;

/**
 * An Alink reply: {@code {"id","code","data","message"[,"method","version"]}}.
 *
 * @param id the id of the request answered, as a string
 * @param code 200 for success; see the platform's result codes (460, 6106, ...)
 * @param data a {@code Map}, {@code List} or scalar; {@code null} when absent
 * @param message {@code null} when absent
 * @param method {@code null} when absent
 */
public record AlinkReply(String id, int code, Object data, String message, String method) {

    /** The code of success. */
    public static final int SUCCESS = 200;

    public boolean isSuccess() {
        return code == SUCCESS;
    }

    /** The data as an object, or an empty map when it is absent or not an object. */
    @SuppressWarnings("unchecked")
    public Map<String, Object> dataAsMap() {
        return data instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }
}
