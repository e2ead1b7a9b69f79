package io.thingflux.netty.client.internal;

import io.thingflux.link.LinkMessage;
import io.thingflux.mqtt.MqttQos;
import io.thingflux.mqtt.MqttTopics;
import io.thingflux.mqtt.SubAckReturnCode;
import io.thingflux.mqtt.Subscription;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Operators;

/**
 * One subscriber of {@code subscribe(filters)}: the filters it asked for, its queue of matching
 * messages and its demand. It is registered before SUBSCRIBE is sent, so no message can slip in
 * between; a message counts as taken when it is handed to the subscriber within its demand, and
 * only then is its PUBACK or PUBREC released. The queue holds QoS 1/2 messages without limit of its
 * own (the broker's in-flight window bounds them, since their acknowledgements are withheld) and at
 * most {@code qos0Limit} QoS 0 messages, dropping the oldest beyond that.
 *
 * <p>State is confined to the client's event loop; {@link #request} and {@link #cancel} hop onto
 * it. The subscriber is signalled on the event loop (a client with a scheduler subscribes a
 * hand-off to it here, see {@link ClientSession#subscribe}).
 */
final class IncomingSubscription implements org.reactivestreams.Subscription, Runnable {

    private static final AtomicLongFieldUpdater<IncomingSubscription> REQUESTED =
            AtomicLongFieldUpdater.newUpdater(IncomingSubscription.class, "requested");

    /**
     * The filters in SUBSCRIBE order, kept for resubscribing and matching as one string, joined by
     * U+0000 (which no filter may contain): a device holds its subscriptions for its lifetime, and
     * one string of them all is about half the heap of a string each.
     */
    private final String filterText;

    private final int filterCount;

    /**
     * The QoS code of each filter, or {@code null} when all have {@link #commonQos} (the usual
     * case).
     */
    private final byte[] qosCodes;

    private final byte commonQos;

    /**
     * Bit {@code i} set when filter {@code i} (of the first 64) has no wildcard: it matches by
     * equality.
     */
    private final long exactFilters;

    private final ClientSession session;
    private final CoreSubscriber<? super LinkMessage> actual;
    private final BiConsumer<? super String[], ? super List<SubAckReturnCode>> onSubAck;

    /** Called with each filter a SUBACK refuses; or {@code null}. */
    private final Consumer<? super String> onRefused;

    private final int qos0Limit;

    /** Messages waiting for demand, in arrival order; {@code null} while none wait. */
    private ArrayDeque<Delivery> queue;

    private int qos0Queued;
    private long demand;

    /**
     * Demand requested from any thread and not yet taken over into {@link #demand} by the event
     * loop.
     */
    private volatile long requested;

    private boolean done;

    /** SUBACK received on the current connection. */
    boolean acknowledged;

    /** Packet id of the SUBSCRIBE awaiting SUBACK, or 0. */
    int pendingPacketId;

    /** The last topic a filter matched (the filters never change); see {@link #matches}. */
    private String lastMatched;

    IncomingSubscription(
            ClientSession session,
            List<Subscription> filters,
            CoreSubscriber<? super LinkMessage> actual,
            BiConsumer<? super String[], ? super List<SubAckReturnCode>> onSubAck,
            Consumer<? super String> onRefused) {
        this.session = session;
        int count = filters.size();
        StringBuilder text = new StringBuilder(count * 48);
        byte[] codes = null;
        byte first = (byte) filters.get(0).qos().code();
        long exact = 0;
        for (int i = 0; i < count; i++) {
            Subscription f = filters.get(i);
            String name = f.filter();
            if (i > 0) {
                text.append(SEPARATOR);
            }
            text.append(name);
            if (i < 64 && name.indexOf('+') < 0 && name.indexOf('#') < 0) {
                exact |= 1L << i;
            }
            if (f.qos().code() != first && codes == null) {
                codes = new byte[count];
                for (int j = 0; j < i; j++) {
                    codes[j] = first;
                }
            }
            if (codes != null) {
                codes[i] = (byte) f.qos().code();
            }
        }
        this.filterText = text.toString();
        this.filterCount = count;
        this.qosCodes = codes;
        this.commonQos = first;
        this.exactFilters = exact;
        this.actual = actual;
        this.onSubAck = onSubAck;
        this.onRefused = onRefused;
        this.qos0Limit = session.options().qos0BufferSize();
    }

    private static final char SEPARATOR = '\u0000';

    /** The end (exclusive) in {@link #filterText} of the filter that starts at {@code from}. */
    private int filterEnd(int from) {
        int end = filterText.indexOf(SEPARATOR, from);
        return end < 0 ? filterText.length() : end;
    }

    /** The filters in SUBSCRIBE order; made on each call. */
    String[] filters() {
        String[] names = new String[filterCount];
        for (int i = 0, from = 0; i < filterCount; i++) {
            int end = filterEnd(from);
            names[i] = filterText.substring(from, end);
            from = end + 1;
        }
        return names;
    }

