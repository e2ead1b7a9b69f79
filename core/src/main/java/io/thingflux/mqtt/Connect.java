package io.thingflux.mqtt;

import java.util.Arrays;
import java.util.Objects;

/**
 * CONNECT (MQTT 3.1.1 §3.1): the first packet a client sends.
 *
 * @param protocolLevel 4 for MQTT 3.1.1 (protocol name "MQTT"), 3 for MQTT 3.1 ("MQIsdp")
 * @param clientId may be empty only with a clean session (MQTT-3.1.3-7)
 * @param keepAliveSeconds 0..65535; 0 turns keepalive off
 * @param will or {@code null}
 * @param username or {@code null}
 * @param password or {@code null}; requires a username (MQTT-3.1.2-22). The array is taken over,
 *     not copied, and never appears in {@link #toString()}
 */
public record Connect(
        int protocolLevel,
        String clientId,
        boolean cleanSession,
        int keepAliveSeconds,
        Will will,
        String username,
        byte[] password)
        implements MqttPacket {

    /** Protocol level of MQTT 3.1.1. */
    public static final int MQTT_3_1_1 = 4;

    /** Protocol level of MQTT 3.1. */
    public static final int MQTT_3_1 = 3;

    public Connect {
        if (protocolLevel != MQTT_3_1_1 && protocolLevel != MQTT_3_1) {
            throw new IllegalArgumentException(
                    "protocol level must be 3 or 4, was " + protocolLevel);
        }
        MqttStrings.requireValid(clientId, "client id");
        if (keepAliveSeconds < 0 || keepAliveSeconds > 65_535) {
            throw new IllegalArgumentException(
                    "keepalive must be 0..65535 s, was " + keepAliveSeconds);
        }
        if (username != null) {
            MqttStrings.requireValid(username, "user name");
        }
        if (password != null) {
            if (username == null) {
                throw new IllegalArgumentException(
                        "a password requires a user name (MQTT-3.1.2-22)");
            }
            if (password.length > MqttStrings.MAX_ENCODED_LENGTH) {
                throw new IllegalArgumentException("password is longer than 65535 bytes");
            }
        }
    }

    /** An MQTT 3.1.1 CONNECT without will or credentials. */
    public static Connect of(String clientId, boolean cleanSession, int keepAliveSeconds) {
        return new Connect(MQTT_3_1_1, clientId, cleanSession, keepAliveSeconds, null, null, null);
    }

    /** The protocol name that goes with the level: "MQTT" or "MQIsdp". */
    public String protocolName() {
        return protocolLevel == MQTT_3_1_1 ? "MQTT" : "MQIsdp";
    }

    /** A copy of the password, or {@code null}. */
    @Override
    public byte[] password() {
        return password == null ? null : password.clone();
    }

    /** The password without a copy, for encoders and authenticators. Must not be modified. */
    public byte[] passwordUnsafe() {
        return password;
    }

    @Override
    public PacketType type() {
        return PacketType.CONNECT;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Connect c
                && protocolLevel == c.protocolLevel
                && clientId.equals(c.clientId)
                && cleanSession == c.cleanSession
                && keepAliveSeconds == c.keepAliveSeconds
                && Objects.equals(will, c.will)
                && Objects.equals(username, c.username)
                && Arrays.equals(password, c.password);
    }

    @Override
    public int hashCode() {
        return Objects.hash(
                protocolLevel,
                clientId,
                cleanSession,
                keepAliveSeconds,
                will,
                username,
                Arrays.hashCode(password));
    }

    /** Never shows the password. */
    @Override
    public String toString() {
        return "Connect[level="
                + protocolLevel
                + ", clientId="
                + clientId
                + ", cleanSession="
                + cleanSession
                + ", keepAlive="
                + keepAliveSeconds
                + "s, will="
                + will
                + ", username="
                + username
                + ", password="
                + (password == null ? "none" : "<redacted>")
                + "]";
    }
}
