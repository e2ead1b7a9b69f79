package io.thingflux.netty.client.internal;

import io.netty.channel.Channel;
import io.thingflux.mqtt.MqttQos;
import io.thingflux.mqtt.PubRel;
import io.thingflux.netty.client.MqttClientMetrics;
import io.thingflux.netty.client.MqttClosedException;
import io.thingflux.netty.client.MqttTransportException;
import io.thingflux.netty.client.OfflineBufferFullException;
import io.thingflux.netty.client.OfflineBufferPolicy;
import io.thingflux.netty.client.PacketIdsExhaustedException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The outgoing half of the session: a bounded outbox of publishes waiting for a connection or for room,
 * and the bounded in-flight window of QoS 1/2 publishes awaiting PUBACK, or PUBREC then PUBCOMP
 * (MQTT 3.1.1 §4.3). Survives reconnects: in-flight publishes are resent with DUP (PUBREL for those past
 * PUBREC) when the next connection is accepted. Confined to the client's event loop.
 *
 * <p>Bounds: the outbox holds {@code outboxCapacity} publishes and overflows as its
 * {@link OfflineBufferPolicy} says; at most {@code maxInFlight} publishes are in flight; QoS 0 publishes
 * leave the outbox only while the channel is writable, so a slow socket holds them in the outbox.
 */
final class OutgoingPublishes {

    private final ClientSession session;
    private final PacketIdAllocator packetIds;
    private final MqttClientMetrics metrics;
    private final int outboxCapacity;
    private final OfflineBufferPolicy policy;
    private final int maxInFlight;
    private final boolean republish;
    private ArrayDeque<OutgoingPublish> outbox;
    private ArrayList<OutgoingPublish> inFlight;
    private boolean flushPending;

    OutgoingPublishes(ClientSession session, PacketIdAllocator packetIds) {
        this.session = session;
        this.packetIds = packetIds;
        this.metrics = session.options().metrics();
        this.outboxCapacity = session.options().outboxCapacity();
        this.policy = session.options().outboxPolicy();
        this.maxInFlight = session.options().maxInFlight();
        this.republish = session.options().republish();
    }

    /** Queues {@code p} and sends what the connection and the window allow. */
    void submit(OutgoingPublish p) {
        if (outbox == null) {
            outbox = new ArrayDeque<>(4);
        }
        if (outbox.size() >= outboxCapacity) {
            if (policy == OfflineBufferPolicy.DROP_OLDEST && !outbox.isEmpty()) {
                OutgoingPublish oldest = outbox.poll();
                oldest.fail(new OfflineBufferFullException(outboxCapacity, true));
                metrics.dropped("outbox-overflow");
            } else {
                p.fail(new OfflineBufferFullException(outboxCapacity, false));
                metrics.dropped("outbox-full");
                return;
            }
        }
        outbox.add(p);
        drain();
    }

    /** Forgets a publish whose caller cancelled; one already on the wire stays in flight silently. */
    void cancel(OutgoingPublish p) {
        p.cancelled = true;
        if (p.state == OutgoingPublish.QUEUED && outbox != null) {
            outbox.remove(p);
        }
    }

    /** Sends queued publishes while connected, writable and the window has room. */
    void drain() {
        Channel ch = session.connectedChannel();
        if (ch == null || outbox == null || outbox.isEmpty()) {
            return;
        }
        boolean wrote = false;
        while (!outbox.isEmpty() && ch.isWritable()) {
            OutgoingPublish p = outbox.peek();
            if (p.qos() == MqttQos.AT_MOST_ONCE) {
                outbox.poll();
                p.state = OutgoingPublish.AWAITING_ACK;
                ch.write(p.packet(false)).addListener(f -> {
                    if (f.isSuccess()) {
                        metrics.published(0, System.nanoTime() - p.startNanos);
                        p.succeed();
                    } else {
                        p.fail(new MqttTransportException("QoS 0 publish could not be written", f.cause()));
                    }
                });
                wrote = true;
                continue;
            }
            if (inFlightCount() >= maxInFlight) {
                break;
            }
            outbox.poll();
            try {
                p.packetId = packetIds.allocate(p);
            } catch (PacketIdsExhaustedException e) {
                p.fail(e);
                continue;
            }
            p.state = OutgoingPublish.AWAITING_ACK;
            if (inFlight == null) {
                inFlight = new ArrayList<>(Math.min(maxInFlight, 16));
            }
            inFlight.add(p);
            metrics.inFlightChanged(1);
            ch.write(p.packet(false), ch.voidPromise());
            wrote = true;
        }
        if (wrote) {
            flushSoon(ch);
        }
    }

