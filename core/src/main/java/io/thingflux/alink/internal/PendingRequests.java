package io.thingflux.alink.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
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
 * first settles it: the answer ({@link #complete}, {@link #completeEach}), the timeout, an error of
 * the send, a cancel, or {@link #close}; the others then find nothing to do. A timeout, a cancel
 * and {@code close} also cancel the send, so a request still queued in the link is not sent later.
 * The answer is signalled on the thread that settles it (the link's I/O thread), a timeout on the
 * timer's. The timeout counts until the answer is emitted: one held for a subscriber that has not
 * requested it yet may still time out.
 *
 * <p>Timeouts: every request waits the same time, so the order the requests were made in is the
 * order they expire in. They wait in one insertion-ordered map, and one task on the timer, armed at
 * the oldest request's deadline, fails those past it and re-arms at the next one: a request costs
 * no task of its own (scheduling and cancelling one per request was a fifth of a device's time
 * posting QoS 1 as fast as it could).
 *
 * @param <T> what a request waits for, checked by the answer that settles it (e.g. its reply topic)
 * @param <A> the answer
 */
public final class PendingRequests<T, A> {

    /** The largest id; the counter wraps to 1 after it. */
    public static final long MAX_ID = 4_294_967_295L;

    private final int limit;
    private final long timeoutNanos;
    private final Scheduler timer;
    private final IntFunction<? extends Throwable> whenFull;

    // guarded by this; in the order the requests were made, which is their deadlines' order;
    // allocated at the first request
    private LinkedHashMap<Long, Entry<T, A>> waiting;
    private boolean timerArmed;
    private long lastId;
    private Supplier<? extends Throwable> closed;

    /**
     * @param limit how many may wait at once
     * @param timeout how long each waits for its answer
     * @param timer where timeouts run and what tells the time (e.g. {@code Schedulers.parallel()},
     *     shared by every device)
     * @param whenFull the error of a request beyond {@code limit}, given the limit
     */
    public PendingRequests(
            int limit,
            Duration timeout,
            Scheduler timer,
            IntFunction<? extends Throwable> whenFull) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1, was " + limit);
        }
        this.limit = limit;
        this.timeoutNanos = Objects.requireNonNull(timeout, "timeout").toNanos();
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
        return Mono.create(sink -> register(tag, sink, send, timeoutError));
    }

    private void register(
            T tag,
            MonoSink<A> sink,
            LongFunction<? extends Mono<Void>> send,
            LongFunction<? extends Throwable> timeoutError) {
        Entry<T, A> e = null;
        Throwable refusal = null;
        boolean arm = false;
        long deadline = timer.now(TimeUnit.NANOSECONDS) + timeoutNanos;
        synchronized (this) {
            if (closed != null) {
                refusal = closed.get();
            } else if (waiting != null && waiting.size() >= limit) {
                refusal = whenFull.apply(limit);
            } else {
                if (waiting == null) {
                    waiting = new LinkedHashMap<>(4); // most devices wait for one or two
                }
                e = new Entry<>(nextFreeId(), tag, sink, timeoutError, deadline);
                waiting.put(e.id, e);
                arm = !timerArmed;
                timerArmed = true;
            }
        }
        if (e == null) {
            sink.error(refusal);
            return;
        }
        if (arm) {
            armTimer(timeoutNanos);
        }
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

    private void armTimer(long delayNanos) {
        try {
            timer.schedule(this::expire, delayNanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // the timer is shut down (the application is ending): the requests wait until closed
            synchronized (this) {
                timerArmed = false;
            }
        }
    }

    /** The timer's task: fails the requests past their deadline, re-arms for the next one. */
    private void expire() {
        List<Entry<T, A>> expired = new ArrayList<>(1);
        long next = -1;
        synchronized (this) {
            long now = timer.now(TimeUnit.NANOSECONDS);
            if (waiting != null) {
                for (Iterator<Entry<T, A>> it = waiting.values().iterator(); it.hasNext(); ) {
                    Entry<T, A> e = it.next();
                    if (e.deadline - now > 0) {
                        next = e.deadline - now;
                        break;
                    }
                    it.remove();
                    expired.add(e);
                }
            }
            timerArmed = next >= 0;
        }
        if (next >= 0) {
            armTimer(next);
        }
        for (Entry<T, A> e : expired) {
            e.sending.dispose();
            e.sink.error(e.timeoutError.apply(e.id));
        }
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
            e = waiting == null ? null : waiting.get(id);
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
            if (waiting == null) {
                return 0;
            }
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
            if (waiting == null) {
                return;
            }
            all = new ArrayList<>(waiting.values());
            waiting.clear();
        }
        for (Entry<T, A> e : all) {
            e.sending.dispose();
            e.sink.error(reason.get());
        }
    }

    /**
     * Fails every waiting request with {@code reason.get()}, cancelling its send, but takes later
     * ones (e.g. a sub-device whose gateway link dropped and will come back).
     */
    public void failAll(Supplier<? extends Throwable> reason) {
        List<Entry<T, A>> all;
        synchronized (this) {
            if (waiting == null || waiting.isEmpty()) {
                return;
            }
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
        return waiting == null ? 0 : waiting.size();
    }

    /** Sets the id counter, so that a test reaches its wrap without four billion requests. */
    public synchronized void lastIdForTesting(long id) {
        lastId = id;
    }

    private static final class Entry<T, A> {
        final long id;
        final T tag;
        final MonoSink<A> sink;
        final LongFunction<? extends Throwable> timeoutError;
        final long deadline;
        final Disposable.Swap sending = Disposables.swap();

        Entry(
                long id,
                T tag,
                MonoSink<A> sink,
                LongFunction<? extends Throwable> timeoutError,
                long deadline) {
            this.id = id;
            this.tag = tag;
            this.sink = sink;
            this.timeoutError = timeoutError;
            this.deadline = deadline;
        }
    }
}
