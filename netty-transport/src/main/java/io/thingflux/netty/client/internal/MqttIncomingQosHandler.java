package io.thingflux.netty.client.internal;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.thingflux.link.LinkMessage;
import io.thingflux.mqtt.MqttQos;
import io.thingflux.mqtt.PubAck;
import io.thingflux.mqtt.PubComp;
import io.thingflux.mqtt.PubRec;
import io.thingflux.mqtt.PubRel;
import io.thingflux.mqtt.Publish;

/**
 * The receiving side of QoS (MQTT 3.1.1 §4.3, §4.6): turns each PUBLISH into a {@link Delivery} for
 * the subscription dispatch, and acknowledges QoS 1 (PUBACK) and QoS 2 (PUBREC) messages only once
 * every matching subscriber has taken them, strictly in the order they arrived (MQTT-4.6.0-2). That
 * withheld acknowledgement is the backpressure: the broker's in-flight window stops it sending
 * more.
 *
 * <p>QoS 2 is delivered exactly once: the packet id stays in the session's received set from
 * PUBLISH until PUBREL, and a repeated PUBLISH with that id is acknowledged again but not
 * delivered. PUBREL is answered with PUBCOMP at once.
 *
 * <p>The queue of pending acknowledgements belongs to this connection; it is bounded by the
 * broker's in-flight window (at most 65,535 packet ids). It is linked through the {@link Delivery}
 * objects themselves, so a connection holds no container for it, whether idle or busy. After the
 * connection is lost, messages still queued for subscribers are no longer acknowledged on it; the
 * broker resends them on the next connection.
 *
 * <p>Acknowledgements are written as their messages are taken and flushed together: at the end of
 * the read batch when taken while reading, else by one task after the event loop's current work (a
 * subscriber's request typically releases many at once).
 */
public final class MqttIncomingQosHandler extends ChannelInboundHandlerAdapter implements Runnable {

    /** The name of this handler in a pipeline. */
    public static final String NAME = "qos.incoming";

    private final Qos2ReceivedIds qos2Received;

    /**
     * Oldest QoS 1/2 message whose acknowledgement is withheld, linked by {@link Delivery#nextAck};
     * or null.
     */
    private Delivery ackHead;

    private Delivery ackTail;
    private int ackCount;
    private ChannelHandlerContext ctx;
    private boolean reading;
    private boolean flushAtReadComplete;
    private boolean flushScheduled;

    MqttIncomingQosHandler(Qos2ReceivedIds qos2Received) {
        this.qos2Received = qos2Received;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        reading = true;
        if (msg instanceof Publish p) {
            onPublish(ctx, p);
        } else if (msg instanceof PubRel rel) {
            qos2Received.remove(rel.packetId());
            ctx.write(new PubComp(rel.packetId()), ctx.voidPromise());
            flushSoon();
        } else {
            ctx.fireChannelRead(msg);
        }
    }

    private void onPublish(ChannelHandlerContext ctx, Publish p) {
        LinkMessage message = new LinkMessage(p.topic(), p.payloadUnsafe(), p.qos(), p.retain());
        switch (p.qos()) {
            case AT_MOST_ONCE -> ctx.fireChannelRead(new Delivery(message, 0, null));
            case AT_LEAST_ONCE -> {
                Delivery d = new Delivery(message, p.packetId(), this);
                queueAck(d);
                ctx.fireChannelRead(d);
            }
            case EXACTLY_ONCE -> {
                Delivery d = new Delivery(message, p.packetId(), this);
                queueAck(d);
                if (qos2Received.add(p.packetId())) {
                    ctx.fireChannelRead(d);
                } else {
                    d.markConsumed(); // delivered before; acknowledge again, do not deliver twice
                }
            }
            default -> throw new IllegalStateException();
        }
    }

    private void queueAck(Delivery d) {
        if (ackTail == null) {
            ackHead = d;
        } else {
            ackTail.nextAck = d;
        }
        ackTail = d;
        ackCount++;
    }

    /** Sends the acknowledgements at the head of the queue whose messages were taken, in order. */
    void drainAcks() {
        if (ctx == null || !ctx.channel().isActive()) {
            return;
        }
        boolean wrote = false;
        Delivery head;
        while ((head = ackHead) != null && head.isConsumed()) {
            ackHead = head.nextAck;
            head.nextAck = null;
            if (ackHead == null) {
                ackTail = null;
            }
            ackCount--;
            if (head.message.qos() == MqttQos.AT_LEAST_ONCE) {
                ctx.write(new PubAck(head.packetId), ctx.voidPromise());
            } else {
                ctx.write(new PubRec(head.packetId), ctx.voidPromise());
            }
            wrote = true;
        }
        if (wrote) {
            flushSoon();
        }
    }

    private void flushSoon() {
        if (reading) {
            flushAtReadComplete = true;
        } else if (!flushScheduled) {
            flushScheduled = true;
            ctx.executor().execute(this);
        }
    }

    /** The flush task. */
    @Override
    public void run() {
        flushScheduled = false;
        ctx.flush();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        reading = false;
        if (flushAtReadComplete) {
            flushAtReadComplete = false;
            ctx.flush();
        }
        ctx.fireChannelReadComplete();
    }

    /** Acknowledgements still withheld. */
    int pendingAcks() {
        return ackCount;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        // the broker resends what was not acknowledged; the messages themselves stay with their
        // subscribers
        ackHead = null;
        ackTail = null;
        ackCount = 0;
        ctx.fireChannelInactive();
    }
}
