package io.thingflux.bench.mqtt;

import com.hivemq.client.mqtt.MqttClientExecutorConfig;
import com.hivemq.client.mqtt.MqttClientSslConfig;
import com.hivemq.client.mqtt.MqttClientTransportConfig;
import com.hivemq.client.mqtt.MqttClientTransportConfigBuilder;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3Client;
import com.hivemq.client.mqtt.mqtt3.message.subscribe.Mqtt3Subscribe;
import com.hivemq.client.mqtt.mqtt3.message.subscribe.Mqtt3Subscription;
import com.hivemq.client.mqtt.mqtt3.message.subscribe.suback.Mqtt3SubAckReturnCode;
import io.reactivex.schedulers.Schedulers;
import io.thingflux.mqtt.MqttQos;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.TrustManagerFactory;

/**
 * The same plain MQTT load driven by the HiveMQ MQTT Client 1.4.x (MQTT 3.1.1, async API), the
 * reference for side-by-side comparison: one shared executor configuration with an inline
 * application scheduler, so messages and completions arrive on the Netty thread that read them, as
 * with thingflux.
 */
final class HiveMqMqttLoad implements MqttLoadClient {

    private final MqttTarget target;
    private final MqttClientExecutorConfig executor;
    private final MqttClientSslConfig ssl;

    HiveMqMqttLoad(MqttTarget target) {
        this.target = target;
        this.executor =
                MqttClientExecutorConfig.builder()
                        .nettyThreads(Math.max(1, Runtime.getRuntime().availableProcessors()))
                        .applicationScheduler(Schedulers.from(Runnable::run))
                        .build();
        this.ssl = target.tls() ? sslConfig(target) : null;
    }

    private static MqttClientSslConfig sslConfig(MqttTarget target) {
        if (target.caFile() == null) {
            return MqttClientSslConfig.builder().build();
        }
        try (InputStream in = Files.newInputStream(target.caFile())) {
            KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
            ks.load(null, null);
            int i = 0;
            for (var c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                ks.setCertificateEntry("ca" + i++, (X509Certificate) c);
            }
            TrustManagerFactory tmf =
                    TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            return MqttClientSslConfig.builder().trustManagerFactory(tmf).build();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot read " + target.caFile() + ": " + e, e);
        }
    }

    @Override
    public String name() {
        return "hivemq";
    }

    @Override
    public MqttLoadConnection connection(ConnectionSpec spec, MessageListener listener) {
        MqttClientTransportConfigBuilder transport =
                MqttClientTransportConfig.builder()
                        .serverHost(target.host())
                        .serverPort(target.port());
        if (ssl != null) {
            transport.sslConfig(ssl);
        }
        var b =
                Mqtt3Client.builder()
                        .identifier(spec.clientId())
                        .executorConfig(executor)
                        .transportConfig(transport.build());
        Mqtt3AsyncClient client =
                spec.username() == null
                        ? b.buildAsync()
                        : b.simpleAuth()
                                .username(spec.username())
                                .password(spec.password() == null ? new byte[0] : spec.password())
                                .applySimpleAuth()
                                .buildAsync();
        return new Connection(client, spec, listener);
    }

    @Override
    public void close() {
        // the shared event loops stop once the last client disconnected
    }

    static com.hivemq.client.mqtt.datatypes.MqttQos qos(MqttQos qos) {
        return com.hivemq.client.mqtt.datatypes.MqttQos.fromCode(qos.code());
    }

    private record Connection(
            Mqtt3AsyncClient client, ConnectionSpec spec, MessageListener listener)
            implements MqttLoadConnection {

        @Override
        public CompletableFuture<Void> connect() {
            CompletableFuture<Void> connected =
                    client.connectWith()
                            .keepAlive(spec.keepAliveSeconds())
                            .cleanSession(spec.cleanSession())
                            .send()
                            .thenApply(ack -> null);
            if (spec.filters().isEmpty()) {
                return connected;
            }
            Mqtt3Subscribe subscribe =
                    Mqtt3Subscribe.builder()
                            .addSubscriptions(
                                    spec.filters().stream()
                                            .map(
                                                    f ->
                                                            Mqtt3Subscription.builder()
                                                                    .topicFilter(f)
                                                                    .qos(qos(spec.subscribeQos()))
                                                                    .build()))
                            .build();
            return connected
                    .thenCompose(
                            v ->
                                    client.subscribe(
                                            subscribe,
                                            p ->
                                                    listener.onMessage(
                                                            p.getTopic().toString(),
                                                            p.getPayloadAsBytes())))
                    .thenCompose(
                            ack ->
                                    ack.getReturnCodes().contains(Mqtt3SubAckReturnCode.FAILURE)
                                            ? CompletableFuture.failedFuture(
                                                    new IllegalStateException(
                                                            "subscription refused"))
                                            : CompletableFuture.completedFuture(null));
        }

        @Override
        public CompletableFuture<Void> publish(
                String topic, MqttQos qos, boolean retain, byte[] payload) {
            return client.publishWith()
                    .topic(topic)
                    .qos(qos(qos))
                    .retain(retain)
                    .payload(payload)
                    .send()
                    .thenApply(p -> null);
        }

        @Override
        public CompletableFuture<Void> disconnect() {
            return client.disconnect().exceptionally(e -> null);
        }
    }
}
