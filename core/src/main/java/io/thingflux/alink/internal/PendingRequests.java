package io.thingflux.alink.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;
import java.util.function.Predicate;
import java.util.function.Supplier;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.scheduler.Scheduler;

/**
 * The requests of one device that await their answer: gives each an id (1..{@value #MAX_ID},
 * wrapping to 1 and skipping ids still waiting), refuses one beyond the bound before it is sent,
 * settles each with the answer carrying its id, times it out, and forgets it on cancel, send error,
 * timeout or {@link #close}.
 *
 * <p>Each subscription to {@link #request} registers one entry and sends once. Whichever comes
 * first settles it: the answer ({@link #complete}, {@link #completeEach}), the timeout ({@code
 * Mono.timeout} on the given timer), an error of the send, a cancel, or {@link #close}; the others
 * then find nothing to do. A timeout, a cancel and {@code close} also cancel the send, so a request
 * still queued in the link is not sent later. The answer is signalled on the thread that settles it
 * (the link's I/O thread), a timeout on the timer's. The timeout counts until the answer is
 * emitted: one held for a subscriber that has not requested it yet may still time out.
 *
 * @param <T> what a request waits for, checked by the answer that settles it (e.g. its reply topic)
 * @param <A> the answer
 */
public final class PendingRequests<T, A> {

    /** The largest id; the counter wraps to 1 after it. */
    public static final long MAX_ID = 4_294_967_295L;

    private final int limit;
    private final Duration timeout;
    private final Scheduler timer;
    private final Supplier<? extends Throwable> whenFull;

    // guarded by this
    private final Map<Long, Entry<T, A>> waiting = new HashMap<>();
    private long lastId;
    private Supplier<? extends Throwable> closed;

    /**
     * @param limit how many may wait at once
     * @param timeout how long each waits for its answer
     * @param timer where timeouts run (e.g. {@code Schedulers.parallel()}, shared by every device)
     * @param whenFull the error of a request beyond {@code limit}
     */
    public PendingRequests(
            int limit, Duration timeout, Scheduler timer, Supplier<? extends Throwable> whenFull) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1, was " + limit);
        }
        this.limit = limit;
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.timer = Objects.requireNonNull(timer, "timer");
        this.whenFull = Objects.requireNonNull(whenFull, "whenFull");
    }

    /**
     * A request awaiting the answer to {@code tag}: each subscription takes an id, sends with
     * {@code send(id)} and emits the answer, or fails with {@code whenFull} (nothing sent), the
     * send's error, the close reason, or {@code timeoutError(id)} when no answer came within the
     * timeout.
     */
    public Mono<A> request(
            T tag,
            LongFunction<? extends Mono<Void>> send,
            LongFunction<? extends Throwable> timeoutError) {
        Objects.requireNonNull(tag, "tag");
        Objects.requireNonNull(send, "send");
        Objects.requireNonNull(timeoutError, "timeoutError");
        return Mono.defer(
                () -> {
                    AtomicLong id = new AtomicLong();
                    return Mono.<A>create(sink -> register(tag, sink, send, id))
                            .timeout(
                                    timeout,
                                    Mono.defer(() -> Mono.error(timeoutError.apply(id.get()))),
                                    timer);
                });
    }

    private void register(
            T tag, MonoSink<A> sink, LongFunction<? extends Mono<Void>> send, AtomicLong idOut) {
        Entry<T, A> e = null;
        Throwable refusal = null;
        synchronized (this) {
            if (closed != null) {
                refusal = closed.get();
            } else if (waiting.size() >= limit) {
                refusal = whenFull.get();
            } else {
                e = new Entry<>(nextFreeId(), tag, sink);
                waiting.put(e.id, e);
            }
        }
        if (e == null) {
            sink.error(refusal);
            return;
        }
        idOut.set(e.id);
        Entry<T, A> entry = e;
        sink.onCancel(
                () -> {
                    forget(entry);
                    entry.sending.dispose();
                });
        Mono<Void> sending;
        try {
            sending = send.apply(entry.id);
        } catch (RuntimeException ex) {
            if (forget(entry)) {
                sink.error(ex);
            }
            return;
        }
        entry.sending.update(
                sending.subscribe(
                        null,
                        ex -> {
                            if (forget(entry)) {
                                sink.error(ex);
                            }
                        }));
    }

    private long nextFreeId() {
        // guarded by this; terminates: fewer than MAX_ID ids wait
        do {
            lastId = lastId >= MAX_ID ? 1 : lastId + 1;
        } while (waiting.containsKey(lastId));
        return lastId;
    }

    private synchronized boolean forget(Entry<T, A> e) {
        return waiting.remove(e.id, e);
    }

    /**
     * Settles the request waiting with {@code id} with {@code answer}, if its tag {@code accepts}.
     *
     * @return whether a request took the answer
     */
    public boolean complete(long id, Predicate<? super T> accepts, A answer) {
        Entry<T, A> e;
        synchronized (this) {
            e = waiting.get(id);
            if (e == null || !accepts.test(e.tag)) {
                return false;
            }
            waiting.remove(id);
        }
        e.sink.success(answer);
        return true;
    }

    /**
     * Settles every waiting request whose tag {@code accepts} with {@code answer} (walking all of
     * them: for rare answers that carry no id, such as NTP responses).
     *
     * @return how many requests took the answer
     */
    public int completeEach(Predicate<? super T> accepts, A answer) {
        List<Entry<T, A>> settled = new ArrayList<>(1);
        synchronized (this) {
            for (Iterator<Entry<T, A>> it = waiting.values().iterator(); it.hasNext(); ) {
                Entry<T, A> e = it.next();
                if (accepts.test(e.tag)) {
                    it.remove();
                    settled.add(e);
                }
            }
        }
        settled.forEach(e -> e.sink.success(answer));
        return settled.size();
    }

    /**
     * Fails every waiting request with {@code reason.get()}, cancelling its send, and refuses later
     * ones with it. Only the first call counts.
     */
    public void close(Supplier<? extends Throwable> reason) {
        List<Entry<T, A>> all;
        synchronized (this) {
            if (closed != null) {
                return;
            }
            closed = Objects.requireNonNull(reason, "reason");
            all = new ArrayList<>(waiting.values());
            waiting.clear();
        }
        for (Entry<T, A> e : all) {
            e.sending.dispose();
            e.sink.error(reason.get());
        }
    }

    /** How many requests wait now. */
    public synchronized int size() {
        return waiting.size();
    }

    /** Sets the id counter, so that a test reaches its wrap without four billion requests. */
    public synchronized void lastIdForTesting(long id) {
        lastId = id;
    }

    private static final class Entry<T, A> {
        final long id;
        final T tag;
        final MonoSink<A> sink;
        final Disposable.Swap sending = Disposables.swap();

        Entry(long id, T tag, MonoSink<A> sink) {
            this.id = id;
            this.tag = tag;
            this.sink = sink;
        }
    }
}
