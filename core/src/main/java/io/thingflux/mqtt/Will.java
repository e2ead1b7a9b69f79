package io.thingflux.mqtt;

import java.util.Arrays;
import java.util.Objects;

/**
 * The will message of a CONNECT (MQTT 3.1.1 §3.1.2.5): published by the server when the connection
 * ends without a DISCONNECT.
 *
 * @param topic a valid topic name
 * @param payload the message; the array is taken over, not copied
 */
public record Will(String topic, byte[] payload, MqttQos qos, boolean retain) {

    public Will {
        MqttTopics.requireValidName(topic);
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(qos, "qos");
        if (payload.length > MqttStrings.MAX_ENCODED_LENGTH) {
            throw new IllegalArgumentException(
                    "will payload is " + payload.length + " bytes, more than 65535");
        }
    }

    /** A copy of the payload. */
    @Override
    public byte[] payload() {
        return payload.clone();
    }

    /** The payload without a copy, for encoders. Must not be modified. */
    public byte[] payloadUnsafe() {
        return payload;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Will w
                && topic.equals(w.topic)
                && Arrays.equals(payload, w.payload)
                && qos == w.qos
                && retain == w.retain;
    }

    @Override
    public int hashCode() {
        return Objects.hash(topic, Arrays.hashCode(payload), qos, retain);
    }

    @Override
    public String toString() {
        return "Will[topic="
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
