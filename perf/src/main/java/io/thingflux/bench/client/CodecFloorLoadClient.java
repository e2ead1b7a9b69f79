package io.thingflux.bench.client;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.resolver.NoopAddressResolverGroup;
import io.netty.util.concurrent.ScheduledFuture;
import io.thingflux.alink.AlinkJson;
import io.thingflux.alink.AlinkReply;
import io.thingflux.alink.AlinkRequest;
import io.thingflux.alink.AlinkTopics;
import io.thingflux.alink.MalformedAlinkException;
import io.thingflux.aliyun.AliyunDeviceIdentity;
import io.thingflux.aliyun.AliyunSigner;
import io.thingflux.aliyun.MqttCredentials;
import io.thingflux.bench.BenchDevice;
import io.thingflux.bench.BenchRefusedException;
import io.thingflux.bench.DownlinkListener;
import io.thingflux.bench.LoadClient;
import io.thingflux.bench.LoadClientConfig;
import io.thingflux.bench.PostFailedException;
import io.thingflux.mqtt.ConnAck;
import io.thingflux.mqtt.Connect;
import io.thingflux.mqtt.ConnectReturnCode;
import io.thingflux.mqtt.MqttQos;
import io.thingflux.mqtt.MqttTopics;
import io.thingflux.mqtt.PubAck;
import io.thingflux.mqtt.Publish;
import io.thingflux.mqtt.SubAck;
import io.thingflux.mqtt.SubAckReturnCode;
import io.thingflux.mqtt.Subscribe;
import io.thingflux.mqtt.Subscription;
import io.thingflux.netty.client.MqttClientResources;
import io.thingflux.netty.codec.MqttDecoder;
import io.thingflux.netty.codec.MqttEncoder;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The floor under both clients: each device is a bare Netty channel with only thingflux's codec
 * ({@link MqttDecoder}, {@link MqttEncoder}) and one small handler that does what the bench needs
 * and nothing more: CONNECT with the Aliyun sign, one SUBSCRIBE with the thing-model filters,
 * PUBACK for incoming QoS 1, a PINGREQ every keepalive, property posts correlated with their
 * replies by id, property sets answered with code 200. No reconnect, no backpressure, no offline
 * queue, no in-flight window of its own, no thread hop: what an application could not live with,
 * and what a client library costs on top of the network and the codec. Plain TCP only.
 */
public final class CodecFloorLoadClient implements LoadClient {

    private static final String POST_METHOD = "thing.event.property.post";

    private final LoadClientConfig config;
    private final AliyunSigner signer;
    private final MqttClientResources resources;
    private final Bootstrap bootstrap;

