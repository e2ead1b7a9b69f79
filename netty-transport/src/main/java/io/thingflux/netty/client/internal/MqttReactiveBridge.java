package io.thingflux.netty.client.internal;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.AttributeKey;
import io.thingflux.mqtt.MqttPacket;
import io.thingflux.mqtt.MqttProtocolException;

/**
 * The end of the client pipeline, where the connection meets the reactive session: it records the first
 * failure of the channel (which the session reports when the channel closes, see {@link #CLOSE_CAUSE}) and
 * closes the channel on it, and treats any packet no handler before it took as a protocol violation (a
 * server must not send CONNECT, SUBSCRIBE, a second CONNACK, ...).
 */
public final class MqttReactiveBridge extends ChannelInboundHandlerAdapter {

    /** The name of this handler in a pipeline. */
    public static final String NAME = "reactive";

    /** Why the channel closed: the first exception seen, if any. */
    public static final AttributeKey<Throwable> CLOSE_CAUSE = AttributeKey.valueOf("thingflux.mqtt.closeCause");

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        String what = msg instanceof MqttPacket p ? p.type().toString() : msg.getClass().getSimpleName();
        exceptionCaught(ctx, new MqttProtocolException(MqttProtocolException.Reason.UNEXPECTED_PACKET,
                what + " is not expected from a server"));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.channel().attr(CLOSE_CAUSE).setIfAbsent(cause);
        ctx.close();
    }
}
