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
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * What many clients share and the caller owns: the event-loop group (epoll when available, else NIO),
 * which also serves as the clients' timer (keepalive, timeouts and reconnect delays are scheduled on a
 * client's event loop, so there is no thread per client), and the Reactor scheduler that signals to user
 * code are moved to. Create one per application or benchmark, hand it to every client, and
 * {@link #dispose()} it after the clients.
 */
public final class MqttClientResources implements Disposable {

    private final EventLoopGroup group;
    private final Class<? extends Channel> channelType;
    private final Scheduler deliveryScheduler;
    private final boolean ownsGroup;

    private MqttClientResources(EventLoopGroup group, Class<? extends Channel> channelType,
                                Scheduler deliveryScheduler, boolean ownsGroup) {
        this.group = Objects.requireNonNull(group, "group");
        this.channelType = Objects.requireNonNull(channelType, "channelType");
        this.deliveryScheduler = Objects.requireNonNull(deliveryScheduler, "deliveryScheduler");
        this.ownsGroup = ownsGroup;
    }

    /** Resources with one event loop per available processor. */
    public static MqttClientResources create() {
        return create(Runtime.getRuntime().availableProcessors());
    }

    /**
     * Resources with {@code threads} event loops (epoll when its native library loads, else NIO) and
     * Reactor's {@link Schedulers#parallel()} for user signals.
     */
    public static MqttClientResources create(int threads) {
        DefaultThreadFactory threadFactory = new DefaultThreadFactory("thingflux-mqtt", true);
        return new MqttClientResources(new MultiThreadIoEventLoopGroup(threads, threadFactory,
                NativeTransport.ioHandlerFactory()), NativeTransport.socketChannelType(), Schedulers.parallel(), true);
    }

    /**
     * Resources over a group the caller created and will shut down itself ({@link #dispose()} leaves it
     * running).
     */
    public static MqttClientResources of(EventLoopGroup group, Class<? extends Channel> channelType,
                                         Scheduler deliveryScheduler) {
        return new MqttClientResources(group, channelType, deliveryScheduler, false);
    }

    /** These resources with another scheduler for user signals. */
    public MqttClientResources withDeliveryScheduler(Scheduler scheduler) {
        return new MqttClientResources(group, channelType, scheduler, false);
    }

    public EventLoopGroup eventLoopGroup() {
        return group;
    }

    public Class<? extends Channel> channelType() {
        return channelType;
    }

    /** Where signals to user code go unless a client opts in to event-loop delivery. */
    public Scheduler deliveryScheduler() {
        return deliveryScheduler;
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
        return Mono.defer(() -> {
            dispose();
            if (!ownsGroup) {
                return Mono.empty();
            }
            return Mono.create(sink -> group.terminationFuture().addListener(f -> sink.success()));
        });
    }

    @Override
    public boolean isDisposed() {
        return group.isShuttingDown();
    }
}
