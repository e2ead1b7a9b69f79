package io.thingflux.netty.client.internal;

import java.util.Queue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Exceptions;
import reactor.core.scheduler.Scheduler;
import reactor.util.concurrent.Queues;

/**
 * Moves the signals of one client to user code (publish results, subscription messages, SUBACKs, ends of
 * streams) off the event loop onto the delivery scheduler, in the order the event loop produced them. A burst of
 * signals costs one scheduler task: the first signal schedules a drain, the ones that follow while it is
 * pending or running join it. Replaces a {@code publishOn} per publish and a scheduler worker per subscriber.
 *
 * <p>Signals are produced on the client's event loop only (single producer) and run one at a time on the
 * scheduler. The queue is unbounded by itself but bounded by what feeds it: the results of at most the
 * in-flight window plus the outbox of publishes, and messages within subscribers' demand (a subscriber that
 * requests {@code Long.MAX_VALUE} opts out of that bound, as with any scheduler hand-off).
 */
final class UserSignals implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(UserSignals.class);
    private static final AtomicIntegerFieldUpdater<UserSignals> WIP =
            AtomicIntegerFieldUpdater.newUpdater(UserSignals.class, "wip");

    private final Scheduler scheduler;
    private final Queue<Runnable> queue = Queues.<Runnable>unbounded(Queues.XS_BUFFER_SIZE).get();
    private volatile int wip;

    UserSignals(Scheduler scheduler) {
        this.scheduler = scheduler;
    }

    /** Runs {@code signal} on the scheduler after the signals before it; called on the event loop. */
    void signal(Runnable signal) {
        queue.offer(signal);
        if (WIP.getAndIncrement(this) == 0) {
            try {
                scheduler.schedule(this);
            } catch (RejectedExecutionException e) {
                LOG.debug("delivery scheduler shut down; signals to user code dropped");
            }
        }
    }

    @Override
    public void run() {
        int missed = 1;
        for (;;) {
            Runnable r;
            while ((r = queue.poll()) != null) {
                try {
                    r.run();
                } catch (Throwable t) {
                    Exceptions.throwIfJvmFatal(t);
                    LOG.warn("a signal to user code threw", t);
                }
            }
            missed = WIP.addAndGet(this, -missed);
            if (missed == 0) {
                return;
            }
        }
    }
}
