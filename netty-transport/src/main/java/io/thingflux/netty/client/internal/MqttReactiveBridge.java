package io.thingflux.netty.client.internal;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.AttributeKey;
import io.thingflux.mqtt.MqttPacket;
import io.thingflux.mqtt.MqttProtocolException;
import io.thingflux.mqtt.PubAck;
import io.thingflux.mqtt.PubComp;
import io.thingflux.mqtt.PubRec;
import io.thingflux.mqtt.SubAck;
import io.thingflux.mqtt.UnsubAck;

/**
 * The end of the client pipeline, where the connection meets the reactive session. It routes what
 * concerns the session's state to it:
 *
 * <ul>
 *   <li>the acknowledgements of outgoing publishes (PUBACK; PUBREC, answered with PUBREL; PUBCOMP;
 *       MQTT 3.1.1 §4.3) to the in-flight window, and a channel that became writable again resumes
 *       sending queued publishes;
 *   <li>each incoming {@link Delivery} to the subscribers whose filters match its topic, and SUBACK
 *       and UNSUBACK (MQTT 3.1.1 §3.9, §3.11) to the subscriptions.
 * </ul>
 *
 * It records the first failure of the channel (which the session reports when the channel closes,
 * see {@link #CLOSE_CAUSE}) and closes the channel on it, and treats any other packet as a protocol
 * violation (a server must not send CONNECT, SUBSCRIBE, a second CONNACK, ...). These are one
 * handler rather than three because each is a plain hand-over to session state that outlives the
 * connection; a client holds one handler and one pipeline context for them.
 */
public final class MqttReactiveBridge extends ChannelInboundHandlerAdapter {

    /** The name of this handler in a pipeline. */
    public static final String NAME = "reactive";

    /** Why the channel closed: the first exception seen, if any. */
    public static final AttributeKey<Throwable> CLOSE_CAUSE =
            AttributeKey.valueOf("thingflux.mqtt.closeCause");

    private final OutgoingPublishes outgoing;
    private final SubscriptionRegistry subscriptions;

    MqttReactiveBridge(ClientSession session) {
        this.outgoing = session.outgoing();
        this.subscriptions = session.subscriptions();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Delivery d) {
            subscriptions.dispatch(d);
        } else if (msg instanceof PubAck ack) {
            outgoing.onPubAck(ack.packetId());
        } else if (msg instanceof PubRec rec) {
            outgoing.onPubRec(ctx.channel(), rec.packetId());
        } else if (msg instanceof PubComp comp) {
            outgoing.onPubComp(comp.packetId());
        } else if (msg instanceof SubAck ack) {
            subscriptions.onSubAck(ack);
        } else if (msg instanceof UnsubAck ack) {
            subscriptions.onUnsubAck(ack.packetId());
        } else {
            String what =
                    msg instanceof MqttPacket p
                            ? p.type().toString()
                            : msg.getClass().getSimpleName();
            exceptionCaught(
                    ctx,
                    new MqttProtocolException(
                            MqttProtocolException.Reason.UNEXPECTED_PACKET,
                            what + " is not expected from a server"));
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            outgoing.drain();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.channel().attr(CLOSE_CAUSE).setIfAbsent(cause);
        ctx.close();
    }
}
