package io.thingflux.mqtt;

/** PUBREL (MQTT 3.1.1 §3.6): releases a QoS 2 message; its fixed-header flags are 0b0010. */
public record PubRel(int packetId) implements MqttPacket {

    public PubRel {
        MqttPacket.requirePacketId(packetId);
    }

    @Override
    public PacketType type() {
        return PacketType.PUBREL;
    }
}
