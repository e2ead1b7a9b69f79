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
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;

/**
 * The outgoing half of the session: a bounded outbox of publishes waiting for a connection or for
 * room, and the bounded in-flight window of QoS 1/2 publishes awaiting PUBACK, or PUBREC then
 * PUBCOMP (MQTT 3.1.1 §4.3). Survives reconnects: in-flight publishes are resent with DUP (PUBREL
 * for those past PUBREC) when the next connection is accepted. Confined to the client's event loop,
 * except {@link #handOff}.
 *
 * <p>Bounds: the outbox holds {@code outboxCapacity} publishes and overflows as its {@link
 * OfflineBufferPolicy} says; at most {@code maxInFlight} publishes are in flight; QoS 0 publishes
 * leave the outbox only while the channel is writable, so a slow socket holds them in the outbox.
 *
 * <p>Publishes made on other threads reach the event loop through a hand-off stack: the first one
 * pushed onto an empty stack schedules one task, which takes every publish pushed until it runs, in
 * the order they were pushed, queues them and flushes once. A burst of publishes thus costs one
 * event-loop task (and at most one wake-up of the loop) instead of one each. The hand-off holds
 * what callers published and the loop has not taken yet, as the loop's own task queue would; its
 * overflow is the outbox's, applied when the loop takes it.
 *
 * <p>Outbox and in-flight window are lists linked through the publishes themselves (a publish is in
 * at most one of them), so a client holds no container for them and an acknowledgement or a cancel
 * unlinks in O(1).
 */
final class OutgoingPublishes implements Runnable {

    /** Publishes of one burst written between flushes; see {@link #flushEvery}. */
    static final int FLUSH_EVERY = 16;

    private static final AtomicReferenceFieldUpdater<OutgoingPublishes, OutgoingPublish> HANDOFF =
            AtomicReferenceFieldUpdater.newUpdater(
                    OutgoingPublishes.class, OutgoingPublish.class, "handoff");

    private final ClientSession session;
    private final PacketIdAllocator packetIds;

    // the limits are read from the session's options when needed rather than copied: one fewer
    // field each
    /** Publishes handed over by other threads, the latest first; see {@link #handOff}. */
    private volatile OutgoingPublish handoff;

    private OutgoingPublish outboxHead;
    private OutgoingPublish outboxTail;
    private int outboxSize;

    /** The in-flight window in the order first sent. */
    private OutgoingPublish inFlightHead;

    private OutgoingPublish inFlightTail;
    private int inFlightSize;
    private boolean flushPending;

    /** Publishes written since the last flush of {@link #flushEvery}. */
    private int unflushed;

    /** {@link #run} is under way and flushes at its end. */
    private boolean running;

    OutgoingPublishes(ClientSession session, PacketIdAllocator packetIds) {
        this.session = session;
        this.packetIds = packetIds;
    }

    /**
     * Hands {@code p} to the event loop from any thread: on the loop it is submitted at once,
     * elsewhere it is pushed onto the hand-off stack, and only the push onto an empty stack
     * schedules the task that takes them.
     */
    void handOff(OutgoingPublish p) {
        if (session.eventLoop().inEventLoop()) {
            submitOnLoop(p);
            drain();
            return;
        }
        OutgoingPublish head;
        do {
            head = handoff;
            p.handoffNext = head;
        } while (!HANDOFF.compareAndSet(this, head, p));
        if (head == null) {
            try {
                session.eventLoop().execute(this);
            } catch (RejectedExecutionException e) {
                // the resources were disposed: nothing will run on the loop again
                OutgoingPublish taken = HANDOFF.getAndSet(this, null);
                for (OutgoingPublish q = taken; q != null; q = q.handoffNext) {
                    q.rejected(new MqttClosedException("the client's event loop is shut down", e));
                }
            }
        }
    }

    /** The hand-off task (and the deferred flush): on the event loop. */
    @Override
    public void run() {
        OutgoingPublish taken = HANDOFF.getAndSet(this, null);
        if (taken != null) {
            running = true;
            OutgoingPublish ordered = null; // reverse into the order they were pushed
            while (taken != null) {
                OutgoingPublish next = taken.handoffNext;
                taken.handoffNext = ordered;
                ordered = taken;
                taken = next;
            }
            while (ordered != null) {
                OutgoingPublish next = ordered.handoffNext;
                ordered.handoffNext = null;
                submitOnLoop(ordered);
                ordered = next;
            }
            try {
                drain();
            } finally {
                running = false;
            }
        }
        if (flushPending) {
            flushPending = false;
            unflushed = 0;
            Channel ch = session.connectedChannel();
            if (ch != null) {
                ch.flush();
            }
        }
    }

