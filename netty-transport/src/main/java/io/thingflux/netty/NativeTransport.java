package io.thingflux.netty;

import io.netty.channel.Channel;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;

/**
 * The I/O transport thingflux's own event loops run: epoll when its native library is on the class
 * path and loads, else NIO. Epoll is found by reflection: {@code netty-transport-native-epoll} is
 * an optional runtime dependency, so nothing compiles against it and nothing fails without it. The
 * command-line jar bundles it for Linux x86_64 and aarch64.
 */
public final class NativeTransport {

    private static final boolean EPOLL;
    private static final Class<? extends Channel> EPOLL_CHANNEL;
    private static final Class<? extends ServerChannel> EPOLL_SERVER_CHANNEL;

    static {
        boolean epoll = false;
        Class<? extends Channel> channel = null;
        Class<? extends ServerChannel> server = null;
        try {
            Class<?> e = Class.forName("io.netty.channel.epoll.Epoll");
            if ((Boolean) e.getMethod("isAvailable").invoke(null)) {
                channel =
                        Class.forName("io.netty.channel.epoll.EpollSocketChannel")
                                .asSubclass(Channel.class);
                server =
                        Class.forName("io.netty.channel.epoll.EpollServerSocketChannel")
                                .asSubclass(ServerChannel.class);
                epoll = true;
            }
        } catch (ReflectiveOperationException | LinkageError | ClassCastException e) {
            epoll = false;
        }
        EPOLL = epoll;
        EPOLL_CHANNEL = epoll ? channel : null;
        EPOLL_SERVER_CHANNEL = epoll ? server : null;
    }

    private NativeTransport() {}

    /** Whether epoll is in use. */
    public static boolean isEpoll() {
        return EPOLL;
    }

    /** A new I/O handler factory for an event-loop group: epoll's or NIO's. */
    public static IoHandlerFactory ioHandlerFactory() {
        if (EPOLL) {
            try {
                return (IoHandlerFactory)
                        Class.forName("io.netty.channel.epoll.EpollIoHandler")
                                .getMethod("newFactory")
                                .invoke(null);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("epoll loaded but its I/O handler did not", e);
            }
        }
        return NioIoHandler.newFactory();
    }

    /** The client socket channel that goes with {@link #ioHandlerFactory()}. */
    public static Class<? extends Channel> socketChannelType() {
        return EPOLL ? EPOLL_CHANNEL : NioSocketChannel.class;
    }

    /** The server socket channel that goes with {@link #ioHandlerFactory()}. */
    public static Class<? extends ServerChannel> serverSocketChannelType() {
        return EPOLL ? EPOLL_SERVER_CHANNEL : NioServerSocketChannel.class;
    }
}
