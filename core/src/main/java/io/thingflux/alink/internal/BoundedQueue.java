package io.thingflux.alink.internal;

import java.util.AbstractQueue;
import java.util.Iterator;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.util.concurrent.Queues;

/**
 * A single-producer, single-consumer queue that holds at most a given number of elements and takes
 * memory only for those it holds: {@link #offer} refuses one more (returns false), which a unicast
 * {@code Sinks.Many} reports as {@code FAIL_OVERFLOW}.
 *
 * <p>It exists for the device's incoming messages: Reactor's bounded queues allocate their whole
 * capacity up front (an array of 1,024 slots per device for the default bound), its linked queue
 * grows in small chunks but has no bound. This one is Reactor's linked queue with a count in front.
 *
 * @param <E> the element type
 */
public final class BoundedQueue<E> extends AbstractQueue<E> {

    /** Slots per chunk of the linked queue underneath. */
    private static final int CHUNK = 8;

    private final Queue<E> queue = Queues.<E>unbounded(CHUNK).get();
    private final AtomicInteger size = new AtomicInteger();
    private final int capacity;

    /**
     * @param capacity how many elements it holds at most, at least 1
     */
    public BoundedQueue(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, was " + capacity);
        }
        this.capacity = capacity;
    }

    /** Adds {@code e} unless the queue is full. Called by the one producer. */
    @Override
    public boolean offer(E e) {
        if (size.incrementAndGet() > capacity) {
            size.decrementAndGet();
            return false;
        }
        return queue.offer(e);
    }

    /** Takes the oldest element, or null. Called by the one consumer. */
    @Override
    public E poll() {
        E e = queue.poll();
        if (e != null) {
            size.decrementAndGet();
        }
        return e;
    }

    @Override
    public E peek() {
        return queue.peek();
    }

    @Override
    public int size() {
        return size.get();
    }

    @Override
    public boolean isEmpty() {
        return queue.isEmpty();
    }

    @Override
    public void clear() {
        while (poll() != null) {
            // drained one by one so the count follows
        }
    }

    /** Not supported: the queue is only offered to and polled. */
    @Override
    public Iterator<E> iterator() {
        throw new UnsupportedOperationException("BoundedQueue is only offered to and polled");
    }
}
