package io.thingflux.bench.mqtt;

import io.thingflux.mqtt.MqttQos;
import java.util.Arrays;
import java.util.List;

/**
 * What one bench connection sends in its CONNECT and SUBSCRIBE.
 *
 * @param clientId its client identifier
 * @param username the user name, or {@code null}
 * @param password the password, or {@code null}; never printed
 * @param cleanSession the CONNECT's clean-session flag
 * @param keepAliveSeconds MQTT keepalive
 * @param filters the filters to subscribe to before the connection counts as connected (may be
 *     empty)
 * @param subscribeQos the QoS of those subscriptions
 */
public record ConnectionSpec(
        String clientId,
        String username,
        byte[] password,
        boolean cleanSession,
        int keepAliveSeconds,
        List<String> filters,
        MqttQos subscribeQos) {

    public ConnectionSpec {
        filters = List.copyOf(filters);
        password = password == null ? null : password.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ConnectionSpec s
                && s.clientId.equals(clientId)
                && Arrays.equals(s.password, password)
                && s.filters.equals(filters);
    }

    @Override
    public int hashCode() {
        return clientId.hashCode();
    }

    @Override
    public String toString() {
        return "ConnectionSpec[clientId="
                + clientId
                + ", username="
                + username
                + ", password="
                + (password == null ? "none" : "***")
                + ", filters="
                + filters
                + "]";
    }
}
