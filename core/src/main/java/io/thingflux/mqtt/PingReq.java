package io.thingflux.mqtt;

/** PINGREQ (MQTT 3.1.1 §3.12): a keepalive probe. Use {@link #INSTANCE}. */
public record PingReq() implements MqttPacket {

    /** The one instance. */
    public static final PingReq INSTANCE = new PingReq();

    @Override
    public PacketType type() {
        return PacketType.PINGREQ;
    }
}
