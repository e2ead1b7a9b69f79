package io.thingflux.bench.mqtt;

import io.thingflux.bench.BenchClientKind;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The broker a plain MQTT bench connects to, and with which client.
 *
 * @param host the broker
 * @param port its MQTT port
 * @param tls whether to connect with TLS
 * @param caFile PEM certificates to trust with TLS, or {@code null} for the JVM's trust store
 * @param client which MQTT client drives the connections
 */
public record MqttTarget(String host, int port, boolean tls, Path caFile, BenchClientKind client) {

    public MqttTarget {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(client, "client");
    }
}
