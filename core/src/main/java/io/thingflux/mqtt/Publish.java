package io.thingflux.mqtt;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * PUBLISH (MQTT 3.1.1 §3.3).
 *
 * <p>The payload array is taken over, not copied, so a decoder copies it from the wire once and an
 * encoder can wrap it without copying. {@link #payload()} hands out a copy; {@link
 * #payloadBuffer()} a read-only view.
 *
 * @param packetId 0 for QoS 0 (no identifier on the wire), 1..65535 for QoS 1 and 2
 */
public record Publish(
        String topic, MqttQos qos, boolean dup, boolean retain, int packetId, byte[] payload)
        implements MqttPacket {

    private static final byte[] EMPTY = new byte[0];

    public Publish {
        MqttTopics.requireValidName(topic);
        Objects.requireNonNull(qos, "qos");
        Objects.requireNonNull(payload, "payload");
        if (qos == MqttQos.AT_MOST_ONCE) {
            if (packetId != 0) {
                throw new IllegalArgumentException(
                        "a QoS 0 PUBLISH has no packet id, was " + packetId);
            }
            if (dup) {
                throw new IllegalArgumentException("DUP must be 0 for QoS 0 (MQTT-3.3.1-2)");
            }
        } else {
            MqttPacket.requirePacketId(packetId);
        }
    }

    /** A QoS 0 message. */
    public static Publish qos0(String topic, byte[] payload, boolean retain) {
        return new Publish(topic, MqttQos.AT_MOST_ONCE, false, retain, 0, payload);
    }

    /** A QoS 0 message with a UTF-8 payload. */
    public static Publish qos0(String topic, String payload) {
        return qos0(topic, payload.getBytes(StandardCharsets.UTF_8), false);
    }

    /** An empty payload. */
    public static byte[] emptyPayload() {
        return EMPTY;
    }

    /** This message with another packet id (and DUP), as a sender assigns ids and resends. */
    public Publish withPacketId(int newPacketId, boolean newDup) {
        return new Publish(topic, qos, newDup, retain, newPacketId, payload);
    }

    /** A copy of the payload. */
    @Override
    public byte[] payload() {
        return payload.clone();
    }

    /** The payload as a read-only view, without a copy. */
    public ByteBuffer payloadBuffer() {
        return ByteBuffer.wrap(payload).asReadOnlyBuffer();
    }

    /** The payload without a copy, for encoders in this project. Must not be modified. */
    public byte[] payloadUnsafe() {
        return payload;
    }

    /** The payload length in bytes. */
    public int payloadLength() {
        return payload.length;
    }

    /** The payload decoded as UTF-8. */
    public String payloadAsString() {
        return new String(payload, StandardCharsets.UTF_8);
    }

    @Override
    public PacketType type() {
        return PacketType.PUBLISH;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Publish p
                && topic.equals(p.topic)
                && qos == p.qos
                && dup == p.dup
                && retain == p.retain
                && packetId == p.packetId
                && Arrays.equals(payload, p.payload);
    }

    @Override
    public int hashCode() {
        return Objects.hash(topic, qos, dup, retain, packetId, Arrays.hashCode(payload));
    }

    @Override
    public String toString() {
        return "Publish[topic="
                + topic
                + ", qos="
                + qos.code()
                + ", dup="
                + dup
                + ", retain="
                + retain
                + ", packetId="
                + packetId
                + ", payload="
                + payload.length
                + " bytes]";
    }
}
