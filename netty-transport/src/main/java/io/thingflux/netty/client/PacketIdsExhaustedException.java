package io.thingflux.netty.client;

/**
 * All 65,535 packet identifiers are in use by unacknowledged packets (MQTT 3.1.1 §2.3.1), so no new
 * QoS 1/2 PUBLISH, SUBSCRIBE or UNSUBSCRIBE can be sent until the broker acknowledges some.
 */
public final class PacketIdsExhaustedException extends MqttClientException {

    public PacketIdsExhaustedException() {
        super("all 65535 packet identifiers are in use");
    }
}
