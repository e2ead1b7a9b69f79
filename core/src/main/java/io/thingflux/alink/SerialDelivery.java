package io.thingflux.alink;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;
import reactor.core.publisher.Operators;
import reactor.core.scheduler.Scheduler;
import reactor.util.context.Context;

/**
 * Runs a device's result signals and the drain of its {@code messages()} on its scheduler, in submission
 * order, one at a time: a task is queued and the scheduler is asked to drain only when no drain is under way,
 * so a burst of replies read in one go costs one hand-off to the scheduler instead of one per reply and one
 * per stream (Reactor's {@code publishOn} works the same way). The queue is intrusive and lock-free: a {@link Task} links to the next one itself, producers push it
 * on a stack with one compare-and-set, and the drain takes the whole stack at once and runs it oldest first;
 * so queueing allocates nothing, takes no lock (the link's I/O thread never waits for the scheduler's), and an
 * idle device holds no queue. A task is queued at most once at a time (executing it again while it waits
 * does nothing), so the queue is bounded by the tasks that exist: one per waiting request, at most
 * {@link AliyunDeviceOptions#maxPendingRequests()}, and the drain of {@code messages()}. When the scheduler refuses (it was disposed), the task
 * runs on the caller's thread: an answer must not be lost.
 */
final class SerialDelivery implements Runnable {

    /** Something to run, which carries its own link in the queue. */
    abstract static class Task implements Runnable {
        @SuppressWarnings("rawtypes")
        private static final AtomicIntegerFieldUpdater<Task> QUEUED =
                AtomicIntegerFieldUpdater.newUpdater(Task.class, "queued");

        /** The task pushed before it (in the stack), then the one to run after it (in a taken batch). */
        private Task next;
        /** 1 while it waits in a queue. */
        private volatile int queued;
    }

    private static final AtomicIntegerFieldUpdater<SerialDelivery> WIP =
            AtomicIntegerFieldUpdater.newUpdater(SerialDelivery.class, "wip");
    private static final AtomicReferenceFieldUpdater<SerialDelivery, Task> TOP =
            AtomicReferenceFieldUpdater.newUpdater(SerialDelivery.class, Task.class, "top");

    private final Scheduler scheduler;
    /** The newest task waiting, linked to the older ones; null when none waits. */
    private volatile Task top;
    private volatile int wip;

    SerialDelivery(Scheduler scheduler) {
        this.scheduler = scheduler;
    }

    /** Runs {@code task} on the scheduler after the tasks submitted before it, unless it waits already. */
    void execute(Task task) {
        if (!Task.QUEUED.compareAndSet(task, 0, 1)) {
            return; // it runs once, with what it knows then
        }
        Task t;
        do {
            t = top;
            task.next = t;
        } while (!TOP.compareAndSet(this, t, task));
        if (WIP.getAndIncrement(this) != 0) {
            return; // the drain under way takes it
        }
        try {
            scheduler.schedule(this);
        } catch (RejectedExecutionException rejected) {
            run();
        }
    }

    /** Takes every waiting task, oldest first. */
    private Task takeAll() {
        Task t = TOP.getAndSet(this, null);
        Task oldestFirst = null;
        while (t != null) {
            Task older = t.next;
            t.next = oldestFirst;
            oldestFirst = t;
            t = older;
        }
        return oldestFirst;
    }

    @Override
    public void run() {
        int missed = 1;
        for (;;) {
            Task task = takeAll();
            while (task != null) {
                Task after = task.next;
                task.next = null;
                Task.QUEUED.set(task, 0); // executed again from now on, it runs again (runs are idempotent)
                try {
                    task.run();
                } catch (Throwable t) {
                    // a subscriber that throws must not stop the signals of the other requests
                    Operators.onErrorDropped(t, Context.empty());
                }
                task = after;
            }
            missed = WIP.addAndGet(this, -missed);
            if (missed == 0) {
                return;
            }
        }
    }
}
