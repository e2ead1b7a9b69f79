package io.thingflux.netty.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.thingflux.mqtt.MqttPacket;
import io.thingflux.netty.codec.MqttDecoder;
import io.thingflux.netty.codec.MqttEncoder;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A scripted fake broker for client tests: a loopback server (port 0) speaking MQTT frames through
 * the project's codec. The test drives it: wait for the next connection, expect a packet of a type,
 * answer with packets, close. Nothing is answered on its own.
 */
final class ScriptedBroker implements AutoCloseable {

    static final Duration WAIT = Duration.ofSeconds(10);

    private final EventLoopGroup group =
            new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final BlockingQueue<Connection> accepted = new LinkedBlockingQueue<>();
    private final java.util.List<Channel> all = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Channel server;

    private ScriptedBroker(SslContext ssl) {
        this(ssl == null ? null : ch -> ch.pipeline().addLast(ssl.newHandler(ch.alloc())));
    }

    private ScriptedBroker(java.util.function.Consumer<Channel> tls) {
        server =
                new ServerBootstrap()
                        .group(group)
                        .channel(NioServerSocketChannel.class)
                        .childHandler(
                                new ChannelInitializer<Channel>() {
                                    @Override
                                    protected void initChannel(Channel ch) {
                                        Connection c = new Connection(ch);
                                        all.add(ch);
                                        if (tls != null) {
                                            tls.accept(ch);
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
                                                                c.received.add(msg);
                                                            }

                                                            @Override
                                                            public void exceptionCaught(
                                                                    ChannelHandlerContext ctx,
                                                                    Throwable cause) {
                                                                ctx.close();
                                                            }
                                                        });
                                        accepted.add(c);
                                    }
                                })
                        .bind(new InetSocketAddress("127.0.0.1", 0))
                        .syncUninterruptibly()
                        .channel();
    }

    static ScriptedBroker start() {
        return new ScriptedBroker((SslContext) null);
    }

    static ScriptedBroker startTls(SslContext serverContext) {
        return new ScriptedBroker(serverContext);
    }

    /** TLS chosen by the SNI name the client sends (which {@code mapping} sees). */
    static ScriptedBroker startTls(io.netty.util.Mapping<String, SslContext> mapping) {
        return new ScriptedBroker(
                (java.util.function.Consumer<Channel>)
                        ch -> ch.pipeline().addLast(new io.netty.handler.ssl.SniHandler(mapping)));
    }

    int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    /** The next client connection (TCP accepted). */
    Connection awaitConnection() throws InterruptedException {
        Connection c = accepted.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(c).as("a client connection within " + WAIT).isNotNull();
        return c;
    }

    /** Whether another connection arrives within {@code wait}. */
    boolean connectionWithin(Duration wait) throws InterruptedException {
        return accepted.poll(wait.toMillis(), TimeUnit.MILLISECONDS) != null;
    }

    @Override
    public void close() {
        if (group.isShuttingDown()) {
            return;
        }
        server.close().syncUninterruptibly();
        all.forEach(ch -> ch.close().syncUninterruptibly());
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** One accepted client connection. */
    static final class Connection {
        final Channel channel;
        final BlockingQueue<MqttPacket> received = new LinkedBlockingQueue<>();

        Connection(Channel channel) {
            this.channel = channel;
        }

        /** The next packet, which must be a {@code type}. */
        <T extends MqttPacket> T expect(Class<T> type) throws InterruptedException {
            MqttPacket p = received.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(p).as("a " + type.getSimpleName() + " within " + WAIT).isNotNull();
            assertThat(p).isInstanceOf(type);
            return type.cast(p);
        }

        /** Asserts that no packet arrives within {@code wait}. */
        void expectNothingFor(Duration wait) throws InterruptedException {
            MqttPacket p = received.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(p).as("no packet expected").isNull();
        }

        void send(MqttPacket... packets) {
            for (MqttPacket p : packets) {
                channel.write(p);
            }
            channel.flush();
        }

        void close() {
            channel.close().syncUninterruptibly();
        }

        boolean awaitClosed(Duration wait) {
            return channel.closeFuture().awaitUninterruptibly(wait.toMillis());
        }
    }
}
