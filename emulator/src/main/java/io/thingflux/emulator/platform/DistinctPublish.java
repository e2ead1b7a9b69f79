package io.thingflux.emulator.platform;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * One distinct message a device published, as the emulator's dedup view ({@link
 * AliyunPlatformEmulator#distinctPublishes}) tells it: a topic and payload seen once or more, with
 * how many times it arrived.
 *
 * <p>Two arrivals are the same message when they come from the same device on the same topic with
 * the same payload bytes: a QoS 1 redelivery (with DUP) and an Alink request re-sent with its id
 * unchanged (thingflux's outbox re-sends the bytes it stored, id included) count as one. Not the
 * Alink id alone: a device's id counter restarts with its process, so two different posts of two
 * processes may carry the same id.
 *
 * @param topic the topic name
 * @param payload the payload (owned by this record; do not modify)
 * @param alinkId the payload's Alink {@code id} when it is a JSON object that has one, else {@code
 *     null}
 * @param arrivals how many times it arrived (at least 1)
 * @param dupArrivals how many of those arrivals carried the DUP flag
 */
public record DistinctPublish(
        String topic, byte[] payload, String alinkId, int arrivals, int dupArrivals) {

    public DistinctPublish {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(payload, "payload");
    }

    /** The payload decoded as UTF-8. */
    public String payloadAsString() {
        return new String(payload, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "DistinctPublish[topic="
                + topic
                + ", alinkId="
                + alinkId
                + ", arrivals="
                + arrivals
                + ", dupArrivals="
                + dupArrivals
                + ", payload="
                + payload.length
                + " bytes]";
    }
}
