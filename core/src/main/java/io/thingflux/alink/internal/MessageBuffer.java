package io.thingflux.alink.internal;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Operators;

/**
 * The bounded buffer behind a device's messages: {@link #offer} adds a message, every subscriber
 * present gets each one at the pace of the slowest; while there is none, messages wait. At most
 * {@code capacity} wait: {@link #offer} refuses one more. {@link #complete()} lets the subscribers
 * (later ones too) read what waits, then completes them.
 *
 * <p>Why not a Reactor sink: a multicast sink allocates an array of its full capacity at its first
 * message (4.8 KB a device for the default 1,024), and a unicast sink shared through {@code
 * publish} costs about 500 B a device in operators (see perf/README.md, heap per device). This one
 * holds a lock, an array of subscribers and, once a message waits, a deque that grows with the
 * messages waiting.
 *
 * <p>Thread-safe. Signals to the subscribers are serialized: the thread that offers, requests,
 * cancels or completes drains, and one that finds another draining leaves it a note ({@code wip})
 * instead of waiting; {@code onSubscribe} comes on the subscribing thread.
 *
 * @param <T> the message type
 */
public final class MessageBuffer<T> extends Flux<T> {

    /** What {@link #offer} did with a message. */
    public enum Offer {
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
    private static final AtomicIntegerFieldUpdater<MessageBuffer> WIP =
            AtomicIntegerFieldUpdater.newUpdater(MessageBuffer.class, "wip");

    private final int capacity;

    /** Guards {@link #queue}, {@link #done} and the writes of {@link #subscribers}. */
    private final Object lock = new Object();

    private ArrayDeque<T> queue;
    private boolean done;

    @SuppressWarnings("unchecked")
    private volatile Inner<T>[] subscribers = NONE;

    private volatile int wip;

    /**
     * @param capacity how many messages wait at most, at least 1
     */
    public MessageBuffer(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, was " + capacity);
        }
        this.capacity = capacity;
    }

    /** Whether anyone is subscribed now (one subscribing meanwhile may or may not be counted). */
    public boolean hasSubscribers() {
        return subscribers.length != 0;
    }

    /** Adds {@code message} for the subscribers, unless the buffer is full or completed. */
    public Offer offer(T message) {
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
    public void complete() {
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
                    if (a.length == 1) {
                        subscribers = NONE;
                    } else {
                        Inner<T>[] b = Arrays.copyOf(a, a.length - 1);
                        System.arraycopy(a, i + 1, b, i, a.length - i - 1);
                        subscribers = b;
                    }
                    return;
                }
            }
        }
    }

    /**
     * Hands waiting messages to the subscribers while every one of them has demand, and completes
     * them once completed and empty. One thread at a time drains; the others leave it a note.
     */
    private void drain() {
        if (WIP.getAndIncrement(this) != 0) {
            return;
        }
        int missed = 1;
        for (; ; ) {
            for (; ; ) {
                Inner<T>[] subs;
                T message;
                synchronized (lock) {
                    subs = subscribers;
                    if (queue == null || queue.isEmpty()) {
                        if (!done || subs.length == 0) {
                            break;
                        }
                        subscribers = NONE;
                        message = null;
                    } else if (subs.length == 0 || smallestDemand(subs) == 0) {
                        break;
                    } else {
                        message = queue.pollFirst();
                    }
                }
                if (message == null) { // completed and empty
                    for (Inner<T> s : subs) {
                        s.complete();
                    }
                    break;
                }
                for (Inner<T> s : subs) {
                    s.next(message);
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

        private final MessageBuffer<T> parent;
        private final CoreSubscriber<? super T> actual;
        volatile long requested;
        volatile boolean cancelled;

        Inner(MessageBuffer<T> parent, CoreSubscriber<? super T> actual) {
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
