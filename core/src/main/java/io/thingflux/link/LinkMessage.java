package io.thingflux.link;

import io.thingflux.mqtt.MqttQos;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * An application message as a link delivers it: topic, payload, QoS and retain flag; nothing of the
 * transport (packet ids, DUP, AT message ids).
 *
 * @param payload taken over, not copied; {@link #payload()} hands out a copy
 */
public record LinkMessage(String topic, byte[] payload, MqttQos qos, boolean retain) {

    public LinkMessage {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(qos, "qos");
    }

    /** A copy of the payload. */
    @Override
    public byte[] payload() {
        return payload.clone();
    }

    /** The payload without a copy. Must not be modified. */
    public byte[] payloadUnsafe() {
        return payload;
    }

    /** The payload decoded as UTF-8. */
    public String payloadAsString() {
        return new String(payload, StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LinkMessage m
                && topic.equals(m.topic)
                && Arrays.equals(payload, m.payload)
                && qos == m.qos
                && retain == m.retain;
    }

    @Override
    public int hashCode() {
        return Objects.hash(topic, Arrays.hashCode(payload), qos, retain);
    }

    @Override
    public String toString() {
        return "LinkMessage[topic="
                + topic
                + ", qos="
                + qos.code()
                + ", retain="
                + retain
                + ", payload="
                + payload.length
                + " bytes]";
    }
}
