package io.thingflux.netty.client.internal;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.ScheduledFuture;
import io.netty.util.concurrent.Ticker;
import io.thingflux.mqtt.PingReq;
import io.thingflux.mqtt.PingResp;
import io.thingflux.netty.client.MqttKeepAliveTimeoutException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * MQTT keepalive (MQTT 3.1.1 §3.1.2.10, §3.12): sends PINGREQ when nothing was written for the
 * keepalive interval, and closes the channel with {@link MqttKeepAliveTimeoutException} when
 * neither PINGRESP nor any other packet arrives within the ping timeout, so a half-open connection
 * is found. Every inbound packet counts as a sign of life; PINGRESP is consumed here. Reading is
 * never paused by the client, so PINGRESP is always read.
 *
 * <p>The time of the last write is taken at each flush (a read of the event loop's clock per batch
 * of writes, no listener per write), and one timer per connection checks it once per interval.
 */
public final class MqttKeepAliveHandler extends ChannelDuplexHandler implements Runnable {

    /** The name of this handler in a pipeline. */
    public static final String NAME = "keepalive";

    private final long keepAliveNanos;
    private final long pingTimeoutNanos;
    private ChannelHandlerContext ctx;
    private Ticker ticker;
    private long lastFlushNanos;
    private ScheduledFuture<?> keepAliveTimer;
    private ScheduledFuture<?> pingTimeout;
    private boolean stopped;

    public MqttKeepAliveHandler(int keepAliveSeconds, Duration pingTimeout) {
        if (keepAliveSeconds <= 0) {
            throw new IllegalArgumentException("keepalive must be positive to install the handler");
        }
        this.keepAliveNanos = TimeUnit.SECONDS.toNanos(keepAliveSeconds);
        this.pingTimeoutNanos = pingTimeout.toNanos();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        if (ctx.channel().isActive() && ctx.channel().isRegistered()) {
            start();
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        start();
        super.channelActive(ctx);
    }

    private void start() {
        if (ticker != null || stopped) {
            return;
        }
        ticker = ctx.executor().ticker();
        lastFlushNanos = ticker.nanoTime();
        keepAliveTimer = ctx.executor().schedule(this, keepAliveNanos, TimeUnit.NANOSECONDS);
    }

    /**
     * The keepalive timer: PINGREQ when nothing was written for the interval, else check again
     * later.
     */
    @Override
    public void run() {
        keepAliveTimer = null;
        if (stopped || !ctx.channel().isOpen()) {
            return;
        }
        long idle = ticker.nanoTime() - lastFlushNanos;
        if (idle < keepAliveNanos) {
            keepAliveTimer =
                    ctx.executor().schedule(this, keepAliveNanos - idle, TimeUnit.NANOSECONDS);
            return;
        }
        keepAliveTimer = ctx.executor().schedule(this, keepAliveNanos, TimeUnit.NANOSECONDS);
        ctx.writeAndFlush(PingReq.INSTANCE, ctx.voidPromise());
        if (pingTimeout == null) {
            pingTimeout =
                    ctx.executor()
                            .schedule(
                                    () -> {
                                        pingTimeout = null;
                                        ctx.fireExceptionCaught(
                                                new MqttKeepAliveTimeoutException(
                                                        "no packet from the broker within "
                                                                + TimeUnit.NANOSECONDS.toMillis(
                                                                        pingTimeoutNanos)
                                                                + " ms after PINGREQ"));
                                        ctx.close();
                                    },
                                    pingTimeoutNanos,
                                    TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
        if (ticker != null) {
            lastFlushNanos = ticker.nanoTime();
        }
        ctx.flush();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (pingTimeout != null) {
            pingTimeout.cancel(false);
            pingTimeout = null;
        }
        if (msg instanceof PingResp) {
            return;
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        stop();
        super.channelInactive(ctx);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        stop();
    }

    private void stop() {
        stopped = true;
        if (keepAliveTimer != null) {
            keepAliveTimer.cancel(false);
            keepAliveTimer = null;
        }
        if (pingTimeout != null) {
            pingTimeout.cancel(false);
            pingTimeout = null;
        }
    }
}