    private void submitOnLoop(OutgoingPublish p) {
        if (session.state() == io.thingflux.link.LinkState.CLOSED) {
            p.fail(new MqttClosedException("the client is closed"));
        } else if (!p.cancelled) {
            submit(p);
        }
    }

    /** Queues {@code p}; the caller drains. */
    private void submit(OutgoingPublish p) {
        int outboxCapacity = session.options().outboxCapacity();
        if (outboxSize >= outboxCapacity) {
            MqttClientMetrics metrics = session.options().metrics();
            if (session.options().outboxPolicy() == OfflineBufferPolicy.DROP_OLDEST
                    && outboxHead != null) {
                OutgoingPublish oldest = pollOutbox();
                oldest.fail(new OfflineBufferFullException(outboxCapacity, true));
                metrics.dropped("outbox-overflow");
            } else {
                p.fail(new OfflineBufferFullException(outboxCapacity, false));
                metrics.dropped("outbox-full");
                return;
            }
        }
        p.prev = outboxTail;
        p.next = null;
        if (outboxTail == null) {
            outboxHead = p;
        } else {
            outboxTail.next = p;
        }
        outboxTail = p;
        outboxSize++;
    }

    private OutgoingPublish pollOutbox() {
        OutgoingPublish p = outboxHead;
        if (p != null) {
            unlinkOutbox(p);
        }
        return p;
    }

    private void unlinkOutbox(OutgoingPublish p) {
        if (p.prev == null) {
            outboxHead = p.next;
        } else {
            p.prev.next = p.next;
        }
        if (p.next == null) {
            outboxTail = p.prev;
        } else {
            p.next.prev = p.prev;
        }
        p.prev = null;
        p.next = null;
        outboxSize--;
    }

    private void linkInFlight(OutgoingPublish p) {
        p.prev = inFlightTail;
        p.next = null;
        if (inFlightTail == null) {
            inFlightHead = p;
        } else {
            inFlightTail.next = p;
        }
        inFlightTail = p;
        inFlightSize++;
    }

    private void unlinkInFlight(OutgoingPublish p) {
        if (p.prev == null) {
            inFlightHead = p.next;
        } else {
            p.prev.next = p.next;
        }
        if (p.next == null) {
            inFlightTail = p.prev;
        } else {
            p.next.prev = p.prev;
        }
        p.prev = null;
        p.next = null;
        inFlightSize--;
    }

    /**
     * Forgets a publish whose caller cancelled; one already on the wire stays in flight silently.
     */
    void cancel(OutgoingPublish p) {
        p.cancelled = true;
        if (p.state == OutgoingPublish.QUEUED && (p.prev != null || outboxHead == p)) {
            unlinkOutbox(p);
        }
    }

    /** Sends queued publishes while connected, writable and the window has room. */
    void drain() {
        Channel ch = session.connectedChannel();
        if (ch == null || outboxHead == null) {
            return;
        }
        boolean wrote = false;
        MqttClientMetrics metrics = session.options().metrics();
        int maxInFlight = session.options().maxInFlight();
        OutgoingPublish p;
        while ((p = outboxHead) != null && ch.isWritable()) {
            if (p.qos() == MqttQos.AT_MOST_ONCE) {
                unlinkOutbox(p);
                p.state = OutgoingPublish.AWAITING_ACK;
                OutgoingPublish q0 = p;
                ch.write(p.packet(false))
                        .addListener(
                                f -> {
                                    if (f.isSuccess()) {
                                        metrics.published(0, System.nanoTime() - q0.startNanos);
                                        q0.succeed();
                                    } else {
                                        q0.fail(
                                                new MqttTransportException(
                                                        "QoS 0 publish could not be written",
                                                        f.cause()));
                                    }
                                });
                wrote = true;
                flushEvery(ch);
                continue;
            }
            if (inFlightSize >= maxInFlight) {
                break;
            }
            unlinkOutbox(p);
            try {
                p.packetId = packetIds.allocate(p);
            } catch (PacketIdsExhaustedException e) {
                p.fail(e);
                continue;
            }
            p.state = OutgoingPublish.AWAITING_ACK;
            linkInFlight(p);
            metrics.inFlightChanged(1);
            ch.write(p.packet(false), ch.voidPromise());
            wrote = true;
            flushEvery(ch);
        }
        if (wrote) {
            flushSoon();
        }
    }

