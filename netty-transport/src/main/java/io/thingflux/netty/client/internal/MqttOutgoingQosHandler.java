package io.thingflux.netty.client.internal;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.thingflux.mqtt.PubAck;
import io.thingflux.mqtt.PubComp;
import io.thingflux.mqtt.PubRec;

/**
 * Routes the acknowledgements of outgoing publishes (PUBACK; PUBREC, answered with PUBREL; PUBCOMP;
 * MQTT 3.1.1 §4.3) to the session's in-flight window, and resumes sending queued publishes when the
 * channel becomes writable again. Everything else passes on.
 */
public final class MqttOutgoingQosHandler extends ChannelInboundHandlerAdapter {

    /** The name of this handler in a pipeline. */
    public static final String NAME = "qos.outgoing";

    private final OutgoingPublishes outgoing;

    MqttOutgoingQosHandler(OutgoingPublishes outgoing) {
        this.outgoing = outgoing;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof PubAck ack) {
            outgoing.onPubAck(ack.packetId());
        } else if (msg instanceof PubRec rec) {
            outgoing.onPubRec(ctx.channel(), rec.packetId());
        } else if (msg instanceof PubComp comp) {
            outgoing.onPubComp(comp.packetId());
        } else {
            ctx.fireChannelRead(msg);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            outgoing.drain();
        }
        ctx.fireChannelWritabilityChanged();
    }
}
