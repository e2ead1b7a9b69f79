package io.thingflux.mqtt;

/** UNSUBACK (MQTT 3.1.1 §3.11). */
public record UnsubAck(int packetId) implements MqttPacket {

    public UnsubAck {
        MqttPacket.requirePacketId(packetId);
    }

    @Override
    public PacketType type() {
        return PacketType.UNSUBACK;
    }
}
