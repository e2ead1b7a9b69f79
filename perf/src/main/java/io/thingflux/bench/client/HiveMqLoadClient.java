package io.thingflux.bench.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.hivemq.client.mqtt.MqttClientExecutorConfig;
import com.hivemq.client.mqtt.MqttProxyProtocol;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3Client;
import com.hivemq.client.mqtt.mqtt3.Mqtt3ClientBuilder;
import com.hivemq.client.mqtt.mqtt3.message.publish.Mqtt3Publish;
import com.hivemq.client.mqtt.mqtt3.message.subscribe.Mqtt3Subscribe;
import com.hivemq.client.mqtt.mqtt3.message.subscribe.Mqtt3Subscription;
import com.hivemq.client.mqtt.mqtt3.message.subscribe.suback.Mqtt3SubAck;
import com.hivemq.client.mqtt.mqtt3.message.subscribe.suback.Mqtt3SubAckReturnCode;
import io.reactivex.schedulers.Schedulers;
import io.thingflux.alink.AlinkTopics;
import io.thingflux.aliyun.AliyunDeviceIdentity;
import io.thingflux.aliyun.AliyunSigner;
import io.thingflux.aliyun.MqttCredentials;
import io.thingflux.bench.BenchDevice;
import io.thingflux.bench.DownlinkListener;
import io.thingflux.bench.LoadClient;
import io.thingflux.bench.LoadClientConfig;
import io.thingflux.bench.PostFailedException;
import io.thingflux.bench.PostParams;
import io.thingflux.mqtt.MqttTopics;
import io.thingflux.netty.client.MqttProxyOptions;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The same device load driven by the HiveMQ MQTT Client 1.4.x (MQTT 3.1.1, async API): the
 * reference for side-by-side comparison. Each device is one client signed in with {@link
 * AliyunSigner}; it subscribes to the thing-model device's filters ({@link
 * AlinkTopics#deviceSubscriptions()}), posts Alink JSON, correlates replies by id itself, and
 * answers property sets with code 200. All devices share one executor configuration, so the client
 * shares its Netty event loops between them.
 *
 * <p>Its application scheduler is inline: futures complete and messages arrive on the Netty thread
 * that read the packet, not on RxJava's computation scheduler (the client's default). thingflux's
 * devices, with no scheduler set, signal on their link's I/O thread, so both clients do the same
 * work per post and hand it to the bench on their I/O thread; the bench never blocks there.
 */
public final class HiveMqLoadClient implements LoadClient {

    private final LoadClientConfig config;
    private final AliyunSigner signer;
    private final MqttClientExecutorConfig executor;

    public HiveMqLoadClient(LoadClientConfig config) {
        this.config = config;
        this.signer =
                AliyunSigner.builder()
                        .secureMode(
                                config.tls()
                                        ? AliyunSigner.SECURE_MODE_TLS
                                        : AliyunSigner.SECURE_MODE_TCP)
                        .build();
        this.executor =
                MqttClientExecutorConfig.builder()
                        .nettyThreads(Math.max(1, Runtime.getRuntime().availableProcessors()))
                        .applicationScheduler(
                                Schedulers.from(Runnable::run)) // inline: see the class comment
                        .build();
    }

    @Override
    public String name() {
        return "hivemq";
    }

    @Override
    public BenchDevice device(
            AliyunDeviceIdentity identity,
            InetSocketAddress localAddress,
            DownlinkListener downlinks) {
        return new Device(identity, localAddress, downlinks);
    }

    @Override
    public void close() {
        // the shared Netty event loops stop once the last client disconnected
    }

    private static MqttQos qos(io.thingflux.mqtt.MqttQos qos) {
        return MqttQos.fromCode(qos.code());
    }

    private final class Device implements BenchDevice {
        private final AliyunDeviceIdentity identity;
        private final Mqtt3AsyncClient client;
        private final MqttCredentials credentials;
        private final DownlinkListener downlinks;
        private final Map<String, CompletableFuture<Void>> pending = new ConcurrentHashMap<>();
        private final AtomicLong ids = new AtomicLong();
        private final AlinkTopics topics;
        private final String postTopic;
        private final String replyTopic;
        private final String setTopic;

