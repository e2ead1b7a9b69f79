package io.thingflux.alink;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import reactor.core.publisher.Operators;
import reactor.core.scheduler.Scheduler;
import reactor.util.context.Context;

/**
 * Runs a device's result signals on its scheduler, in submission order, one at a time: a task is queued and
 * the scheduler is asked to drain only when no drain is under way, so a burst of replies read in one go
 * costs one hand-off to the scheduler instead of one per reply (Reactor's {@code publishOn} works the same
 * way). The queue is intrusive: a {@link Task} links to the next one itself, so queueing allocates nothing and
 * an idle device holds no queue. A task is queued at most once at a time (executing it again while it waits
 * does nothing), so the queue is bounded by the tasks that exist: one per waiting request, at most
 * {@link AliyunDeviceOptions#maxPendingRequests()}. When the scheduler refuses (it was disposed), the task
 * runs on the caller's thread: an answer must not be lost.
 */
final class SerialDelivery implements Runnable {

    /** Something to run, which carries its own link in the queue. */
    abstract static class Task implements Runnable {
        /** The next task in the queue; guarded by the queue's monitor. */
        private Task next;
        /** Whether it waits in a queue now; guarded by the queue's monitor. */
        private boolean queued;
    }

    private static final AtomicIntegerFieldUpdater<SerialDelivery> WIP =
            AtomicIntegerFieldUpdater.newUpdater(SerialDelivery.class, "wip");

    private final Scheduler scheduler;
    // guarded by this
    private Task head;
    private Task tail;
    private volatile int wip;

    SerialDelivery(Scheduler scheduler) {
        this.scheduler = scheduler;
    }

    /** Runs {@code task} on the scheduler after the tasks submitted before it, unless it waits already. */
    void execute(Task task) {
        synchronized (this) {
            if (task.queued) {
                return; // it runs once, with what it knows then
            }
            task.queued = true;
            if (tail == null) {
                head = task;
            } else {
                tail.next = task;
            }
            tail = task;
        }
        if (WIP.getAndIncrement(this) != 0) {
            return; // the drain under way takes it
        }
        try {
            scheduler.schedule(this);
        } catch (RejectedExecutionException rejected) {
            run();
        }
    }

    private synchronized Task poll() {
        Task t = head;
        if (t != null) {
            head = t.next;
            if (head == null) {
                tail = null;
            }
            t.next = null;
            t.queued = false;
        }
        return t;
    }

    @Override
    public void run() {
        int missed = 1;
        for (;;) {
            Task task;
            while ((task = poll()) != null) {
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
