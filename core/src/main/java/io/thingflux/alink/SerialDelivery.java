package io.thingflux.alink;

import java.util.Queue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import reactor.core.publisher.Operators;
import reactor.core.scheduler.Scheduler;
import reactor.util.concurrent.Queues;
import reactor.util.context.Context;

/**
 * Runs a device's result signals on its scheduler, in submission order, one at a time: a task is queued and
 * the scheduler is asked to drain only when no drain is under way, so a burst of replies read in one go
 * costs one hand-off to the scheduler instead of one per reply (Reactor's {@code publishOn} works the same
 * way). The queue holds at most one task per waiting request, so it is bounded by
 * {@link AliyunDeviceOptions#maxPendingRequests()}. When the scheduler refuses (it was disposed), the task
 * runs on the caller's thread: an answer must not be lost.
 */
final class SerialDelivery implements Runnable {

    private static final AtomicIntegerFieldUpdater<SerialDelivery> WIP =
            AtomicIntegerFieldUpdater.newUpdater(SerialDelivery.class, "wip");

    private final Scheduler scheduler;
    private final Queue<Runnable> queue = Queues.<Runnable>unboundedMultiproducer().get();
    private volatile int wip;

    SerialDelivery(Scheduler scheduler) {
        this.scheduler = scheduler;
    }

    /** Runs {@code task} on the scheduler after the tasks submitted before it. */
    void execute(Runnable task) {
        queue.offer(task);
        if (WIP.getAndIncrement(this) != 0) {
            return; // the drain under way takes it
        }
        try {
            scheduler.schedule(this);
        } catch (RejectedExecutionException rejected) {
            run();
        }
    }

    @Override
    public void run() {
        int missed = 1;
        for (;;) {
            Runnable task;
            while ((task = queue.poll()) != null) {
                try {
                    task.run();
                } catch (Throwable t) {
                    // a subscriber that throws must not stop the signals of the other requests
                    Operators.onErrorDropped(t, Context.empty());
                }
            }
            missed = WIP.addAndGet(this, -missed);
            if (missed == 0) {
                return;
            }
        }
    }
}
