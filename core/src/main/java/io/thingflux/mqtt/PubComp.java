package io.thingflux.mqtt;

/** PUBCOMP (MQTT 3.1.1 §3.7): completes a QoS 2 exchange. */
public record PubComp(int packetId) implements MqttPacket {

    public PubComp {
        MqttPacket.requirePacketId(packetId);
    }

    @Override
    public PacketType type() {
        return PacketType.PUBCOMP;
    }
}
