package io.thingflux.netty.client.internal;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import io.thingflux.link.ConnectRefusedException;
import io.thingflux.mqtt.ConnAck;
import io.thingflux.mqtt.Connect;
import io.thingflux.mqtt.ConnectReturnCode;
import io.thingflux.mqtt.MqttPacket;
import io.thingflux.mqtt.MqttProtocolException;
import io.thingflux.netty.client.MqttConnectTimeoutException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * Opens the MQTT connection: writes CONNECT when the channel becomes active, waits for CONNACK
 * within a timeout, and removes itself once the broker accepted (MQTT 3.1.1 §3.1, §3.2). A refusal
 * fails the channel with {@link ConnectRefusedException} carrying the return code, a missing
 * CONNACK with {@link MqttConnectTimeoutException}, and any other packet before CONNACK is a
 * protocol violation (MQTT-3.2.0-1: the first packet from the server must be CONNACK). Failures go
 * to {@code exceptionCaught} and the channel is closed.
 */
public final class MqttConnectHandler extends ChannelInboundHandlerAdapter {

    /** The name of this handler in a pipeline. */
    public static final String NAME = "connect";

    private final Connect connect;
    private final long timeoutNanos;
    private final BiConsumer<ChannelHandlerContext, ConnAck> onAccepted;
    private ScheduledFuture<?> timeout;

    /**
     * @param onAccepted called on the event loop with CONNACK 0, after this handler removed itself
     */
    public MqttConnectHandler(
            Connect connect,
            Duration connAckTimeout,
            BiConsumer<ChannelHandlerContext, ConnAck> onAccepted) {
        this.connect = connect;
        this.timeoutNanos = connAckTimeout.toNanos();
        this.onAccepted = onAccepted;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (ctx.channel().isActive()) {
            start(ctx);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        start(ctx);
        ctx.fireChannelActive();
    }

    private void start(ChannelHandlerContext ctx) {
        if (timeout != null) {
            return;
        }
        timeout =
                ctx.executor()
                        .schedule(
                                () -> {
                                    ctx.fireExceptionCaught(
                                            new MqttConnectTimeoutException(
                                                    "no CONNACK within "
                                                            + TimeUnit.NANOSECONDS.toMillis(
                                                                    timeoutNanos)
                                                            + " ms"));
                                    ctx.close();
                                },
                                timeoutNanos,
                                TimeUnit.NANOSECONDS);
        ctx.writeAndFlush(connect)
                .addListener(
                        f -> {
                            if (!f.isSuccess()) {
                                ctx.fireExceptionCaught(f.cause());
                                ctx.close();
                            }
                        });
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof MqttPacket packet)) {
            ctx.fireChannelRead(msg);
            return;
        }
        cancelTimeout();
        if (packet instanceof ConnAck ack) {
            if (ack.returnCode() == ConnectReturnCode.ACCEPTED) {
                ctx.pipeline().remove(this);
                onAccepted.accept(ctx, ack);
            } else {
                ctx.fireExceptionCaught(new ConnectRefusedException(ack.returnCode()));
                ctx.close();
            }
        } else {
            ctx.fireExceptionCaught(
                    new MqttProtocolException(
                            MqttProtocolException.Reason.UNEXPECTED_PACKET,
                            packet.type() + " before CONNACK (MQTT-3.2.0-1)"));
            ctx.close();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancelTimeout();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancelTimeout();
    }

    private void cancelTimeout() {
        if (timeout != null) {
            timeout.cancel(false);
        }
    }
}
