package io.thingflux.emulator.waysin;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.socksx.v5.DefaultSocks5CommandResponse;
import io.netty.handler.codec.socksx.v5.DefaultSocks5InitialResponse;
import io.netty.handler.codec.socksx.v5.DefaultSocks5PasswordAuthResponse;
import io.netty.handler.codec.socksx.v5.Socks5AddressType;
import io.netty.handler.codec.socksx.v5.Socks5AuthMethod;
import io.netty.handler.codec.socksx.v5.Socks5CommandRequest;
import io.netty.handler.codec.socksx.v5.Socks5CommandRequestDecoder;
import io.netty.handler.codec.socksx.v5.Socks5CommandStatus;
import io.netty.handler.codec.socksx.v5.Socks5InitialRequest;
import io.netty.handler.codec.socksx.v5.Socks5InitialRequestDecoder;
import io.netty.handler.codec.socksx.v5.Socks5PasswordAuthRequest;
import io.netty.handler.codec.socksx.v5.Socks5PasswordAuthRequestDecoder;
import io.netty.handler.codec.socksx.v5.Socks5PasswordAuthStatus;
import io.netty.handler.codec.socksx.v5.Socks5ServerEncoder;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;

/**
 * A small proxy for tests, on Netty: HTTP CONNECT and SOCKS5 (user name/password when configured),
 * relaying bytes both ways. Records the destinations it opened tunnels to.
 */
final class TestProxy implements AutoCloseable {

    private final EventLoopGroup group =
            new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final String user;
    private final String password;
    private final Channel http;
    private final Channel socks;

    /** Destinations ({@code host:port}) tunnels were opened to, in order. */
    final List<String> tunnels = new CopyOnWriteArrayList<>();

    TestProxy(String user, String password) {
        this.user = user;
        this.password = password;
        this.http =
                bind(
                        new ChannelInitializer<SocketChannel>() {
                            @Override
                            protected void initChannel(SocketChannel ch) {
                                ch.pipeline()
                                        .addLast("codec", new HttpServerCodec())
                                        .addLast("agg", new HttpObjectAggregator(8192))
                                        .addLast("connect", new HttpConnect());
                            }
                        });
        this.socks =
                bind(
                        new ChannelInitializer<SocketChannel>() {
                            @Override
                            protected void initChannel(SocketChannel ch) {
                                ch.pipeline()
                                        .addLast("decoder", new Socks5InitialRequestDecoder())
                                        .addLast("encoder", Socks5ServerEncoder.DEFAULT)
                                        .addLast("socks", new Socks5());
                            }
                        });
    }

    int httpPort() {
        return ((InetSocketAddress) http.localAddress()).getPort();
    }

    int socksPort() {
        return ((InetSocketAddress) socks.localAddress()).getPort();
    }

    private Channel bind(ChannelInitializer<SocketChannel> init) {
        return new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(init)
                .bind("127.0.0.1", 0)
                .syncUninterruptibly()
                .channel();
    }

    /**
     * Connects to {@code host:port}, then calls {@code opened} with the outbound channel or null.
     */
    private void open(
            Channel inbound, String host, int port, BiConsumer<Channel, Throwable> opened) {
        new Bootstrap()
                .group(inbound.eventLoop())
                .channel(NioSocketChannel.class)
                .handler(new Relay(inbound))
                .connect(host, port)
                .addListener(
                        (ChannelFutureListener)
                                f -> {
                                    if (f.isSuccess()) {
                                        tunnels.add(host + ":" + port);
                                        opened.accept(f.channel(), null);
                                    } else {
                                        opened.accept(null, f.cause());
                                    }
                                });
    }