    /**
     * Flushes after every {@value #FLUSH_EVERY} publishes written, besides the flush at the end of
     * the burst: a long burst (a read of many acknowledgements that each let a publish leave)
     * starts leaving while the rest is still being written, so the broker works on it in parallel
     * instead of waiting for the whole burst.
     */
    private void flushEvery(Channel ch) {
        if (++unflushed >= FLUSH_EVERY) {
            unflushed = 0;
            ch.flush();
        }
    }

    /**
     * Flushes once the event loop has run the tasks already queued (typically more publishes, or
     * the rest of a read), so a burst leaves in a few writes to the socket instead of one each. The
     * flush is this object's task, so it costs no allocation.
     */
    private void flushSoon() {
        if (!flushPending) {
            flushPending = true;
            if (!running) {
                session.eventLoop().execute(this);
            }
        }
    }

    /**
     * PUBACK: completes a QoS 1 publish. Unknown ids are ignored (a late duplicate
     * acknowledgement).
     */
    void onPubAck(int packetId) {
        if (packetIds.owner(packetId) instanceof OutgoingPublish p
                && p.qos() == MqttQos.AT_LEAST_ONCE) {
            complete(p);
        } else {
            session.log()
                    .debug(
                            "{} PUBACK for unknown packet id {} ignored",
                            session.logPrefix(),
                            packetId);
        }
    }

    /**
     * PUBREC: moves a QoS 2 publish to its second phase and answers PUBREL (also for a repeated
     * PUBREC).
     */
    void onPubRec(Channel ch, int packetId) {
        if (packetIds.owner(packetId) instanceof OutgoingPublish p
                && p.qos() == MqttQos.EXACTLY_ONCE) {
            p.state = OutgoingPublish.AWAITING_PUBCOMP;
        } else {
            session.log()
                    .debug(
                            "{} PUBREC for unknown packet id {}: answering PUBREL so the broker can finish",
                            session.logPrefix(),
                            packetId);
        }
        ch.writeAndFlush(new PubRel(packetId), ch.voidPromise());
    }

    /** PUBCOMP: completes a QoS 2 publish. */
    void onPubComp(int packetId) {
        if (packetIds.owner(packetId) instanceof OutgoingPublish p
                && p.state == OutgoingPublish.AWAITING_PUBCOMP) {
            complete(p);
        } else {
            session.log()
                    .debug(
                            "{} PUBCOMP for unknown packet id {} ignored",
                            session.logPrefix(),
                            packetId);
        }
    }

    private void complete(OutgoingPublish p) {
        MqttClientMetrics metrics = session.options().metrics();
        packetIds.release(p.packetId);
        unlinkInFlight(p);
        metrics.inFlightChanged(-1);
        metrics.published(p.qos().code(), System.nanoTime() - p.startNanos);
        p.succeed();
        drain();
    }

    /**
     * A new connection was accepted: resend every in-flight publish with DUP (PUBREL for those past
     * PUBREC), in the order they were first sent, unless the broker lost the session and
     * republishing is off; then send what waits in the outbox.
     */
    void onConnected(Channel ch, boolean sessionPresent) {
        if (inFlightHead != null) {
            if (!sessionPresent && !session.options().republish()) {
                failInFlight(
                        new MqttClosedException("the broker lost the session; publish not resent"));
            } else {
                for (OutgoingPublish p = inFlightHead; p != null; p = p.next) {
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
        return inFlightSize;
    }

    int queued() {
        return outboxSize;
    }

    /** Fails everything queued and in flight (the client closed or gave up reconnecting). */
    void failAll(Throwable error) {
        // detached first: a caller signalled on the event loop may publish again, and that one
        // waits
        OutgoingPublish p = outboxHead;
        outboxHead = null;
        outboxTail = null;
        outboxSize = 0;
        while (p != null) {
            OutgoingPublish next = p.next;
            p.prev = null;
            p.next = null;
            p.fail(error);
            p = next;
        }
        failInFlight(error);
    }

    private void failInFlight(Throwable error) {
        OutgoingPublish p = inFlightHead;
        inFlightHead = null;
        inFlightTail = null;
        inFlightSize = 0;
        MqttClientMetrics metrics = session.options().metrics();
        while (p != null) {
            OutgoingPublish next = p.next;
            p.prev = null;
            p.next = null;
            packetIds.release(p.packetId);
            metrics.inFlightChanged(-1);
            p.fail(error);
            p = next;
        }
    }
}
