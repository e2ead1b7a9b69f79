package io.thingflux.netty.client.internal;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.ScheduledFuture;
import io.thingflux.mqtt.PingReq;
import io.thingflux.mqtt.PingResp;
import io.thingflux.netty.client.MqttKeepAliveTimeoutException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * MQTT keepalive (MQTT 3.1.1 §3.1.2.10, §3.12): sends PINGREQ when nothing was written for the keepalive
 * interval (Netty's writer-idle detection), and closes the channel with
 * {@link MqttKeepAliveTimeoutException} when neither PINGRESP nor any other packet arrives within the ping
 * timeout, so a half-open connection is found. Every inbound packet counts as a sign of life; PINGRESP is
 * consumed here. Reading is never paused by the client, so PINGRESP is always read.
 */
public final class MqttKeepAliveHandler extends IdleStateHandler {

    /** The name of this handler in a pipeline. */
    public static final String NAME = "keepalive";

    private final long pingTimeoutNanos;
    private ScheduledFuture<?> pingTimeout;

    public MqttKeepAliveHandler(int keepAliveSeconds, Duration pingTimeout) {
        super(0, keepAliveSeconds, 0, TimeUnit.SECONDS);
        if (keepAliveSeconds <= 0) {
            throw new IllegalArgumentException("keepalive must be positive to install the handler");
        }
        this.pingTimeoutNanos = pingTimeout.toNanos();
    }

    @Override
    protected void channelIdle(ChannelHandlerContext ctx, IdleStateEvent evt) {
        if (evt.state() != IdleState.WRITER_IDLE) {
            return;
        }
        ctx.writeAndFlush(PingReq.INSTANCE, ctx.voidPromise());
        if (pingTimeout == null) {
            pingTimeout = ctx.executor().schedule(() -> {
                pingTimeout = null;
                ctx.fireExceptionCaught(new MqttKeepAliveTimeoutException("no packet from the broker within "
                        + TimeUnit.NANOSECONDS.toMillis(pingTimeoutNanos) + " ms after PINGREQ"));
                ctx.close();
            }, pingTimeoutNanos, TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (pingTimeout != null) {
            pingTimeout.cancel(false);
            pingTimeout = null;
        }
        if (msg instanceof PingResp) {
            return;
        }
        super.channelRead(ctx, msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (pingTimeout != null) {
            pingTimeout.cancel(false);
            pingTimeout = null;
        }
        super.channelInactive(ctx);
    }
}
