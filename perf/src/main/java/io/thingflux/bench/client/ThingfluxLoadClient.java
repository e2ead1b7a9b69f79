package io.thingflux.bench.client;

import io.thingflux.aliyun.AliyunDeviceIdentity;
import io.thingflux.aliyun.AliyunSigner;
import io.thingflux.alink.AlinkReply;
import io.thingflux.alink.AlinkReplyException;
import io.thingflux.alink.AlinkTopics;
import io.thingflux.alink.AliyunDevice;
import io.thingflux.alink.AliyunDeviceOptions;
import io.thingflux.alink.ThingMessage;
import io.thingflux.bench.BenchDevice;
import io.thingflux.bench.BenchOptions;
import io.thingflux.bench.BenchRefusedException;
import io.thingflux.bench.DownlinkListener;
import io.thingflux.bench.LoadClient;
import io.thingflux.bench.LoadClientConfig;
import io.thingflux.bench.PostFailedException;
import io.thingflux.link.LinkMessage;
import io.thingflux.link.LinkState;
import io.thingflux.link.MqttLink;
import io.thingflux.mqtt.MqttQos;
import io.thingflux.mqtt.MqttTopics;
import io.thingflux.mqtt.SubAckReturnCode;
import io.thingflux.netty.client.MqttClientOptions;
import io.thingflux.netty.client.MqttClientResources;
import io.thingflux.netty.client.MqttSubscribeFlux;
import io.thingflux.netty.client.MqttTlsOptions;
import io.thingflux.netty.client.NettyMqttLink;
import io.thingflux.link.ReconnectPolicy;
import io.thingflux.link.SubscribeAck;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * thingflux's own stack under load: each simulated device is an {@link AliyunDevice} (the thing-model API)
 * over a {@link NettyMqttLink}, all links sharing one {@link MqttClientResources} (the event loops), as an
 * application holding thousands of devices would run them, with the options users get by default: the links
 * signal on their event loop and the devices signal the bench where their default puts it. Property sets are
 * answered with code 200 through the device API.
 *
 * <p>A device's {@link BenchDevice#connect()} completes at the SUBACK of its thing-model subscriptions, with the
 * filters the bench needs (post replies, property sets) granted, as {@link HiveMqLoadClient}'s does: both
 * clients count the same exchange (CONNECT/CONNACK, SUBSCRIBE/SUBACK) as a connect. {@link AliyunDevice#connect()}
 * itself completes at the CONNACK, having sent the SUBSCRIBE, so the bench hands the device its link through
 * a thin {@link MqttLink} that passes everything on and only watches the SUBACK (about 50 bytes per device on
 * the heap the bench measures).
 */
public final class ThingfluxLoadClient implements LoadClient {

    private final LoadClientConfig config;
    private final AliyunSigner signer;
    private final MqttClientResources resources;
    private final AliyunDeviceOptions deviceOptions;

    public ThingfluxLoadClient(LoadClientConfig config, int inflight) {
        this.config = config;
        this.signer = AliyunSigner.builder()
                .secureMode(config.tls() ? AliyunSigner.SECURE_MODE_TLS : AliyunSigner.SECURE_MODE_TCP).build();
        this.resources = MqttClientResources.create();
        this.deviceOptions = AliyunDeviceOptions.builder().replyTimeout(config.replyTimeout())
                .maxPendingRequests(Math.max(inflight, AliyunDeviceOptions.DEFAULT_MAX_PENDING_REQUESTS))
                .publishQos(config.qos()).subscribeQos(config.qos()).build();
    }

    @Override
    public String name() {
        return "thingflux";
    }

    @Override
    public BenchDevice device(AliyunDeviceIdentity identity, InetSocketAddress localAddress, DownlinkListener downlinks) {
        MqttClientOptions.Builder options = MqttClientOptions.builder(config.host(), config.port())
                .localAddress(localAddress)
                .aliyun(identity, signer)
                .keepAliveSeconds((int) config.keepAlive().toSeconds())
                .reconnect(ReconnectPolicy.none()); // a shared instance
        if (config.tls()) {
            options.tls(MqttTlsOptions.defaults());
        }
        return new Device(NettyMqttLink.create(options.build(), resources), identity, deviceOptions, downlinks);
    }

    @Override
    public void close() {
        resources.dispose();
    }

    /** One device: an {@link AliyunDevice} over a {@link SubAckLink}; its connect completes at the SUBACK. */
    private static final class Device implements BenchDevice, Consumer<List<SubAckReturnCode>> {
        private final AliyunDevice device;
        private final DownlinkListener downlinks;
        private volatile Disposable receiving;
        /** Completed at the first SUBACK; null before {@link #connect()} and after the SUBACK. */
        private volatile CompletableFuture<Void> subscribed;

        Device(NettyMqttLink link, AliyunDeviceIdentity identity, AliyunDeviceOptions options,
               DownlinkListener downlinks) {
            this.device = AliyunDevice.create(new SubAckLink(link, this), identity, options);
            this.downlinks = downlinks;
        }

        @Override
        public CompletableFuture<Void> connect() {
            CompletableFuture<Void> ready = new CompletableFuture<>();
            subscribed = ready;
            receiving = device.messages().subscribe(this::onMessage, e -> { });
            device.connect().subscribe(v -> { }, ready::completeExceptionally);
            return ready;
        }

        /** The SUBACK of the device's filters: ready when the reply and property-set filters were granted. */
        @Override
        public void accept(List<SubAckReturnCode> codes) {
            CompletableFuture<Void> ready = subscribed;
            if (ready == null) {
                return; // a resubscription (there are no reconnects here): nothing waits for it
            }
            subscribed = null;
            List<String> filters = device.subscriptions();
            String replyTopic = AlinkTopics.reply(device.topics().propertyPost());
            String setTopic = device.topics().propertySet();
            for (int i = 0; i < filters.size() && i < codes.size(); i++) {
                String f = filters.get(i);
                if (codes.get(i).isFailure() && (MqttTopics.matches(f, replyTopic) || MqttTopics.matches(f, setTopic))) {
                    ready.completeExceptionally(new PostFailedException("connect_subscribe_refused",
                            "subscription to " + f + " refused"));
                    return;
                }
            }
            ready.complete(null);
        }

        private void onMessage(ThingMessage message) {
            if (message instanceof ThingMessage.PropertySet set) {
                device.reply(set, 200, Map.of()).subscribe(v -> { }, e -> { });
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
     * The outcome of one post as the bench takes it: the subscriber of the post's {@code Mono} and the future
     * the bench waits on in one object, as an application would write it rather than through three operators
     * ({@code onErrorMap}, {@code then}, {@code toFuture}); an error reply becomes {@code reply_code_<code>}.
     */
    private static final class PostResult extends CompletableFuture<Void> implements CoreSubscriber<AlinkReply> {
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
            completeExceptionally(e instanceof AlinkReplyException r ? new PostFailedException("reply_code_" + r.code(),
                    "property post answered with code " + r.code()) : e);
        }

        @Override
        public void onComplete() {
            complete(null);
        }
    }

    /**
     * A {@link NettyMqttLink} passed through unchanged, but for the SUBACK of the multi-filter subscription
     * (the thing-model device's one SUBSCRIBE), which is also handed to {@code onSubAck}.
     */
    private static final class SubAckLink implements MqttLink {
        private final NettyMqttLink link;
        private final Consumer<List<SubAckReturnCode>> onSubAck;

        SubAckLink(NettyMqttLink link, Consumer<List<SubAckReturnCode>> onSubAck) {
            this.link = link;
            this.onSubAck = onSubAck;
        }

        @Override
        public Flux<LinkMessage> subscribe(List<String> filters, MqttQos qos, Consumer<? super SubscribeAck> onAck) {
            Flux<LinkMessage> messages = link.subscribe(filters, qos, onAck);
            if (!(messages instanceof MqttSubscribeFlux s)) {
                // fails the device's connect loudly rather than leaving it waiting for a SUBACK it cannot see
                throw new IllegalStateException("NettyMqttLink.subscribe no longer returns an MqttSubscribeFlux");
            }
            return s.doOnSubAck(onSubAck);
        }

        @Override
        public Flux<LinkMessage> subscribe(String filter, MqttQos qos) {
            return link.subscribe(filter, qos);
        }

        @Override
        public Mono<Void> connect() {
            return link.connect();
        }

        @Override
        public Mono<Void> disconnect() {
            return link.disconnect();
        }

        @Override
        public Mono<Void> publish(String topic, byte[] payload, MqttQos qos) {
            return link.publish(topic, payload, qos);
        }

        @Override
        public Flux<LinkMessage> unsolicited() {
            return link.unsolicited();
        }

        @Override
        public LinkState state() {
            return link.state();
        }

        @Override
        public Flux<LinkState> states() {
            return link.states();
        }
    }
}
