package io.thingflux.aliyun;

import java.util.Objects;

/**
 * What goes into a CONNECT: the MQTT client id, user name and password. The password never appears
 * in {@link #toString()}.
 */
public record MqttCredentials(String clientId, String username, String password) {

    public MqttCredentials {
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(password, "password");
    }

    @Override
    public String toString() {
        return "MqttCredentials[clientId="
                + clientId
                + ", username="
                + username
                + ", password=<redacted>]";
    }
}
