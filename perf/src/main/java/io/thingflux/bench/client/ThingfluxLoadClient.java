package io.thingflux.bench.client;

import io.thingflux.alink.AlinkReply;
import io.thingflux.alink.AlinkReplyException;
import io.thingflux.alink.AlinkTopics;
import io.thingflux.alink.AliyunDevice;
import io.thingflux.alink.AliyunDeviceOptions;
import io.thingflux.alink.ThingMessage;
import io.thingflux.aliyun.AliyunDeviceIdentity;
import io.thingflux.aliyun.AliyunSigner;
import io.thingflux.bench.BenchDevice;
import io.thingflux.bench.DownlinkListener;
import io.thingflux.bench.LoadClient;
import io.thingflux.bench.LoadClientConfig;
import io.thingflux.bench.PostFailedException;
import io.thingflux.link.ReconnectPolicy;
import io.thingflux.mqtt.MqttTopics;
import io.thingflux.netty.client.MqttClientOptions;
import io.thingflux.netty.client.MqttClientResources;
import io.thingflux.netty.client.MqttTlsOptions;
import io.thingflux.netty.client.NettyMqttLink;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

/**
 * thingflux's own stack under load: each simulated device is an {@link AliyunDevice} (the
 * thing-model API) over a {@link NettyMqttLink}, all links sharing one {@link MqttClientResources}
 * (the event loops), as an application holding thousands of devices would run them, with the
 * options users get by default: the links signal on their event loop and the devices signal the
 * bench where their default puts it. Property sets are answered with code 200 through the device
 * API.
 *
 * <p>A device's {@link BenchDevice#connect()} is {@link AliyunDevice#connect()}, which completes at
 * the SUBACK of its thing-model subscriptions; the filters the bench needs (post replies, property
 * sets) must have been granted, as for {@link HiveMqLoadClient}: both clients count the same
 * exchange (CONNECT/CONNACK, SUBSCRIBE/SUBACK) as a connect.
 */
public final class ThingfluxLoadClient implements LoadClient {

    private final LoadClientConfig config;
    private final AliyunSigner signer;
    private final MqttClientResources resources;
    private final AliyunDeviceOptions deviceOptions;

    public ThingfluxLoadClient(LoadClientConfig config, int inflight) {
        this.config = config;
        this.signer =
                AliyunSigner.builder()
                        .secureMode(
                                config.tls()
                                        ? AliyunSigner.SECURE_MODE_TLS
                                        : AliyunSigner.SECURE_MODE_TCP)
                        .build();
        this.resources = MqttClientResources.create();
        this.deviceOptions =
                AliyunDeviceOptions.builder()
                        .replyTimeout(config.replyTimeout())
                        .maxPendingRequests(
                                Math.max(
                                        inflight, AliyunDeviceOptions.DEFAULT_MAX_PENDING_REQUESTS))
                        .publishQos(config.qos())
                        .subscribeQos(config.qos())
                        // other refused filters are allowed; the bench checks those it needs
                        // (Device.connect)
                        .requireAllSubscriptions(false)
                        .build();
    }

    @Override
    public String name() {
        return "thingflux";
    }

    @Override
    public BenchDevice device(
            AliyunDeviceIdentity identity,
            InetSocketAddress localAddress,
            DownlinkListener downlinks) {
        MqttClientOptions.Builder options =
                MqttClientOptions.builder(config.host(), config.port())
                        .localAddress(localAddress)
                        .aliyun(identity, signer)
                        .keepAliveSeconds((int) config.keepAlive().toSeconds())
                        .reconnect(ReconnectPolicy.none()); // a shared instance
        if (config.tls()) {
            options.tls(MqttTlsOptions.defaults());
        }
        if (config.outbox() != null) {
            options.outboxStorage(config.outbox());
        }
        options.webSocket(config.webSocket()).proxy(config.proxy());
        return new Device(
                NettyMqttLink.create(options.build(), resources),
                identity,
                deviceOptions,
                downlinks);
    }

    @Override
    public void close() {
        resources.dispose();
    }

    /** One device: an {@link AliyunDevice} over its link; its connect completes at the SUBACK. */
    private static final class Device implements BenchDevice {
        private final AliyunDevice device;
        private final DownlinkListener downlinks;
        private volatile Disposable receiving;

        Device(
                NettyMqttLink link,
                AliyunDeviceIdentity identity,
                AliyunDeviceOptions options,
                DownlinkListener downlinks) {
            this.device = AliyunDevice.create(link, identity, options);
            this.downlinks = downlinks;
        }

        @Override
        public CompletableFuture<Void> connect() {
            receiving = device.messages().subscribe(this::onMessage, e -> {});
            return device.connect().then(Mono.defer(this::neededFiltersGranted)).toFuture();
        }

        /**
         * Fails when the broker refused the reply or the property-set filter, which the bench
         * needs.
         */
        private Mono<Void> neededFiltersGranted() {
            String replyTopic = AlinkTopics.reply(device.topics().propertyPost());
            String setTopic = device.topics().propertySet();
            for (String f : device.refusedSubscriptions()) {
                if (MqttTopics.matches(f, replyTopic) || MqttTopics.matches(f, setTopic)) {
                    return Mono.error(
                            new PostFailedException(
                                    "connect_subscribe_refused",
                                    "subscription to " + f + " refused"));
                }
            }
            return Mono.empty();
        }

        private void onMessage(ThingMessage message) {
            if (message instanceof ThingMessage.PropertySet set) {
                device.reply(set, 200, Map.of()).subscribe(v -> {}, e -> {});
                downlinks.onPropertySet(set.properties());
            }
        }

        @Override
        public CompletableFuture<Void> postProperties(Map<String, ?> params) {
            PostResult result = new PostResult();
            device.postProperties(params).subscribe(result);
            return result;
        }

        @Override
        public CompletableFuture<Void> disconnect() {
            Disposable d = receiving;
            if (d != null) {
                d.dispose();
            }
            return device.disconnect().onErrorResume(e -> Mono.empty()).toFuture();
        }
    }

    /**
     * The outcome of one post as the bench takes it: the subscriber of the post's {@code Mono} and
     * the future the bench waits on in one object, as an application would write it rather than
     * through three operators ({@code onErrorMap}, {@code then}, {@code toFuture}); an error reply
     * becomes {@code reply_code_<code>}.
     */
    private static final class PostResult extends CompletableFuture<Void>
            implements CoreSubscriber<AlinkReply> {
        @Override
        public void onSubscribe(Subscription s) {
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(AlinkReply reply) {
            // the reply's code was 200: completion follows
        }

        @Override
        public void onError(Throwable e) {
            completeExceptionally(
                    e instanceof AlinkReplyException r
                            ? new PostFailedException(
                                    "reply_code_" + r.code(),
                                    "property post answered with code " + r.code())
                            : e);
        }

        @Override
        public void onComplete() {
            complete(null);
        }
    }
}
