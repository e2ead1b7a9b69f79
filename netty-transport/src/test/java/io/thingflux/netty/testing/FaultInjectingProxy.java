package io.thingflux.netty.testing;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DuplexChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy for tests that sits between a client and a server on loopback and injects network
 * faults: pass, delay, blackhole (bytes silently dropped both ways, connections stay open: a
 * half-open link as the endpoints see it), throttle (bytes per second), reset (RST to both sides)
 * and half-close (FIN toward the client while the rest stays open). The mode applies to every
 * connection, current and future, and can change at any time.
 */
public final class FaultInjectingProxy implements AutoCloseable {

    /** What happens to bytes in flight. */
    public enum Mode {
        PASS,
        DELAY,
        BLACKHOLE,
        THROTTLE
    }

    private final EventLoopGroup group =
            new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final InetSocketAddress target;
    private final Channel server;
    private final Set<Channel> clientSides = ConcurrentHashMap.newKeySet();
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong droppedBytes = new AtomicLong();
    private volatile Mode mode = Mode.PASS;
    private volatile long delayNanos;
    private volatile long bytesPerSecond = Long.MAX_VALUE;

    private FaultInjectingProxy(InetSocketAddress target) throws InterruptedException {
        this.target = target;
        this.server =
                new ServerBootstrap()
                        .group(group)
                        .channel(NioServerSocketChannel.class)
                        .childOption(ChannelOption.AUTO_READ, false)
                        .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                        .childHandler(
                                new ChannelInitializer<SocketChannel>() {
                                    @Override
                                    protected void initChannel(SocketChannel ch) {
                                        accepted.incrementAndGet();
                                        clientSides.add(ch);
                                        ch.closeFuture().addListener(f -> clientSides.remove(ch));
                                        ch.pipeline().addLast(new Frontend());
                                    }
                                })
                        .bind(new InetSocketAddress("127.0.0.1", 0))
                        .sync()
                        .channel();
    }

    /** Starts a proxy on a free loopback port forwarding to {@code target}. */
    public static FaultInjectingProxy start(InetSocketAddress target) {
        try {
            return new FaultInjectingProxy(target);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The port clients connect to. */
    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    public InetSocketAddress address() {
        return new InetSocketAddress("127.0.0.1", port());
    }

    /** Connections accepted so far. */
    public long acceptedConnections() {
        return accepted.get();
    }

    /** Bytes swallowed by {@link #blackhole()} so far, both directions. */
    public long droppedBytes() {
        return droppedBytes.get();
    }

    /** Connections open now. */
    public int openConnections() {
        return clientSides.size();
    }

    public FaultInjectingProxy pass() {
        mode = Mode.PASS;
        return this;
    }

    /** Every chunk is forwarded {@code millis} later, in order. */
    public FaultInjectingProxy delay(long millis) {
        delayNanos = TimeUnit.MILLISECONDS.toNanos(millis);
        mode = Mode.DELAY;
        return this;
    }

    /** Bytes are dropped in both directions; nobody is told. */
    public FaultInjectingProxy blackhole() {
        mode = Mode.BLACKHOLE;
        return this;
    }

    /** Bytes are forwarded at most {@code bytesPerSecond} each way per connection. */
    public FaultInjectingProxy throttle(long bytesPerSecond) {
        if (bytesPerSecond <= 0) {
            throw new IllegalArgumentException("bytesPerSecond must be positive");
        }
        this.bytesPerSecond = bytesPerSecond;
        mode = Mode.THROTTLE;
        return this;
    }

    /** Resets every open connection: both sides see an RST. */
    public void resetAll() {
        for (Channel ch : clientSides) {
            ch.eventLoop()
                    .execute(
                            () -> {
                                Channel peer = ch.attr(Frontend.PEER).get();
                                abort(ch);
                                if (peer != null) {
                                    abort(peer);
                                }
                            });
        }
    }

    /** Sends FIN toward every client while the server side stays connected. */
    public void halfCloseAll() {
        for (Channel ch : clientSides) {
            ch.eventLoop().execute(() -> ((DuplexChannel) ch).shutdownOutput());
        }
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        for (Channel ch : clientSides) {
            ch.close();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private static void abort(Channel ch) {
        if (ch.isOpen()) {
            ch.config().setOption(ChannelOption.SO_LINGER, 0);
            ch.close();
        }
    }

    private void forward(ChannelHandlerContext ctx, Channel to, Object msg, Relay relay) {
        Mode m = mode;
        if (m == Mode.BLACKHOLE) {
            droppedBytes.addAndGet(((ByteBuf) msg).readableBytes());
            ReferenceCountUtil.release(msg);
            ctx.channel().read(); // keep swallowing, as a dead path would
            return;
        }
        if (!to.isActive()) {
            ReferenceCountUtil.release(msg);
            return;
        }
        long sendAt = System.nanoTime();
        if (m == Mode.DELAY) {
            sendAt += delayNanos;
        } else if (m == Mode.THROTTLE) {
            int bytes = ((ByteBuf) msg).readableBytes();
            long start = Math.max(sendAt, relay.nextFreeNanos);
            relay.nextFreeNanos = start + bytes * 1_000_000_000L / bytesPerSecond;
            sendAt = relay.nextFreeNanos;
        }
        // keep order: never send before an earlier scheduled chunk
        sendAt = Math.max(sendAt, relay.lastSendAt);
        relay.lastSendAt = sendAt;
        long wait = sendAt - System.nanoTime();
        if (wait <= 0 && relay.pending == 0) {
            to.writeAndFlush(msg).addListener(readMore(ctx));
        } else {
            relay.pending++;
            ctx.executor()
                    .schedule(
                            () -> {
                                relay.pending--;
                                if (to.isActive()) {
                                    to.writeAndFlush(msg);
                                } else {
                                    ReferenceCountUtil.release(msg);
                                }
                            },
                            Math.max(0, wait),
                            TimeUnit.NANOSECONDS);
            ctx.channel().read();
        }
    }

    private static ChannelFutureListener readMore(ChannelHandlerContext ctx) {
        return f -> {
            if (f.isSuccess()) {
                ctx.channel().read();
            } else {
                ctx.channel().close();
            }
        };
    }

    /** Per-direction ordering and throttling state, touched only on the connection's event loop. */
    private static final class Relay {
        long nextFreeNanos;
        long lastSendAt;
        int pending;
    }

    private final class Frontend extends ChannelInboundHandlerAdapter {
        static final io.netty.util.AttributeKey<Channel> PEER =
                io.netty.util.AttributeKey.valueOf("proxyPeer");
        private final Relay relay = new Relay();
        private Channel backend;

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            Channel front = ctx.channel();
            new Bootstrap()
                    .group(front.eventLoop())
                    .channel(NioSocketChannel.class)
                    .option(ChannelOption.AUTO_READ, false)
                    .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                    .handler(new Backend(front))
                    .connect(target)
                    .addListener(
                            (ChannelFutureListener)
                                    f -> {
                                        if (f.isSuccess()) {
                                            backend = f.channel();
                                            front.attr(PEER).set(backend);
                                            front.read();
                                            backend.read();
                                        } else {
                                            front.close();
                                        }
                                    });
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            forward(ctx, backend, msg, relay);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (backend != null && mode != Mode.BLACKHOLE) {
                backend.close();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    private final class Backend extends ChannelInboundHandlerAdapter {
        private final Channel front;
        private final Relay relay = new Relay();

        Backend(Channel front) {
            this.front = front;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            forward(ctx, front, msg, relay);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (mode != Mode.BLACKHOLE) {
                front.close();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
