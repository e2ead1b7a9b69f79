package io.thingflux.mqtt;

import java.util.List;

/** SUBSCRIBE (MQTT 3.1.1 §3.8): at least one filter (MQTT-3.8.3-3); fixed-header flags 0b0010. */
public record Subscribe(int packetId, List<Subscription> subscriptions) implements MqttPacket {

    public Subscribe {
        MqttPacket.requirePacketId(packetId);
        subscriptions = List.copyOf(subscriptions);
        if (subscriptions.isEmpty()) {
            throw new IllegalArgumentException(
                    "SUBSCRIBE needs at least one topic filter (MQTT-3.8.3-3)");
        }
    }

    /** A SUBSCRIBE for one filter. */
    public static Subscribe of(int packetId, String filter, MqttQos qos) {
        return new Subscribe(packetId, List.of(new Subscription(filter, qos)));
    }

    @Override
    public PacketType type() {
        return PacketType.SUBSCRIBE;
    }
}
