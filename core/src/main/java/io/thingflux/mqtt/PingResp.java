package io.thingflux.mqtt;

/** PINGRESP (MQTT 3.1.1 §3.13): the answer to PINGREQ. Use {@link #INSTANCE}. */
public record PingResp() implements MqttPacket {

    /** The one instance. */
    public static final PingResp INSTANCE = new PingResp();

    @Override
    public PacketType type() {
        return PacketType.PINGRESP;
    }
}