        Device(
                AliyunDeviceIdentity identity,
                InetSocketAddress localAddress,
                DownlinkListener downlinks) {
            this.identity = identity;
            this.downlinks = downlinks;
            this.credentials = signer.sign(identity);
            this.topics = new AlinkTopics(identity.productKey(), identity.deviceName());
            this.postTopic = topics.propertyPost();
            this.replyTopic = AlinkTopics.reply(postTopic);
            this.setTopic = topics.propertySet();
            Mqtt3ClientBuilder b =
                    Mqtt3Client.builder()
                            .identifier(credentials.clientId())
                            .executorConfig(executor);
            var transport =
                    com.hivemq.client.mqtt.MqttClientTransportConfig.builder()
                            .serverHost(config.host())
                            .serverPort(config.port());
            if (localAddress != null) {
                transport.localAddress(localAddress);
            }
            if (config.tls()) {
                transport.sslWithDefaultConfig();
            }
            if (config.webSocket() != null) {
                transport
                        .webSocketConfig()
                        .serverPath(config.webSocket().path().substring(1))
                        .subprotocol(config.webSocket().subprotocol())
                        .applyWebSocketConfig();
            }
            if (config.proxy() != null) {
                var p = config.proxy();
                var proxy =
                        transport
                                .proxyConfig()
                                .protocol(
                                        p.type() == MqttProxyOptions.Type.HTTP
                                                ? MqttProxyProtocol.HTTP
                                                : MqttProxyProtocol.SOCKS_5)
                                .host(p.host())
                                .port(p.port());
                if (p.username() != null) {
                    proxy.username(p.username()).password(p.password());
                }
                proxy.applyProxyConfig();
            }
            this.client =
                    b.transportConfig(transport.build())
                            .simpleAuth()
                            .username(credentials.username())
                            .password(credentials.password().getBytes(StandardCharsets.UTF_8))
                            .applySimpleAuth()
                            .buildAsync();
        }

        @Override
        public CompletableFuture<Void> connect() {
            // the same filters as thingflux's thing-model device, in one SUBSCRIBE, so both put the
            // same work on the broker
            Mqtt3Subscribe subscribe =
                    Mqtt3Subscribe.builder()
                            .addSubscriptions(
                                    topics.deviceSubscriptions().stream()
                                            .map(
                                                    f ->
                                                            Mqtt3Subscription.builder()
                                                                    .topicFilter(f)
                                                                    .qos(qos(config.qos()))
                                                                    .build()))
                            .build();
            return client.connectWith()
                    .keepAlive((int) config.keepAlive().toSeconds())
                    .cleanSession(true)
                    .send()
                    .thenCompose(ack -> client.subscribe(subscribe, this::onMessage))
                    .thenCompose(this::requireGranted);
        }

        private void onMessage(Mqtt3Publish publish) {
            String topic = publish.getTopic().toString();
            if (topic.equals(replyTopic)) {
                onReply(publish);
            } else if (topic.equals(setTopic)) {
                onPropertySet(publish);
            }
        }

        /**
         * The filters the bench needs (replies and property sets) must be granted; others may be
         * refused, as for the device API.
         */
        private CompletableFuture<Void> requireGranted(Mqtt3SubAck ack) {
            List<String> filters = topics.deviceSubscriptions();
            List<Mqtt3SubAckReturnCode> codes = ack.getReturnCodes();
            for (int i = 0; i < filters.size() && i < codes.size(); i++) {
                boolean needed =
                        MqttTopics.matches(filters.get(i), replyTopic)
                                || MqttTopics.matches(filters.get(i), setTopic);
                if (needed && codes.get(i) == Mqtt3SubAckReturnCode.FAILURE) {
                    return CompletableFuture.failedFuture(
                            new PostFailedException(
                                    "connect_subscribe_refused",
                                    "subscription to " + filters.get(i) + " refused"));
                }
            }
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<Void> postProperties(Map<String, ?> params) {
            String id = Long.toString(ids.incrementAndGet() % 4_294_967_295L);
            CompletableFuture<Void> reply = new CompletableFuture<>();
            pending.put(id, reply);
            reply.orTimeout(config.replyTimeout().toNanos(), TimeUnit.NANOSECONDS)
                    .whenComplete((v, e) -> pending.remove(id, reply));
            client.publishWith()
                    .topic(postTopic)
                    .qos(qos(config.qos()))
                    .payload(PostParams.alinkPost(id, params))
                    .send()
                    .whenComplete(
                            (p, e) -> {
                                if (e != null) {
                                    reply.completeExceptionally(e);
                                }
                            });
            return reply;
        }

        private void onReply(Mqtt3Publish publish) {
            JsonNode reply = AlinkReplies.parse(publish.getPayloadAsBytes());
            String id = reply == null ? null : AlinkReplies.id(reply);
            CompletableFuture<Void> f = id == null ? null : pending.remove(id);
            if (f == null) {
                return; // late (timed out) or not ours
            }
            int code = reply.path("code").asInt(-1);
            if (code == 200) {
                f.complete(null);
            } else {
                f.completeExceptionally(
                        new PostFailedException(
                                "reply_code_" + code, "property post answered with code " + code));
            }
        }

        private void onPropertySet(Mqtt3Publish publish) {
            JsonNode set = AlinkReplies.parse(publish.getPayloadAsBytes());
            if (set == null) {
                return;
            }
            String id = AlinkReplies.id(set);
            String reply = "{\"id\":\"" + (id == null ? "0" : id) + "\",\"code\":200,\"data\":{}}";
            client.publishWith()
                    .topic(setTopic + "_reply")
                    .qos(MqttQos.AT_MOST_ONCE)
                    .payload(reply.getBytes(StandardCharsets.UTF_8))
                    .send();
            downlinks.onPropertySet(AlinkReplies.params(set));
        }

        @Override
        public CompletableFuture<Void> disconnect() {
            return client.disconnect().exceptionally(e -> null);
        }
    }
}
