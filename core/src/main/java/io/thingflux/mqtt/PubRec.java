package io.thingflux.mqtt;

/** PUBREC (MQTT 3.1.1 §3.5): first answer to a QoS 2 PUBLISH. */
public record PubRec(int packetId) implements MqttPacket {

    public PubRec {
        MqttPacket.requirePacketId(packetId);
    }

    @Override
    public PacketType type() {
        return PacketType.PUBREC;
    }
}