    public CodecFloorLoadClient(LoadClientConfig config) {
        if (config.tls()) {
            throw new BenchRefusedException(
                    "--client netty-codec speaks plain TCP only; drop --tls");
        }
        if (config.webSocket() != null || config.proxy() != null) {
            throw new BenchRefusedException(
                    "--client netty-codec speaks plain TCP only; drop --ws and --proxy");
        }
        this.config = config;
        this.signer = AliyunSigner.builder().secureMode(AliyunSigner.SECURE_MODE_TCP).build();
        this.resources = MqttClientResources.create();
        this.bootstrap =
                new Bootstrap()
                        .group(resources.eventLoopGroup())
                        .channel(resources.channelType())
                        .resolver(NoopAddressResolverGroup.INSTANCE)
                        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 30_000)
                        .option(ChannelOption.TCP_NODELAY, true);
    }

    @Override
    public String name() {
        return "netty-codec";
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
        resources.dispose();
    }

    private final class Device extends ChannelInboundHandlerAdapter implements BenchDevice {
        private final AliyunDeviceIdentity identity;
        private final InetSocketAddress localAddress;
        private final DownlinkListener downlinks;
        private final AlinkTopics topics;
        private final String postTopic;
        private final String replyTopic;
        private final String setTopic;
        private final CompletableFuture<Void> connected = new CompletableFuture<>();
        private final Map<String, CompletableFuture<Void>> pending = new ConcurrentHashMap<>();
        private final AtomicLong ids = new AtomicLong();
        private volatile Channel channel;
        private ScheduledFuture<?> pinger;

        Device(
                AliyunDeviceIdentity identity,
                InetSocketAddress localAddress,
                DownlinkListener downlinks) {
            this.identity = identity;
            this.localAddress = localAddress;
            this.downlinks = downlinks;
            this.topics = new AlinkTopics(identity.productKey(), identity.deviceName());
            this.postTopic = topics.propertyPost();
            this.replyTopic = AlinkTopics.reply(postTopic);
            this.setTopic = topics.propertySet();
        }

        @Override
        public CompletableFuture<Void> connect() {
            InetSocketAddress remote = new InetSocketAddress(config.host(), config.port());
            Bootstrap b =
                    bootstrap
                            .clone()
                            .handler(
                                    new ChannelInitializer<>() {
                                        @Override
                                        protected void initChannel(Channel ch) {
                                            ch.pipeline()
                                                    .addLast(
                                                            new MqttDecoder(
                                                                    MqttDecoder
                                                                            .DEFAULT_MAX_PACKET_SIZE),
                                                            MqttEncoder.INSTANCE,
                                                            Device.this);
                                        }
                                    });
            ChannelFuture f =
                    localAddress == null ? b.connect(remote) : b.connect(remote, localAddress);
            channel = f.channel();
            f.addListener(
                    done -> {
                        if (!done.isSuccess()) {
                            connected.completeExceptionally(
                                    new PostFailedException(
                                            "connect_failed",
                                            "cannot connect to " + remote + ": " + done.cause()));
                        }
                    });
            return connected;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            MqttCredentials c = signer.sign(identity);
            ctx.writeAndFlush(
                    new Connect(
                            Connect.MQTT_3_1_1,
                            c.clientId(),
                            true,
                            keepAliveSeconds(),
                            null,
                            c.username(),
                            c.password().getBytes(StandardCharsets.UTF_8)));
            ctx.fireChannelActive();
        }

        private int keepAliveSeconds() {
            return (int) config.keepAlive().toSeconds();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof Publish p) {
                onPublish(ctx, p);
            } else if (msg instanceof ConnAck ack) {
                onConnAck(ctx, ack);
            } else if (msg instanceof SubAck ack) {
                onSubAck(ctx, ack);
            }
            // PUBACKs of our posts and PINGRESPs need no answer: a post completes with its reply
        }

        private void onConnAck(ChannelHandlerContext ctx, ConnAck ack) {
            if (ack.returnCode() != ConnectReturnCode.ACCEPTED) {
                connected.completeExceptionally(
                        new PostFailedException("connect_refused", "CONNACK " + ack.returnCode()));
                ctx.close();
                return;
            }
            pinger = CodecChannels.startPinger(ctx, keepAliveSeconds());
            MqttQos qos = config.qos();
            ctx.writeAndFlush(
                    new Subscribe(
                            1,
                            topics.deviceSubscriptions().stream()
                                    .map(f -> new Subscription(f, qos))
                                    .toList()));
        }

        private void onSubAck(ChannelHandlerContext ctx, SubAck ack) {
            List<String> filters = topics.deviceSubscriptions();
            List<SubAckReturnCode> codes = ack.returnCodes();
            for (int i = 0; i < filters.size() && i < codes.size(); i++) {
                boolean needed =
                        MqttTopics.matches(filters.get(i), replyTopic)
                                || MqttTopics.matches(filters.get(i), setTopic);
                if (needed && codes.get(i).isFailure()) {
                    connected.completeExceptionally(
                            new PostFailedException(
                                    "connect_subscribe_refused",
                                    "subscription to " + filters.get(i) + " refused"));
                    ctx.close();
                    return;
                }
            }
            connected.complete(null);
        }

        private void onPublish(ChannelHandlerContext ctx, Publish p) {
            if (p.qos() == MqttQos.AT_LEAST_ONCE) {
                ctx.write(new PubAck(p.packetId()), ctx.voidPromise());
            }
            String topic = p.topic();
            try {
                if (topic.equals(replyTopic)) {
                    onReply(AlinkJson.decodeReply(p.payloadUnsafe()));
                } else if (topic.equals(setTopic)) {
                    AlinkRequest set = AlinkJson.decodeRequest(p.payloadUnsafe());
                    ctx.write(
                            new Publish(
                                    AlinkTopics.reply(setTopic),
                                    MqttQos.AT_MOST_ONCE,
                                    false,
                                    false,
                                    0,
                                    AlinkJson.encodeReply(set.id(), 200, Map.of(), null)),
                            ctx.voidPromise());
                    downlinks.onPropertySet(
                            set.params() instanceof Map<?, ?> m ? castParams(m) : Map.of());
                }
            } catch (MalformedAlinkException e) {
                // not an Alink message: nothing to correlate or answer
            }
            ctx.flush();
        }

        @SuppressWarnings("unchecked")
        private Map<String, Object> castParams(Map<?, ?> m) {
            return (Map<String, Object>) m;
        }

        private void onReply(AlinkReply reply) {
            CompletableFuture<Void> f = pending.remove(reply.id());
            if (f == null) {
                return; // late (timed out) or not ours
            }
            if (reply.isSuccess()) {
                f.complete(null);
            } else {
                f.completeExceptionally(
                        new PostFailedException(
                                "reply_code_" + reply.code(),
                                "property post answered with code " + reply.code()));
            }
        }

        @Override
        public CompletableFuture<Void> postProperties(Map<String, ?> params) {
            Channel ch = channel;
            long n = ids.incrementAndGet();
            String id = Long.toString(n % 4_294_967_295L);
            CompletableFuture<Void> reply = new CompletableFuture<>();
            pending.put(id, reply);
            reply.orTimeout(config.replyTimeout().toNanos(), TimeUnit.NANOSECONDS)
                    .whenComplete((v, e) -> pending.remove(id, reply));
            MqttQos qos = config.qos();
            int packetId = qos == MqttQos.AT_MOST_ONCE ? 0 : (int) (n % 65_535) + 1;
            ch.writeAndFlush(
                            new Publish(
                                    postTopic,
                                    qos,
                                    false,
                                    false,
                                    packetId,
                                    AlinkJson.encodeRequest(id, POST_METHOD, params, null)))
                    .addListener(
                            w -> {
                                if (!w.isSuccess()) {
                                    reply.completeExceptionally(
                                            new PostFailedException(
                                                    "send_failed", String.valueOf(w.cause())));
                                }
                            });
            return reply;
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (pinger != null) {
                pinger.cancel(false);
            }
            PostFailedException lost =
                    new PostFailedException("connection_lost", "the connection closed");
            connected.completeExceptionally(lost);
            pending.values().forEach(f -> f.completeExceptionally(lost));
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            connected.completeExceptionally(
                    new PostFailedException("transport_error", cause.toString()));
            ctx.close();
        }

        @Override
        public CompletableFuture<Void> disconnect() {
            return CodecChannels.disconnect(channel);
        }
    }
}
