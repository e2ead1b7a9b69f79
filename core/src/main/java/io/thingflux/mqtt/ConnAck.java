package io.thingflux.mqtt;

import java.util.Objects;

/**
 * CONNACK (MQTT 3.1.1 §3.2). Session present must be 0 when the connection is refused
 * (MQTT-3.2.2-4).
 */
public record ConnAck(boolean sessionPresent, ConnectReturnCode returnCode) implements MqttPacket {

    public ConnAck {
        Objects.requireNonNull(returnCode, "returnCode");
        if (sessionPresent && returnCode != ConnectReturnCode.ACCEPTED) {
            throw new IllegalArgumentException(
                    "session present must be 0 with a refusal (MQTT-3.2.2-4)");
        }
    }

    /** A refusal with {@code code}. */
    public static ConnAck refused(ConnectReturnCode code) {
        return new ConnAck(false, code);
    }

    /** An acceptance. */
    public static ConnAck accepted(boolean sessionPresent) {
        return new ConnAck(sessionPresent, ConnectReturnCode.ACCEPTED);
    }

    @Override
    public PacketType type() {
        return PacketType.CONNACK;
    }
}
