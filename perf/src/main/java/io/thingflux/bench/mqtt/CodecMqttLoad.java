package io.thingflux.bench.mqtt;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.concurrent.ScheduledFuture;
import io.thingflux.bench.client.CodecChannels;
import io.thingflux.mqtt.ConnAck;
import io.thingflux.mqtt.Connect;
import io.thingflux.mqtt.ConnectReturnCode;
import io.thingflux.mqtt.MqttQos;
import io.thingflux.mqtt.PubAck;
import io.thingflux.mqtt.PubComp;
import io.thingflux.mqtt.PubRec;
import io.thingflux.mqtt.PubRel;
import io.thingflux.mqtt.Publish;
import io.thingflux.mqtt.SubAck;
import io.thingflux.mqtt.Subscribe;
import io.thingflux.mqtt.Subscription;
import io.thingflux.netty.client.MqttClientResources;
import io.thingflux.netty.codec.MqttDecoder;
import io.thingflux.netty.codec.MqttEncoder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLException;

/**
 * The floor under both clients for plain MQTT: each connection is a bare Netty channel with only
 * thingflux's codec and one handler doing what the bench needs (CONNECT, one SUBSCRIBE, the QoS 1
 * and 2 acknowledgements both ways, a PINGREQ every keepalive). No reconnect, no backpressure, no
 * offline queue, no thread hop: what a client library costs on top of the network and the codec.
 */
final class CodecMqttLoad implements MqttLoadClient {

    private final MqttTarget target;
    private final MqttClientResources resources = MqttClientResources.create();
    private final Bootstrap bootstrap;
    private final SslContext ssl;

