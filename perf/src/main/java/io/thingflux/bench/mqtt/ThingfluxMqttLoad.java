package io.thingflux.bench.mqtt;

import io.thingflux.link.LinkMessage;
import io.thingflux.link.ReconnectPolicy;
import io.thingflux.mqtt.MqttQos;
import io.thingflux.mqtt.Subscription;
import io.thingflux.netty.client.MqttClient;
import io.thingflux.netty.client.MqttClientOptions;
import io.thingflux.netty.client.MqttClientResources;
import io.thingflux.netty.client.MqttTlsOptions;
import java.util.concurrent.CompletableFuture;
import reactor.core.Disposable;

/**
 * thingflux's own {@link MqttClient} under plain MQTT load: all connections share one {@link
 * MqttClientResources}, signal on their event loop (the default), and never reconnect by themselves
 * (the bench reconnects with a new connection, so churn is measured, not hidden).
 */
final class ThingfluxMqttLoad implements MqttLoadClient {

    /** Publishes a connection may have unacknowledged at once inside the client. */
    static final int MAX_IN_FLIGHT = 1_024;

    private final MqttTarget target;
    private final MqttClientResources resources = MqttClientResources.create();
    private final MqttTlsOptions tls;

    ThingfluxMqttLoad(MqttTarget target) {
        this.target = target;
        this.tls =
                !target.tls()
                        ? null
                        : target.caFile() == null
                                ? MqttTlsOptions.defaults()
                                : MqttTlsOptions.builder().trustPem(target.caFile()).build();
    }

    @Override
    public String name() {
        return "thingflux";
    }

    @Override
    public MqttLoadConnection connection(ConnectionSpec spec, MessageListener listener) {
        MqttClientOptions.Builder b =
                MqttClientOptions.builder(target.host(), target.port())
                        .clientId(spec.clientId())
                        .cleanSession(spec.cleanSession())
                        .keepAliveSeconds(spec.keepAliveSeconds())
                        .maxInFlight(MAX_IN_FLIGHT)
                        .reconnect(ReconnectPolicy.none())
                        .firstConnect(ReconnectPolicy.none());
        if (spec.username() != null) {
            b.credentials(spec.username(), spec.password() == null ? new byte[0] : spec.password());
        }
        if (tls != null) {
            b.tls(tls);
        }
        return new Connection(MqttClient.create(b.build(), resources), spec, listener);
    }

    @Override
    public void close() {
        resources.dispose();
    }

    private static final class Connection implements MqttLoadConnection {
        private final MqttClient client;
        private final ConnectionSpec spec;
        private final MessageListener listener;
        private volatile Disposable subscription;

        Connection(MqttClient client, ConnectionSpec spec, MessageListener listener) {
            this.client = client;
            this.spec = spec;
            this.listener = listener;
        }

        @Override
        public CompletableFuture<Void> connect() {
            CompletableFuture<Void> ready = new CompletableFuture<>();
            client.connect()
                    .subscribe(
                            ack -> {
                                if (spec.filters().isEmpty()) {
                                    ready.complete(null);
                                    return;
                                }
                                subscription =
                                        client.subscribe(
                                                        spec.filters().stream()
                                                                .map(
                                                                        f ->
                                                                                new Subscription(
                                                                                        f,
                                                                                        spec
                                                                                                .subscribeQos()))
                                                                .toList())
                                                .doOnAck(
                                                        a -> {
                                                            if (a.refused().isEmpty()) {
                                                                ready.complete(null);
                                                            } else {
                                                                ready.completeExceptionally(
                                                                        new IllegalStateException(
                                                                                "subscription refused: "
                                                                                        + a
                                                                                                .refused()));
                                                            }
                                                        })
                                                .subscribe(
                                                        m ->
                                                                listener.onMessage(
                                                                        m.topic(),
                                                                        m.payloadUnsafe()),
                                                        ready::completeExceptionally);
                            },
                            ready::completeExceptionally);
            return ready;
        }

        @Override
        public CompletableFuture<Void> publish(
                String topic, MqttQos qos, boolean retain, byte[] payload) {
            CompletableFuture<Void> done = new CompletableFuture<>();
            client.publish(new LinkMessage(topic, payload, qos, retain))
                    .subscribe(r -> done.complete(null), done::completeExceptionally);
            return done;
        }

        @Override
        public CompletableFuture<Void> disconnect() {
            Disposable s = subscription;
            CompletableFuture<Void> done = new CompletableFuture<>();
            client.disconnect()
                    .doFinally(
                            x -> {
                                if (s != null) {
                                    s.dispose();
                                }
                                done.complete(null);
                            })
                    .subscribe(v -> {}, e -> {});
            return done;
        }
    }
}
