package io.thingflux.mqtt;

import java.util.List;

/**
 * UNSUBSCRIBE (MQTT 3.1.1 §3.10): at least one filter (MQTT-3.10.3-2); fixed-header flags 0b0010.
 */
public record Unsubscribe(int packetId, List<String> filters) implements MqttPacket {

    public Unsubscribe {
        MqttPacket.requirePacketId(packetId);
        filters = List.copyOf(filters);
        if (filters.isEmpty()) {
            throw new IllegalArgumentException(
                    "UNSUBSCRIBE needs at least one topic filter (MQTT-3.10.3-2)");
        }
        filters.forEach(MqttTopics::requireValidFilter);
    }

    public static Unsubscribe of(int packetId, String... filters) {
        return new Unsubscribe(packetId, List.of(filters));
    }

    @Override
    public PacketType type() {
        return PacketType.UNSUBSCRIBE;
    }
}
