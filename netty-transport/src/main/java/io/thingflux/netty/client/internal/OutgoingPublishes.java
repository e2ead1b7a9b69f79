package io.thingflux.netty.client.internal;

import io.netty.channel.Channel;
import io.thingflux.link.PublishRefusedException;
import io.thingflux.link.outbox.OutboxFullException;
import io.thingflux.link.outbox.OutboxStorageException;
import io.thingflux.link.outbox.OutboxStore;
import io.thingflux.link.outbox.OverflowPolicy;
import io.thingflux.mqtt.MqttQos;
import io.thingflux.mqtt.PubRel;
import io.thingflux.netty.client.MqttClientMetrics;
import io.thingflux.netty.client.MqttClosedException;
import io.thingflux.netty.client.MqttTransportException;
import io.thingflux.netty.client.PacketIdsExhaustedException;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
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
 * OverflowPolicy} says; at most {@code maxInFlight} publishes are in flight; QoS 0 publishes leave
 * the outbox only while the channel is writable, so a slow socket holds them in the outbox.
 *
 * <p>Publishes made on other threads reach the event loop through a hand-off stack: the first one
 * pushed onto an empty stack schedules one task, which takes every publish pushed until it runs, in
 * the order they were pushed, queues them and flushes once. A burst of publishes thus costs one
 * event-loop task (and at most one wake-up of the loop) instead of one each. The hand-off holds
 * what callers published and the loop has not taken yet, as the loop's own task queue would; its
 * overflow is the outbox's, applied when the loop takes it.
 *
 * <p>With a durable {@link OutboxStore} a QoS 1/2 publish is written to it when it is queued (a
 * publish that cannot be written fails there), its QoS 2 packet id and PUBREC are recorded, and it
 * is removed when acknowledged or given up; what the store held when the client was created is
 * queued first ({@link #restore}). With the in-memory store none of this runs: one null test per
 * publish.
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

    /** The durable outbox, or null for the in-memory one (then nothing else is written). */
    private final OutboxStore store;

    /**
     * The sequence number in {@link #store} of each publish written there; null without a durable
     * store, so that a publish of the in-memory path carries no field for it.
     */
    private final Map<OutgoingPublish, Long> seqs;

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

    OutgoingPublishes(ClientSession session, PacketIdAllocator packetIds, OutboxStore store) {
        this.session = session;
        this.packetIds = packetIds;
        this.store = store.durable() ? store : null;
        this.seqs = this.store != null ? new IdentityHashMap<>() : null;
        restore(store.recovered().publishes());
    }

    /**
     * Queues what a durable outbox held before anything new can be submitted: QoS 2 publishes that
     * had their packet id go back in flight under it (PUBREL again for those past PUBREC), the
     * others to the head of the outbox in their order, each first sent with DUP. They may exceed
     * the outbox capacity: they were accepted already.
     */
    private void restore(List<OutboxStore.Pending> pending) {
        for (OutboxStore.Pending r : pending) {
            OutgoingPublish p = OutgoingPublish.recovered(session, r.message());
            seqs.put(p, r.seq());
            if (r.packetId() != 0
                    && r.message().qos() == MqttQos.EXACTLY_ONCE
                    && packetIds.reserve(r.packetId(), p)) {
                p.packetId = r.packetId();
                p.state =
                        r.released()
                                ? OutgoingPublish.AWAITING_PUBCOMP
                                : OutgoingPublish.AWAITING_ACK;
                linkInFlight(p);
                session.options().metrics().inFlightChanged(1);
            } else {
                linkOutbox(p);
            }
        }
    }

    /**
     * Hands {@code p} to the event loop from any thread: on the loop it is submitted at once,
     * elsewhere it is pushed onto the hand-off stack, and only the push onto an empty stack
     * schedules the task that takes them.
     */
    void handOff(OutgoingPublish p) {
        if (session.eventLoop().inEventLoop()) {
            // those other threads handed over before p go first (their task has not run yet)
            submitHandedOff(HANDOFF.getAndSet(this, null));
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
            submitHandedOff(taken);
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

    /** Submits the hand-off stack {@code taken} (latest first) in the order it was pushed. */
    private void submitHandedOff(OutgoingPublish taken) {
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
            if (session.options().outboxPolicy() == OverflowPolicy.DROP_OLDEST
                    && outboxHead != null) {
                OutgoingPublish oldest = pollOutbox();
                forget(oldest);
                oldest.fail(
                        new OutboxFullException(
                                "publish evicted from the full outbox (capacity "
                                        + outboxCapacity
                                        + ", drop oldest)"));
                metrics.dropped("outbox-overflow");
            } else {
                p.fail(
                        new OutboxFullException(
                                "outbox full (capacity " + outboxCapacity + "), publish refused"));
                metrics.dropped("outbox-full");
                return;
            }
        }
        if (store != null && p.qos() != MqttQos.AT_MOST_ONCE && !store(p)) {
            return;
        }
        linkOutbox(p);
    }

    /**
     * Writes {@code p} to the durable outbox; when it is full, under drop-oldest the oldest stored
     * publish still queued makes room. False when {@code p} failed.
     */
    private boolean store(OutgoingPublish p) {
        MqttClientMetrics metrics = session.options().metrics();
        while (true) {
            try {
                seqs.put(p, store.append(p.message));
                return true;
            } catch (OutboxFullException e) {
                OutgoingPublish oldest = null;
                if (session.options().outboxPolicy() == OverflowPolicy.DROP_OLDEST) {
                    oldest = outboxHead;
                    while (oldest != null && !seqs.containsKey(oldest)) {
                        oldest = oldest.next;
                    }
                }
                if (oldest == null) {
                    p.fail(e);
                    metrics.dropped("outbox-full");
                    return false;
                }
                unlinkOutbox(oldest);
                forget(oldest);
                oldest.fail(new OutboxFullException(e.getMessage() + "; evicted (drop oldest)"));
                metrics.dropped("outbox-overflow");
            } catch (OutboxStorageException e) {
                p.fail(e);
                metrics.dropped("outbox-storage");
                return false;
            }
        }
    }

    /** Removes {@code p} from the durable outbox: it is finished or given up. */
    private void forget(OutgoingPublish p) {
        if (store != null) {
            Long seq = seqs.remove(p);
            if (seq != null) {
                store.remove(seq);
            }
        }
    }

    private void linkOutbox(OutgoingPublish p) {
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
            forget(p);
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
                forget(p);
                p.fail(e);
                continue;
            }
            if (store != null && p.qos() == MqttQos.EXACTLY_ONCE && seqs.get(p) != null) {
                store.packetId(seqs.get(p), p.packetId);
            }
            p.state = OutgoingPublish.AWAITING_ACK;
            linkInFlight(p);
            metrics.inFlightChanged(1);
            ch.write(p.packet(p.recovered), ch.voidPromise());
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
            if (p.state != OutgoingPublish.AWAITING_PUBCOMP
                    && store != null
                    && seqs.get(p) != null) {
                store.released(seqs.get(p));
            }
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
        forget(p);
        metrics.published(p.qos().code(), System.nanoTime() - p.startNanos);
        p.succeed();
        drain();
    }

    /**
     * The broker closed the connection, with no error seen: counts against the oldest publish
     * waiting for PUBACK or PUBREC (a broker handles publishes in order, so that is the one it
     * answered by closing), which fails with {@link PublishRefusedException} once the options'
     * {@code publishAttempts} are used up; the next one then goes first.
     */
    void onBrokerClosed() {
        OutgoingPublish p = inFlightHead;
        if (p == null || p.state != OutgoingPublish.AWAITING_ACK) {
            return;
        }
        int attempts = session.options().publishAttempts();
        if (++p.brokerCloses < attempts) {
            return;
        }
        MqttClientMetrics metrics = session.options().metrics();
        packetIds.release(p.packetId);
        unlinkInFlight(p);
        metrics.inFlightChanged(-1);
        forget(p);
        metrics.dropped("publish-refused");
        session.log()
                .warn(
                        "{} publish to {} given up: the broker closed the connection {} times while it waited for its acknowledgement",
                        session.logPrefix(),
                        p.message.topic(),
                        attempts);
        p.fail(new PublishRefusedException(p.message.topic(), attempts));
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
                        new MqttClosedException("the broker lost the session; publish not resent"),
                        false);
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

    /**
     * Fails everything queued and in flight (the client closed or gave up reconnecting); what a
     * durable outbox holds stays there for the next process that opens it.
     */
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
        failInFlight(error, true);
    }

    private void failInFlight(Throwable error, boolean keepStored) {
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
            if (!keepStored) {
                forget(p);
            }
            p.fail(error);
            p = next;
        }
    }
}
