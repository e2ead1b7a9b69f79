package io.thingflux.mqtt;

/**
 * DISCONNECT (MQTT 3.1.1 §3.14): the client ends the connection cleanly; the will is discarded. Use
 * {@link #INSTANCE}.
 */
public record Disconnect() implements MqttPacket {

    /** The one instance. */
    public static final Disconnect INSTANCE = new Disconnect();

    @Override
    public PacketType type() {
        return PacketType.DISCONNECT;
    }
}