    CodecMqttLoad(MqttTarget target) {
        this.target = target;
        try {
            this.ssl =
                    !target.tls()
                            ? null
                            : target.caFile() == null
                                    ? SslContextBuilder.forClient().build()
                                    : SslContextBuilder.forClient()
                                            .trustManager(target.caFile().toFile())
                                            .build();
        } catch (SSLException e) {
            throw new UncheckedIOException(new IOException("TLS setup failed: " + e, e));
        }
        this.bootstrap =
                new Bootstrap()
                        .group(resources.eventLoopGroup())
                        .channel(resources.channelType())
                        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 30_000)
                        .option(ChannelOption.TCP_NODELAY, true);
    }

    @Override
    public String name() {
        return "netty-codec";
    }

    @Override
    public MqttLoadConnection connection(ConnectionSpec spec, MessageListener listener) {
        return new Connection(spec, listener);
    }

    @Override
    public void close() {
        resources.dispose();
    }

    private final class Connection extends ChannelInboundHandlerAdapter
            implements MqttLoadConnection {
        private final ConnectionSpec spec;
        private final MessageListener listener;
        private final CompletableFuture<Void> connected = new CompletableFuture<>();
        private final Map<Integer, CompletableFuture<Void>> pending = new ConcurrentHashMap<>();
        private final Set<Integer> qos2Received = ConcurrentHashMap.newKeySet();
        private final AtomicInteger ids = new AtomicInteger();
        private volatile Channel channel;
        private ScheduledFuture<?> pinger;

        Connection(ConnectionSpec spec, MessageListener listener) {
            this.spec = spec;
            this.listener = listener;
        }

        @Override
        public CompletableFuture<Void> connect() {
            InetSocketAddress remote = new InetSocketAddress(target.host(), target.port());
            Bootstrap b =
                    bootstrap
                            .clone()
                            .handler(
                                    new ChannelInitializer<>() {
                                        @Override
                                        protected void initChannel(Channel ch) {
                                            if (ssl != null) {
                                                ch.pipeline()
                                                        .addLast(
                                                                ssl.newHandler(
                                                                        ch.alloc(),
                                                                        target.host(),
                                                                        target.port()));
                                            }
                                            ch.pipeline()
                                                    .addLast(
                                                            new MqttDecoder(
                                                                    MqttDecoder
                                                                            .DEFAULT_MAX_PACKET_SIZE),
                                                            MqttEncoder.INSTANCE,
                                                            Connection.this);
                                        }
                                    });
            ChannelFuture f = b.connect(remote);
            channel = f.channel();
            f.addListener(
                    done -> {
                        if (!done.isSuccess()) {
                            connected.completeExceptionally(done.cause());
                        }
                    });
            return connected;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ctx.writeAndFlush(
                    new Connect(
                            Connect.MQTT_3_1_1,
                            spec.clientId(),
                            spec.cleanSession(),
                            spec.keepAliveSeconds(),
                            null,
                            spec.username(),
                            spec.password()));
            ctx.fireChannelActive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof Publish p) {
                onPublish(ctx, p);
            } else if (msg instanceof PubAck a) {
                complete(a.packetId());
            } else if (msg instanceof PubRec r) {
                ctx.writeAndFlush(new PubRel(r.packetId()), ctx.voidPromise());
            } else if (msg instanceof PubComp c) {
                complete(c.packetId());
            } else if (msg instanceof PubRel r) {
                qos2Received.remove(r.packetId());
                ctx.writeAndFlush(new PubComp(r.packetId()), ctx.voidPromise());
            } else if (msg instanceof ConnAck ack) {
                onConnAck(ctx, ack);
            } else if (msg instanceof SubAck ack) {
                if (ack.returnCodes().stream().anyMatch(c -> c.isFailure())) {
                    connected.completeExceptionally(
                            new IllegalStateException("subscription refused"));
                    ctx.close();
                } else {
                    connected.complete(null);
                }
            }
        }

        private void complete(int packetId) {
            CompletableFuture<Void> f = pending.remove(packetId);
            if (f != null) {
                f.complete(null);
            }
        }

        private void onConnAck(ChannelHandlerContext ctx, ConnAck ack) {
            if (ack.returnCode() != ConnectReturnCode.ACCEPTED) {
                connected.completeExceptionally(
                        new IllegalStateException("CONNACK " + ack.returnCode()));
                ctx.close();
                return;
            }
            pinger = CodecChannels.startPinger(ctx, spec.keepAliveSeconds());
            if (spec.filters().isEmpty()) {
                connected.complete(null);
                return;
            }
            ctx.writeAndFlush(
                    new Subscribe(
                            1,
                            spec.filters().stream()
                                    .map(f -> new Subscription(f, spec.subscribeQos()))
                                    .toList()));
        }

        private void onPublish(ChannelHandlerContext ctx, Publish p) {
            switch (p.qos()) {
                case AT_MOST_ONCE -> listener.onMessage(p.topic(), p.payloadUnsafe());
                case AT_LEAST_ONCE -> {
                    listener.onMessage(p.topic(), p.payloadUnsafe());
                    ctx.writeAndFlush(new PubAck(p.packetId()), ctx.voidPromise());
                }
                default -> {
                    if (qos2Received.add(p.packetId())) {
                        listener.onMessage(p.topic(), p.payloadUnsafe());
                    }
                    ctx.writeAndFlush(new PubRec(p.packetId()), ctx.voidPromise());
                }
            }
        }

        @Override
        public CompletableFuture<Void> publish(
                String topic, MqttQos qos, boolean retain, byte[] payload) {
            Channel ch = channel;
            CompletableFuture<Void> done = new CompletableFuture<>();
            int packetId = 0;
            if (qos != MqttQos.AT_MOST_ONCE) {
                packetId = Math.floorMod(ids.getAndIncrement(), 65_535) + 1;
                pending.put(packetId, done);
            }
            int id = packetId;
            ch.writeAndFlush(new Publish(topic, qos, false, retain, packetId, payload))
                    .addListener(
                            w -> {
                                if (!w.isSuccess()) {
                                    pending.remove(id);
                                    done.completeExceptionally(w.cause());
                                } else if (qos == MqttQos.AT_MOST_ONCE) {
                                    done.complete(null);
                                }
                            });
            return done;
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (pinger != null) {
                pinger.cancel(false);
            }
            IllegalStateException lost = new IllegalStateException("connection lost");
            connected.completeExceptionally(lost);
            pending.values().forEach(f -> f.completeExceptionally(lost));
            pending.clear();
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            connected.completeExceptionally(cause);
            ctx.close();
        }

        @Override
        public CompletableFuture<Void> disconnect() {
            return CodecChannels.disconnect(channel);
        }
    }
}
