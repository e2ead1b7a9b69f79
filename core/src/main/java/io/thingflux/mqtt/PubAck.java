package io.thingflux.mqtt;

/** PUBACK (MQTT 3.1.1 §3.4): acknowledges a QoS 1 PUBLISH. */
public record PubAck(int packetId) implements MqttPacket {

    public PubAck {
        MqttPacket.requirePacketId(packetId);
    }

    @Override
    public PacketType type() {
        return PacketType.PUBACK;
    }
}