    /** The filters as the records of a SUBSCRIBE packet; made for each SUBSCRIBE sent. */
    List<Subscription> subscriptions() {
        String[] names = filters();
        Subscription[] list = new Subscription[names.length];
        for (int i = 0; i < list.length; i++) {
            list[i] =
                    new Subscription(
                            names[i], MqttQos.valueOf(qosCodes == null ? commonQos : qosCodes[i]));
        }
        return List.of(list);
    }

    /**
     * Whether a filter matches {@code topic}. The last topic that matched is remembered: the
     * decoder hands out one string instance per topic it sees repeatedly, so the usual stream of
     * messages on a few topics is matched by identity, not by walking the filters. On the event
     * loop only.
     */
    boolean matches(String topic) {
        if (topic == lastMatched) {
            return true;
        }
        String text = filterText;
        int length = topic.length();
        for (int i = 0, from = 0; i < filterCount; i++) {
            int end = filterEnd(from);
            if (i < 64 && (exactFilters & (1L << i)) != 0
                    ? end - from == length && text.regionMatches(from, topic, 0, length)
                    : MqttTopics.matches(text, from, end, topic)) {
                lastMatched = topic;
                return true;
            }
            from = end + 1;
        }
        return false;
    }

    boolean isDone() {
        return done;
    }

    /**
     * Adds demand; requests made while an earlier one still waits for the event loop join it, so a
     * subscriber that requests in small steps costs one event-loop task per batch rather than one
     * per request.
     */
    @Override
    public void request(long n) {
        if (!Operators.validate(n)) {
            return;
        }
        if (Operators.addCap(REQUESTED, this, n) == 0) {
            session.executeQuietly(this);
        }
    }

    /** On the event loop: takes over the requested demand and emits what it allows. */
    @Override
    public void run() {
        demand = Operators.addCap(demand, REQUESTED.getAndSet(this, 0));
        drain();
    }

    @Override
    public void cancel() {
        session.executeQuietly(
                () -> {
                    if (!done) {
                        done = true;
                        releaseQueue();
                        session.subscriptions().remove(this);
                    }
                });
    }

    /** A matching message arrived. */
    void offer(Delivery d) {
        if (done) {
            d.taken();
            return;
        }
        if (queue == null) {
            if (demand > 0) {
                // the usual case: nothing waits and the subscriber has demand, so no queue at all
                emit(d);
                return;
            }
            queue = new ArrayDeque<>(4);
        }
        if (d.isQos0()) {
            if (qos0Queued >= qos0Limit) {
                dropOldestQos0();
            }
            qos0Queued++;
        }
        queue.add(d);
        drain();
    }

    private void dropOldestQos0() {
        for (Iterator<Delivery> it = queue.iterator(); it.hasNext(); ) {
            Delivery old = it.next();
            if (old.isQos0()) {
                it.remove();
                qos0Queued--;
                old.taken();
                session.countDrop("qos0-overflow");
                return;
            }
        }
    }

    private void drain() {
        ArrayDeque<Delivery> q = queue;
        if (q == null) {
            return;
        }
        while (!done && demand > 0 && !q.isEmpty()) {
            Delivery d = q.poll();
            if (d.isQos0()) {
                qos0Queued--;
            }
            emit(d);
        }
        if (q.isEmpty()) {
            // held only while the subscriber lags: an idle or keeping-up subscriber holds none
            queue = null;
        }
    }

    /** Hands {@code d} to the subscriber within its demand. */
    private void emit(Delivery d) {
        if (demand != Long.MAX_VALUE) {
            demand--;
        }
        actual.onNext(d.message);
        d.taken();
    }

    /** The broker answered the SUBSCRIBE. */
    void onSubAck(List<SubAckReturnCode> codes) {
        acknowledged = true;
        pendingPacketId = 0;
        if (onSubAck != null) {
            onSubAck.accept(filters(), codes); // the names read from the compact form, not kept
        }
        if (onRefused != null && codes.stream().anyMatch(SubAckReturnCode::isFailure)) {
            String[] names = filters();
            for (int i = 0; i < codes.size() && i < names.length; i++) {
                if (codes.get(i).isFailure()) {
                    onRefused.accept(names[i]);
                }
            }
        }
    }

    /** Ends the stream normally (client disconnected). */
    void complete() {
        terminate(null);
    }

    /** Ends the stream with {@code error}. */
    void fail(Throwable error) {
        terminate(error);
    }

    private void terminate(Throwable error) {
        if (done) {
            return;
        }
        done = true;
        releaseQueue();
        if (error == null) {
            actual.onComplete();
        } else {
            actual.onError(error);
        }
    }

    private void releaseQueue() {
        ArrayDeque<Delivery> q = queue;
        if (q != null) {
            queue = null;
            Delivery d;
            while ((d = q.poll()) != null) {
                d.taken();
            }
            qos0Queued = 0;
        }
    }
}
