package io.thingflux.emulator.platform;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A PUBLISH the broker received from a client, as listeners and the recording see it.
 *
 * @param timestampMillis when it was received
 * @param clientId the MQTT client identifier of the sender
 * @param productKey the sender's product key, or {@code null} when it is not a device
 * @param deviceName the sender's device name, or {@code null} when it is not a device
 * @param topic the topic name
 * @param qos 0, 1 or 2
 * @param payload the payload (owned by this record; do not modify)
 */
public record ReceivedPublish(
        long timestampMillis,
        String clientId,
        String productKey,
        String deviceName,
        String topic,
        int qos,
        byte[] payload) {

    public ReceivedPublish {
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(payload, "payload");
    }

    /** The payload decoded as UTF-8. */
    public String payloadAsString() {
        return new String(payload, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "ReceivedPublish[clientId="
                + clientId
                + ", topic="
                + topic
                + ", qos="
                + qos
                + ", payload="
                + payload.length
                + " bytes]";
    }
}
