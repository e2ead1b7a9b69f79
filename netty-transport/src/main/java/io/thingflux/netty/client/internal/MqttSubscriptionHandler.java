package io.thingflux.netty.client.internal;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.thingflux.mqtt.SubAck;
import io.thingflux.mqtt.UnsubAck;

/**
 * Subscription dispatch: hands each incoming {@link Delivery} to the subscribers whose filters match its
 * topic, and routes SUBACK and UNSUBACK (MQTT 3.1.1 §3.9, §3.11) to the session's subscriptions.
 */
public final class MqttSubscriptionHandler extends ChannelInboundHandlerAdapter {

    /** The name of this handler in a pipeline. */
    public static final String NAME = "subscription";

    private final SubscriptionRegistry subscriptions;

    MqttSubscriptionHandler(SubscriptionRegistry subscriptions) {
        this.subscriptions = subscriptions;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Delivery d) {
            subscriptions.dispatch(d);
        } else if (msg instanceof SubAck ack) {
            subscriptions.onSubAck(ack);
        } else if (msg instanceof UnsubAck ack) {
            subscriptions.onUnsubAck(ack.packetId());
        } else {
            ctx.fireChannelRead(msg);
        }
    }
}
