package io.thingflux.alink;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Operators;

/**
 * The bounded buffer behind {@link AliyunDevice#messages()}: producers {@link #offer} messages, every subscriber
 * present gets each of them, at the pace of the slowest one; while there is none, messages wait. At most
 * {@code capacity} messages wait: {@link #offer} refuses one more. {@link #complete()} lets the subscribers (also
 * later ones) read what waits, then completes them.
 *
 * <p>Storage grows with the messages waiting, from nothing: a device that is read promptly holds a few slots,
 * not an array of the full capacity (which is what a Reactor multicast sink allocates at its first message).
 * Thread-safe; signals to the subscribers are serialized. With a {@link SerialDelivery}, they all come from a
 * drain run as one of its tasks on its scheduler ({@code onSubscribe} excepted, which comes on the subscribing
 * thread): one task hands every waiting message to every subscriber, so a subscriber needs no {@code publishOn}
 * (no queue, no worker of its own); a scheduler that refuses the task (disposed) has the drain run on the
 * calling thread. Without one, the drain runs on the thread that offers, requests or completes.
 */
final class MulticastBuffer<T> extends Flux<T> {

    /** What {@link #offer} did with a message. */
    enum Offer {
        /** Taken. */
        TAKEN,
        /** Refused: {@code capacity} messages wait already. */
        FULL,
        /** Refused: {@link #complete()} was called. */
        TERMINATED
    }

    @SuppressWarnings("rawtypes")
    private static final Inner[] NONE = new Inner[0];
    @SuppressWarnings("rawtypes")
    private static final AtomicIntegerFieldUpdater<MulticastBuffer> WIP =
            AtomicIntegerFieldUpdater.newUpdater(MulticastBuffer.class, "wip");

    /** The most messages one drain step takes from the buffer under its lock. */
    private static final int MAX_BATCH = 32;

    private final int capacity;
    /** Where the drain runs, or null to run it on the caller. */
    private final SerialDelivery delivery;
    /** The drain as a task of {@link #delivery}; null without one. */
    private final SerialDelivery.Task drainTask;
    /** Guards {@link #queue}, {@link #done} and the writes of {@link #subscribers}. */
    private final Object lock = new Object();
    private ArrayDeque<T> queue;
    @SuppressWarnings("unchecked")
    private volatile Inner<T>[] subscribers = NONE;
    private boolean done;
    private volatile int wip;

    /** A buffer delivering on the thread that offers, requests or completes. */
    MulticastBuffer(int capacity) {
        this(capacity, null);
    }

