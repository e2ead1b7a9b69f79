package io.thingflux.netty.reliability;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.thingflux.mqtt.ConnAck;
import io.thingflux.mqtt.MqttPacket;
import io.thingflux.mqtt.MqttQos;
import io.thingflux.mqtt.PingResp;
import io.thingflux.mqtt.PubAck;
import io.thingflux.mqtt.Publish;
import io.thingflux.netty.codec.MqttDecoder;
import io.thingflux.netty.codec.MqttEncoder;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A broker for fault tests that records every PUBLISH exactly as it arrived on the wire (DUP flag
 * and packet id included, which the emulator's received-publish records do not carry), answers
 * CONNACK 0, PINGRESP and PUBACK, and can be stopped like a crashed process (listener and every
 * connection closed, no session kept) and started again on the same port.
 */
final class RecordingBroker implements AutoCloseable {

    /** One PUBLISH as received. */
    record Received(int connection, boolean dup, int packetId, MqttQos qos, String payload) {}

    private final EventLoopGroup group =
            new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final Set<Channel> connections = ConcurrentHashMap.newKeySet();
    private final AtomicInteger connects = new AtomicInteger();
    private final int port;
    private volatile Channel server;
    private volatile boolean withholdAcks;

    RecordingBroker() {
        this.server = bind(0);
        this.port = ((InetSocketAddress) server.localAddress()).getPort();
    }

    private Channel bind(int bindPort) {
        return new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childHandler(
                        new ChannelInitializer<Channel>() {
                            @Override
                            protected void initChannel(Channel ch) {
                                connections.add(ch);
                                ch.closeFuture().addListener(f -> connections.remove(ch));
                                ch.pipeline()
                                        .addLast(
                                                new MqttDecoder(),
                                                MqttEncoder.INSTANCE,
                                                new Session());
                            }
                        })
                .bind(new InetSocketAddress("127.0.0.1", bindPort))
                .syncUninterruptibly()
                .channel();
    }

    int port() {
        return port;
    }

    /** Every PUBLISH received so far, in arrival order. */
    List<Received> received() {
        return List.copyOf(received);
    }

    int connects() {
        return connects.get();
    }

    /**
     * While on, PUBLISHes are recorded but not acknowledged (as a broker that dies before its
     * PUBACK).
     */
    void withholdAcks(boolean withhold) {
        this.withholdAcks = withhold;
    }

    /** Stops like a crashed process: the listener and every connection go away at once. */
    void stop() {
        server.close().syncUninterruptibly();
        for (Channel ch : connections) {
            ch.close().syncUninterruptibly();
        }
    }

    /** Listens on the same port again, with no memory of earlier sessions. */
    void start() {
        withholdAcks = false;
        server = bind(port);
    }

    @Override
    public void close() {
        stop();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private final class Session extends SimpleChannelInboundHandler<MqttPacket> {
        private int connection;

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, MqttPacket msg) {
            switch (msg.type()) {
                case CONNECT -> {
                    connection = connects.incrementAndGet();
                    ctx.writeAndFlush(ConnAck.accepted(false));
                }
                case PINGREQ -> ctx.writeAndFlush(PingResp.INSTANCE);
                case PUBLISH -> {
                    Publish p = (Publish) msg;
                    received.add(
                            new Received(
                                    connection,
                                    p.dup(),
                                    p.packetId(),
                                    p.qos(),
                                    new String(
                                            p.payload(), java.nio.charset.StandardCharsets.UTF_8)));
                    if (p.qos() == MqttQos.AT_LEAST_ONCE && !withholdAcks) {
                        ctx.writeAndFlush(new PubAck(p.packetId()));
                    }
                }
                case DISCONNECT -> ctx.close();
                default -> {}
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