    /**
     * Flushes once the event loop has run the tasks already queued (typically more publishes), so a burst of
     * publishes from other threads leaves in a few writes to the socket instead of one each.
     */
    private void flushSoon(Channel ch) {
        if (!flushPending) {
            flushPending = true;
            ch.eventLoop().execute(() -> {
                flushPending = false;
                ch.flush();
            });
        }
    }

    /** PUBACK: completes a QoS 1 publish. Unknown ids are ignored (a late duplicate acknowledgement). */
    void onPubAck(int packetId) {
        if (packetIds.owner(packetId) instanceof OutgoingPublish p && p.qos() == MqttQos.AT_LEAST_ONCE) {
            complete(p);
        } else {
            session.log().debug("{} PUBACK for unknown packet id {} ignored", session.logPrefix(), packetId);
        }
    }

    /** PUBREC: moves a QoS 2 publish to its second phase and answers PUBREL (also for a repeated PUBREC). */
    void onPubRec(Channel ch, int packetId) {
        if (packetIds.owner(packetId) instanceof OutgoingPublish p && p.qos() == MqttQos.EXACTLY_ONCE) {
            p.state = OutgoingPublish.AWAITING_PUBCOMP;
        } else {
            session.log().debug("{} PUBREC for unknown packet id {}: answering PUBREL so the broker can finish",
                    session.logPrefix(), packetId);
        }
        ch.writeAndFlush(new PubRel(packetId), ch.voidPromise());
    }

    /** PUBCOMP: completes a QoS 2 publish. */
    void onPubComp(int packetId) {
        if (packetIds.owner(packetId) instanceof OutgoingPublish p && p.state == OutgoingPublish.AWAITING_PUBCOMP) {
            complete(p);
        } else {
            session.log().debug("{} PUBCOMP for unknown packet id {} ignored", session.logPrefix(), packetId);
        }
    }

    private void complete(OutgoingPublish p) {
        packetIds.release(p.packetId);
        inFlight.remove(p);
        metrics.inFlightChanged(-1);
        metrics.published(p.qos().code(), System.nanoTime() - p.startNanos);
        p.succeed();
        drain();
    }

    /**
     * A new connection was accepted: resend every in-flight publish with DUP (PUBREL for those past PUBREC),
     * in the order they were first sent, unless the broker lost the session and republishing is off; then
     * send what waits in the outbox.
     */
    void onConnected(Channel ch, boolean sessionPresent) {
        if (inFlight != null && !inFlight.isEmpty()) {
            if (!sessionPresent && !republish) {
                failInFlight(new MqttClosedException("the broker lost the session; publish not resent"));
            } else {
                for (OutgoingPublish p : inFlight) {
                    if (p.state == OutgoingPublish.AWAITING_PUBCOMP) {
                        ch.write(new PubRel(p.packetId), ch.voidPromise());
                    } else {
                        ch.write(p.packet(true), ch.voidPromise());
                    }
                }
                ch.flush();
            }
        }
        drain();
    }

    int inFlightCount() {
        return inFlight == null ? 0 : inFlight.size();
    }

    int queued() {
        return outbox == null ? 0 : outbox.size();
    }

    /** Fails everything queued and in flight (the client closed or gave up reconnecting). */
    void failAll(Throwable error) {
        if (outbox != null) {
            List<OutgoingPublish> queued = new ArrayList<>(outbox);
            outbox.clear();
            queued.forEach(p -> p.fail(error));
        }
        failInFlight(error);
    }

    private void failInFlight(Throwable error) {
        if (inFlight == null) {
            return;
        }
        List<OutgoingPublish> all = new ArrayList<>(inFlight);
        inFlight.clear();
        for (OutgoingPublish p : all) {
            packetIds.release(p.packetId);
            metrics.inFlightChanged(-1);
            p.fail(error);
        }
    }
}
