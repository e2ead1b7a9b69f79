package io.thingflux.bench.client;

import io.thingflux.aliyun.AliyunDeviceIdentity;
import io.thingflux.aliyun.AliyunSigner;
import io.thingflux.alink.AlinkReplyException;
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
import io.thingflux.netty.client.MqttClientOptions;
import io.thingflux.netty.client.MqttClientResources;
import io.thingflux.netty.client.MqttTlsOptions;
import io.thingflux.netty.client.NettyMqttLink;
import io.thingflux.netty.client.ReconnectPolicy;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import reactor.core.Disposable;

/**
 * thingflux's own stack under load: each simulated device is an {@link AliyunDevice} (the thing-model API)
 * over a {@link NettyMqttLink}, all links sharing one {@link MqttClientResources} (event loops and the
 * delivery scheduler), as an application holding thousands of devices would run them. The clients deliver on
 * their event loop (the device moves to its own scheduler itself; see {@link AliyunDevice}'s "Cost"). Property
 * sets are answered with code 200 through the device API.
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
                // AliyunDevice hands every signal to its own scheduler and never blocks on delivery, so it
                // takes the client's deliveries on the event loop (as its Javadoc recommends)
                .deliverOnEventLoop(true)
                .reconnect(ReconnectPolicy.none()); // a shared instance
        if (config.tls()) {
            options.tls(MqttTlsOptions.defaults());
        }
        NettyMqttLink link = NettyMqttLink.create(options.build(), resources);
        return new Device(AliyunDevice.create(link, identity, deviceOptions), downlinks);
    }

    @Override
    public void close() {
        resources.dispose();
    }

    private static final class Device implements BenchDevice {
        private final AliyunDevice device;
        private final DownlinkListener downlinks;
        private volatile Disposable receiving;

        Device(AliyunDevice device, DownlinkListener downlinks) {
            this.device = device;
            this.downlinks = downlinks;
        }

        @Override
        public CompletableFuture<Void> connect() {
            receiving = device.messages().subscribe(this::onMessage, e -> { });
            return device.connect().toFuture();
        }

        private void onMessage(ThingMessage message) {
            if (message instanceof ThingMessage.PropertySet set) {
                device.reply(set, 200, Map.of()).subscribe(v -> { }, e -> { });
                downlinks.onPropertySet(set.properties());
            }
        }

        @Override
        public CompletableFuture<Void> postProperties(Map<String, ?> params) {
            return device.postProperties(params)
                    .onErrorMap(AlinkReplyException.class, e -> new PostFailedException("reply_code_" + e.code(),
                            "property post answered with code " + e.code()))
                    .then().toFuture();
        }

        @Override
        public CompletableFuture<Void> disconnect() {
            Disposable d = receiving;
            if (d != null) {
                d.dispose();
            }
            return device.disconnect().onErrorResume(e -> reactor.core.publisher.Mono.empty()).toFuture();
        }
    }
}
