package io.thingflux.bench;

import io.thingflux.link.outbox.FileOutboxOptions;
import io.thingflux.mqtt.MqttQos;
import io.thingflux.netty.client.MqttProxyOptions;
import io.thingflux.netty.client.MqttWebSocketOptions;
import java.time.Duration;
import java.util.Objects;

/**
 * Where and how a {@link LoadClient}'s devices connect and post.
 *
 * @param host the broker
 * @param port its MQTT port
 * @param tls whether to use TLS (secure mode 2) or plain TCP (secure mode 3)
 * @param qos QoS of the property posts and of the subscriptions
 * @param keepAlive MQTT keepalive
 * @param replyTimeout how long a post waits for its {@code _reply}
 * @param outbox where each device keeps its outbox; {@code null} for in memory
 * @param webSocket MQTT over WebSocket settings, or {@code null} for MQTT over the socket
 * @param proxy the proxy to tunnel through, or {@code null}
 */
public record LoadClientConfig(
        String host,
        int port,
        boolean tls,
        MqttQos qos,
        Duration keepAlive,
        Duration replyTimeout,
        FileOutboxOptions outbox,
        MqttWebSocketOptions webSocket,
        MqttProxyOptions proxy) {

    /** A config without WebSocket or proxy. */
    public LoadClientConfig(
            String host,
            int port,
            boolean tls,
            MqttQos qos,
            Duration keepAlive,
            Duration replyTimeout,
            FileOutboxOptions outbox) {
        this(host, port, tls, qos, keepAlive, replyTimeout, outbox, null, null);
    }

    /** A config with in-memory outboxes. */
    public LoadClientConfig(
            String host,
            int port,
            boolean tls,
            MqttQos qos,
            Duration keepAlive,
            Duration replyTimeout) {
        this(host, port, tls, qos, keepAlive, replyTimeout, null);
    }

    public LoadClientConfig {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(qos, "qos");
        Objects.requireNonNull(keepAlive, "keepAlive");
        Objects.requireNonNull(replyTimeout, "replyTimeout");
    }

    /** The config of {@code options} against {@code host:port}. */
    public static LoadClientConfig of(BenchOptions options, String host, int port) {
        return new LoadClientConfig(
                host,
                port,
                options.tls(),
                options.qos(),
                BenchOptions.DEFAULT_KEEP_ALIVE,
                options.replyTimeout(),
                options.outbox().orElse(null),
                options.webSocket() ? MqttWebSocketOptions.defaults() : null,
                options.proxy().map(MqttProxyOptions::parse).orElse(null));
    }
}