    @Override
    public void close() {
        http.close();
        socks.close();
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** Copies what it reads to {@code peer}; closes it when its own channel closes. */
    private static final class Relay extends ChannelInboundHandlerAdapter {
        private final Channel peer;

        Relay(Channel peer) {
            this.peer = peer;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            peer.writeAndFlush(msg);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            peer.close();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    private final class HttpConnect extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            if (!req.method().equals(HttpMethod.CONNECT)) {
                respond(ctx, HttpResponseStatus.METHOD_NOT_ALLOWED, true);
                return;
            }
            if (user != null) {
                String expected =
                        "Basic "
                                + Base64.getEncoder()
                                        .encodeToString(
                                                (user + ":" + password)
                                                        .getBytes(StandardCharsets.UTF_8));
                if (!expected.equals(req.headers().get(HttpHeaderNames.PROXY_AUTHORIZATION))) {
                    respond(ctx, HttpResponseStatus.PROXY_AUTHENTICATION_REQUIRED, true);
                    return;
                }
            }
            String target = req.uri();
            int colon = target.lastIndexOf(':');
            ctx.channel().config().setAutoRead(false);
            open(
                    ctx.channel(),
                    target.substring(0, colon),
                    Integer.parseInt(target.substring(colon + 1)),
                    (out, err) -> {
                        if (out == null) {
                            respond(ctx, HttpResponseStatus.BAD_GATEWAY, true);
                            return;
                        }
                        ctx.writeAndFlush(
                                        new DefaultFullHttpResponse(
                                                HttpVersion.HTTP_1_1, HttpResponseStatus.OK))
                                .addListener(
                                        f -> {
                                            ctx.pipeline().remove("codec");
                                            ctx.pipeline().remove("agg");
                                            ctx.pipeline().replace(this, "relay", new Relay(out));
                                            ctx.channel().config().setAutoRead(true);
                                        });
                    });
        }

        private void respond(ChannelHandlerContext ctx, HttpResponseStatus status, boolean close) {
            DefaultFullHttpResponse r =
                    new DefaultFullHttpResponse(
                            HttpVersion.HTTP_1_1, status, Unpooled.EMPTY_BUFFER);
            r.headers().set(HttpHeaderNames.CONTENT_LENGTH, 0);
            if (close) {
                ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
            } else {
                ctx.writeAndFlush(r);
            }
        }
    }

    private final class Socks5 extends SimpleChannelInboundHandler<Object> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof Socks5InitialRequest init) {
                Socks5AuthMethod wanted =
                        user != null ? Socks5AuthMethod.PASSWORD : Socks5AuthMethod.NO_AUTH;
                if (!init.authMethods().contains(wanted)) {
                    ctx.writeAndFlush(new DefaultSocks5InitialResponse(Socks5AuthMethod.UNACCEPTED))
                            .addListener(ChannelFutureListener.CLOSE);
                    return;
                }
                ctx.pipeline()
                        .replace(
                                "decoder",
                                "decoder",
                                user != null
                                        ? new Socks5PasswordAuthRequestDecoder()
                                        : new Socks5CommandRequestDecoder());
                ctx.writeAndFlush(new DefaultSocks5InitialResponse(wanted));
            } else if (msg instanceof Socks5PasswordAuthRequest auth) {
                if (!auth.username().equals(user) || !auth.password().equals(password)) {
                    ctx.writeAndFlush(
                                    new DefaultSocks5PasswordAuthResponse(
                                            Socks5PasswordAuthStatus.FAILURE))
                            .addListener(ChannelFutureListener.CLOSE);
                    return;
                }
                ctx.pipeline().replace("decoder", "decoder", new Socks5CommandRequestDecoder());
                ctx.writeAndFlush(
                        new DefaultSocks5PasswordAuthResponse(Socks5PasswordAuthStatus.SUCCESS));
            } else if (msg instanceof Socks5CommandRequest cmd) {
                ctx.channel().config().setAutoRead(false);
                open(
                        ctx.channel(),
                        cmd.dstAddr(),
                        cmd.dstPort(),
                        (out, err) -> {
                            if (out == null) {
                                ctx.writeAndFlush(
                                                new DefaultSocks5CommandResponse(
                                                        Socks5CommandStatus.FAILURE,
                                                        Socks5AddressType.IPv4))
                                        .addListener(ChannelFutureListener.CLOSE);
                                return;
                            }
                            ctx.writeAndFlush(
                                            new DefaultSocks5CommandResponse(
                                                    Socks5CommandStatus.SUCCESS,
                                                    Socks5AddressType.IPv4,
                                                    "127.0.0.1",
                                                    0))
                                    .addListener(
                                            f -> {
                                                ctx.pipeline().remove("decoder");
                                                ctx.pipeline().remove("encoder");
                                                ctx.pipeline()
                                                        .replace(this, "relay", new Relay(out));
                                                ctx.channel().config().setAutoRead(true);
                                            });
                        });
            } else {
                ctx.close();
            }
        }
    }
}
