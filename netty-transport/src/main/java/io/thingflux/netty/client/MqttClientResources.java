package io.thingflux.netty.client;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.thingflux.netty.NativeTransport;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

/**
 * What many clients share and the caller owns: the event-loop group (epoll when available, else
 * NIO), which also serves as the clients' timer (keepalive, timeouts and reconnect delays are
 * scheduled on a client's event loop, so there is no thread per client). Create one per application
 * or benchmark, hand it to every client, and {@link #dispose()} it after the clients. Where user
 * code is signalled is a client option: {@link MqttClientOptions.Builder#scheduler}.
 */
public final class MqttClientResources implements Disposable {

    private final EventLoopGroup group;
    private final Class<? extends Channel> channelType;
    private final boolean ownsGroup;

    private MqttClientResources(
            EventLoopGroup group, Class<? extends Channel> channelType, boolean ownsGroup) {
        this.group = Objects.requireNonNull(group, "group");
        this.channelType = Objects.requireNonNull(channelType, "channelType");
        this.ownsGroup = ownsGroup;
    }

    /** Resources with one event loop per available processor. */
    public static MqttClientResources create() {
        return create(Runtime.getRuntime().availableProcessors());
    }

    /**
     * Resources with {@code threads} event loops (epoll when its native library loads, else NIO).
     */
    public static MqttClientResources create(int threads) {
        DefaultThreadFactory threadFactory = new DefaultThreadFactory("thingflux-mqtt", true);
        return new MqttClientResources(
                new MultiThreadIoEventLoopGroup(
                        threads, threadFactory, NativeTransport.ioHandlerFactory()),
                NativeTransport.socketChannelType(),
                true);
    }

    /**
     * Resources over a group the caller created and will shut down itself ({@link #dispose()}
     * leaves it running).
     */
    public static MqttClientResources of(
            EventLoopGroup group, Class<? extends Channel> channelType) {
        return new MqttClientResources(group, channelType, false);
    }

    public EventLoopGroup eventLoopGroup() {
        return group;
    }

    public Class<? extends Channel> channelType() {
        return channelType;
    }

    /** Whether the native epoll transport is in use. */
    public boolean isNative() {
        return !NioSocketChannel.class.equals(channelType);
    }

    /** Starts shutting the event loops down (if these resources created them), without blocking. */
    @Override
    public void dispose() {
        if (ownsGroup) {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        }
    }

    /** Shuts the event loops down and completes when they have terminated. */
    public Mono<Void> disposeLater() {
        return Mono.defer(
                () -> {
                    dispose();
                    if (!ownsGroup) {
                        return Mono.empty();
                    }
                    return Mono.create(
                            sink -> group.terminationFuture().addListener(f -> sink.success()));
                });
    }

    @Override
    public boolean isDisposed() {
        return group.isShuttingDown();
    }
}
