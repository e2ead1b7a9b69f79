package io.thingflux.netty.client;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
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
import io.thingflux.mqtt.SubAck;
import io.thingflux.mqtt.SubAckReturnCode;
import io.thingflux.mqtt.Subscribe;
import io.thingflux.mqtt.Subscription;
import io.thingflux.netty.codec.MqttDecoder;
import io.thingflux.netty.codec.MqttEncoder;
import java.net.InetSocketAddress;

/**
 * A broker that says yes to everything (CONNACK 0, PINGRESP, SUBACK granted, PUBACK) and routes
 * nothing; for measurements that need many idle connected clients. Run as a main it prints {@code
 * PORT n} and serves until stdin closes, so a measurement can keep the broker's memory out of its
 * own process.
 */
final class AutoAckBroker implements AutoCloseable {

    private final EventLoopGroup group =
            new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel server;

    AutoAckBroker() {
        this(null);
    }

    /** A broker serving TLS with {@code tls}, or plain TCP when it is {@code null}. */
    AutoAckBroker(io.netty.handler.ssl.SslContext tls) {
        server =
                new ServerBootstrap()
                        .group(group)
                        .channel(NioServerSocketChannel.class)
                        .childHandler(
                                new ChannelInitializer<Channel>() {
                                    @Override
                                    protected void initChannel(Channel ch) {
                                        if (tls != null) {
                                            ch.pipeline().addLast(tls.newHandler(ch.alloc()));
                                        }
                                        ch.pipeline()
                                                .addLast(
                                                        new MqttDecoder(),
                                                        MqttEncoder.INSTANCE,
                                                        new SimpleChannelInboundHandler<
                                                                MqttPacket>() {
                                                            @Override
                                                            protected void channelRead0(
                                                                    ChannelHandlerContext ctx,
                                                                    MqttPacket msg) {
                                                                answer(ctx, msg);
                                                            }
                                                        });
                                    }
                                })
                        .bind(new InetSocketAddress("127.0.0.1", 0))
                        .syncUninterruptibly()
                        .channel();
    }

    private static void answer(ChannelHandlerContext ctx, MqttPacket msg) {
        switch (msg.type()) {
            case CONNECT -> ctx.writeAndFlush(ConnAck.accepted(false));
            case PINGREQ -> ctx.writeAndFlush(PingResp.INSTANCE);
            case SUBSCRIBE -> {
                Subscribe s = (Subscribe) msg;
                ctx.writeAndFlush(
                        new SubAck(
                                s.packetId(),
                                s.subscriptions().stream()
                                        .map(Subscription::qos)
                                        .map(SubAckReturnCode::granted)
                                        .toList()));
            }
            case PUBLISH -> {
                Publish p = (Publish) msg;
                if (p.qos() == MqttQos.AT_LEAST_ONCE) {
                    ctx.writeAndFlush(new PubAck(p.packetId()));
                }
            }
            case DISCONNECT -> ctx.close();
            default -> {}
        }
    }

    int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully().syncUninterruptibly();
    }

    /** Arguments: none for TCP, or {@code tls <pkcs12 file> <password>}. */
    public static void main(String[] args) throws Exception {
        io.netty.handler.ssl.SslContext tls = null;
        if (args.length == 3 && args[0].equals("tls")) {
            java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
            try (java.io.InputStream in =
                    java.nio.file.Files.newInputStream(java.nio.file.Path.of(args[1]))) {
                ks.load(in, args[2].toCharArray());
            }
            javax.net.ssl.KeyManagerFactory kmf =
                    javax.net.ssl.KeyManagerFactory.getInstance(
                            javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, args[2].toCharArray());
            tls = io.netty.handler.ssl.SslContextBuilder.forServer(kmf).build();
        }
        try (AutoAckBroker broker = new AutoAckBroker(tls)) {
            System.out.println("PORT " + broker.port());
            System.out.flush();
            while (System.in.read() >= 0) {
                // serve until the parent closes our stdin
            }
        }
    }
}