    /**
     * A buffer whose drain runs as a task of {@code delivery} ({@code null}: on the caller): a device hands its
     * settled requests and its messages to its scheduler through the same serial queue, so a burst of replies
     * costs one hand-off for both.
     */
    MulticastBuffer(int capacity, SerialDelivery delivery) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, was " + capacity);
        }
        this.capacity = capacity;
        this.delivery = delivery;
        this.drainTask = delivery == null ? null : new SerialDelivery.Task() {
            @Override
            public void run() {
                drainLoop();
            }
        };
    }

    /** Whether anyone is subscribed now (one subscribing meanwhile may or may not be counted). */
    boolean hasSubscribers() {
        return subscribers.length != 0;
    }

    /** Adds {@code message} for the subscribers, unless the buffer is full or completed. */
    Offer offer(T message) {
        synchronized (lock) {
            if (done) {
                return Offer.TERMINATED;
            }
            if (queue == null) {
                queue = new ArrayDeque<>(Math.min(capacity, 4));
            } else if (queue.size() >= capacity) {
                return Offer.FULL;
            }
            queue.addLast(message);
        }
        drain();
        return Offer.TAKEN;
    }

    /** No more messages: the subscribers get what waits, then complete. */
    void complete() {
        synchronized (lock) {
            if (done) {
                return;
            }
            done = true;
        }
        drain();
    }

    @Override
    public void subscribe(CoreSubscriber<? super T> actual) {
        Inner<T> inner = new Inner<>(this, actual);
        actual.onSubscribe(inner);
        synchronized (lock) {
            if (!inner.cancelled) {
                Inner<T>[] a = Arrays.copyOf(subscribers, subscribers.length + 1);
                a[a.length - 1] = inner;
                subscribers = a;
            }
        }
        drain();
    }

    private void remove(Inner<T> inner) {
        synchronized (lock) {
            Inner<T>[] a = subscribers;
            for (int i = 0; i < a.length; i++) {
                if (a[i] == inner) {
                    Inner<T>[] b = Arrays.copyOf(a, a.length - 1);
                    System.arraycopy(a, i + 1, b, i, a.length - i - 1);
                    subscribers = a.length == 1 ? NONE : b;
                    return;
                }
            }
        }
    }

    /**
     * Hands waiting messages to the subscribers while every one of them has demand, and completes them once
     * completed and empty. One thread at a time drains (the others leave it a note), so signals stay in order.
     */
    private void drain() {
        if (WIP.getAndIncrement(this) != 0) {
            return;
        }
        if (delivery != null) {
            delivery.execute(drainTask); // a disposed scheduler has the caller run it: nothing is lost
            return;
        }
        drainLoop();
    }

    /** The drain loop; runs only after {@link #drain()} won the right to drain. */
    @SuppressWarnings("unchecked")
    private void drainLoop() {
        int missed = 1;
        for (;;) {
            for (;;) {
                Inner<T>[] subs;
                T message = null;
                Object[] batch = null;
                boolean terminate = false;
                synchronized (lock) {
                    subs = subscribers;
                    if (queue == null || queue.isEmpty()) {
                        if (!done || subs.length == 0) {
                            break;
                        }
                        terminate = true;
                        subscribers = NONE;
                    } else {
                        long demand = subs.length == 0 ? 0 : smallestDemand(subs);
                        if (demand == 0) {
                            break;
                        }
                        // what every subscriber can take, at most MAX_BATCH, leaves under one lock
                        int n = (int) Math.min(Math.min(demand, queue.size()), MAX_BATCH);
                        if (n == 1) {
                            message = queue.pollFirst();
                        } else {
                            batch = new Object[n];
                            for (int i = 0; i < n; i++) {
                                batch[i] = queue.pollFirst();
                            }
                        }
                    }
                }
                if (terminate) {
                    for (Inner<T> s : subs) {
                        s.complete();
                    }
                    break;
                }
                if (batch == null) {
                    for (Inner<T> s : subs) {
                        s.next(message);
                    }
                } else {
                    for (Object m : batch) {
                        for (Inner<T> s : subs) {
                            s.next((T) m);
                        }
                    }
                }
            }
            missed = WIP.addAndGet(this, -missed);
            if (missed == 0) {
                return;
            }
        }
    }

    /** The least demand among the subscribers not cancelled (unbounded if all are). */
    private static long smallestDemand(Inner<?>[] subs) {
        long min = Long.MAX_VALUE;
        for (Inner<?> s : subs) {
            if (!s.cancelled && s.requested < min) {
                min = s.requested;
            }
        }
        return min;
    }

    /** One subscriber: its demand, decremented only by the draining thread. */
    private static final class Inner<T> implements Subscription {
        @SuppressWarnings("rawtypes")
        private static final AtomicLongFieldUpdater<Inner> REQUESTED =
                AtomicLongFieldUpdater.newUpdater(Inner.class, "requested");

        private final MulticastBuffer<T> parent;
        private final CoreSubscriber<? super T> actual;
        volatile long requested;
        volatile boolean cancelled;

        Inner(MulticastBuffer<T> parent, CoreSubscriber<? super T> actual) {
            this.parent = parent;
            this.actual = actual;
        }

        @Override
        public void request(long n) {
            if (Operators.validate(n)) {
                Operators.addCap(REQUESTED, this, n);
                parent.drain();
            }
        }

        @Override
        public void cancel() {
            if (!cancelled) {
                cancelled = true;
                parent.remove(this);
                parent.drain(); // the others may have been waiting for this one's demand
            }
        }

        void next(T message) {
            if (cancelled) {
                return;
            }
            if (requested != Long.MAX_VALUE) {
                REQUESTED.decrementAndGet(this);
            }
            actual.onNext(message);
        }

        void complete() {
            if (!cancelled) {
                actual.onComplete();
            }
        }
    }
}
