package io.thingflux.bench;

import io.thingflux.aliyun.AliyunDeviceIdentity;
import java.util.Map;

/**
 * The bench's side of one simulated device: its absolute post schedule, its inflight window and the
 * measurements of its connect and posts. Its first post is due one interval plus its phase after
 * its connect time ({@code firstPostNanos = connectAtNanos + interval + phase}, the phase spreading
 * a fleet's posts over the interval, see {@link BenchRun}), and slot {@code n} at {@code
 * firstPostNanos + n * interval}, whatever happened before, so a slow post never shifts the later
 * ones (no drift). A slot that cannot leave when it is due, because the window is full, the device
 * is not connected yet, or the pacer reached it more than the slack late, counts as an overrun
 * (emqtt-bench's {@code pub_overrun}); held slots leave as soon as the window opens, and every
 * latency is measured from the slot's scheduled time, so a backlog shows in the latency instead of
 * being hidden (no coordinated omission).
 *
 * <p>The pacer thread calls {@link #slotsDue}; completions arrive on the client's threads. The
 * window state is guarded by this object's monitor; posts are sent outside it.
 */
final class SimulatedDevice {

    enum State {
        IDLE,
        CONNECTING,
        CONNECTED,
        FAILED,
        CLOSED
    }

    final int index;
    final AliyunDeviceIdentity identity;
    final long connectAtNanos;
    final long firstPostNanos;
    private final RunContext context;

    /** The pacer's next slot and when it is due; touched by the pacer thread only. */
    long pacerSlot;

    long pacerDueNanos;

    private BenchDevice device;
    private State state = State.IDLE;
    private long dueSlots;
    private long sentSlots;
    private int inflight;

    /**
     * @param connectAtNanos when its connect is due
     * @param phaseNanos how much later than one interval after the connect time its first post is
     *     due, {@code 0 <= phase < interval}
     */
    SimulatedDevice(
            int index,
            AliyunDeviceIdentity identity,
            long connectAtNanos,
            long phaseNanos,
            RunContext context) {
        if (phaseNanos < 0 || phaseNanos >= context.intervalNanos) {
            throw new IllegalArgumentException("phase " + phaseNanos + " ns outside [0, interval)");
        }
        this.index = index;
        this.identity = identity;
        this.connectAtNanos = connectAtNanos;
        this.firstPostNanos = connectAtNanos + context.intervalNanos + phaseNanos;
        this.context = context;
        this.pacerDueNanos = firstPostNanos;
    }

    long intervalNanos() {
        return context.intervalNanos;
    }

    long slotTime(long slot) {
        return firstPostNanos + slot * context.intervalNanos;
    }

    synchronized State state() {
        return state;
    }

    synchronized int inflight() {
        return inflight;
    }

    /** Slots that came due but have not left yet. */
    synchronized long backlog() {
        return dueSlots - sentSlots;
    }

    BenchDevice device() {
        return device;
    }

    /**
     * Starts connecting through {@code benchDevice}; the connect latency runs from {@link
     * #connectAtNanos}.
     */
    void startConnect(BenchDevice benchDevice) {
        synchronized (this) {
            if (state != State.IDLE) {
                return;
            }
            this.device = benchDevice;
            state = State.CONNECTING;
        }
        context.metrics.connectStarted();
        benchDevice.connect().whenComplete((v, error) -> onConnectDone(error));
    }

    private void onConnectDone(Throwable error) {
        long now = context.clock.nanoTime();
        long first;
        int count;
        synchronized (this) {
            if (state != State.CONNECTING) {
                return; // closed at the end of the run and counted then
            }
            // counted under the monitor, so a device's state and the counts never disagree
            if (error != null) {
                state = State.FAILED;
                context.metrics.connectFailed(error);
                return;
            }
            state = State.CONNECTED;
            context.metrics.connectSucceeded(now - connectAtNanos, now);
            count = releasable();
            first = sentSlots;
            sentSlots += count;
            inflight += count;
        }
        for (int i = 0; i < count; i++) {
            send(first + i);
        }
    }

    /** How many held slots may leave now; caller holds the monitor. */
    private int releasable() {
        if (state != State.CONNECTED || context.stopped) {
            return 0;
        }
        return (int) Math.min(dueSlots - sentSlots, context.inflightLimit - inflight);
    }

    /**
     * The pacer reached this device's next {@code count} slots at {@code now}: those the window
     * allows leave, the rest are held. Either way a slot that does not leave on time is an overrun.
     * The same as reaching them one by one at {@code now}, but with one turn of the monitor: a
     * device whose posts fall due faster than its window drains (a saturation run) costs the pacer
     * one step per wake-up, not one per slot, and the pacer contends less with the client threads
     * completing posts.
     *
     * @return the slots held after this (due, not sent), or -1 once the device failed or closed: it
     *     posts no more
     */
    long slotsDue(long now, long count) {
        long first;
        int send;
        long backlog;
        synchronized (this) {
            if (state == State.FAILED || state == State.CLOSED) {
                return -1;
            }
            first = dueSlots;
            dueSlots += count;
            // one by one, a slot leaves if connected, the window has room and no older slot is
            // held; so the first ones leave while the window has room, and none after the first
            // held one
            send =
                    state == State.CONNECTED && sentSlots == first
                            ? (int) Math.min(count, Math.max(0, context.inflightLimit - inflight))
                            : 0;
            sentSlots += send;
            inflight += send;
            backlog = dueSlots - sentSlots;
        }
        long overruns = count - send;
        for (int i = 0; i < send && now - slotTime(first + i) > context.overrunSlackNanos; i++) {
            overruns++; // left, but late: the oldest ones are the late ones
        }
        if (overruns > 0) {
            context.metrics.overruns(overruns);
        }
        for (int i = 0; i < send; i++) {
            send(first + i);
        }
        return backlog;
    }

    private void send(long slot) {
        context.metrics.postSent();
        device.postProperties(context.paramsSource.get())
                .whenComplete((v, error) -> onPostDone(slot, error));
    }

    private void onPostDone(long slot, Throwable error) {
        long now = context.clock.nanoTime();
        if (error == null) {
            context.metrics.postAcked(now - slotTime(slot));
        } else {
            context.metrics.postFailed(error);
        }
        long next;
        synchronized (this) {
            inflight--;
            if (releasable() > 0) {
                next = sentSlots++;
                inflight++;
            } else {
                next = -1;
            }
        }
        if (next >= 0) {
            send(next);
        }
    }

    /**
     * Marks the device closed; it posts no more. A connect still under way counts as failed ({@code
     * connect_unfinished_at_end}), so every device started ends up connected or failed.
     *
     * @return its client device to disconnect, or {@code null} if it never started connecting
     */
    BenchDevice close() {
        boolean unfinished;
        BenchDevice toClose;
        synchronized (this) {
            unfinished = state == State.CONNECTING;
            toClose = unfinished || state == State.CONNECTED ? device : null;
            state = State.CLOSED;
            if (unfinished) {
                context.metrics.connectFailed(
                        new PostFailedException(
                                "connect_unfinished_at_end",
                                "the run ended before the connect completed"));
            }
        }
        return toClose;
    }

    /** What every device of a run shares. */
    static final class RunContext {
        final BenchClock clock;
        final BenchMetrics metrics;
        final long intervalNanos;
        final int inflightLimit;
        final long overrunSlackNanos;
        final Map<String, ?> params;

        /** Where each post's params come from: {@link #params} unless a run gives its own. */
        final java.util.function.Supplier<? extends Map<String, ?>> paramsSource;

        /** Set when posting ends: held slots no longer leave. */
        volatile boolean stopped;

        RunContext(
                BenchClock clock,
                BenchMetrics metrics,
                long intervalNanos,
                int inflightLimit,
                long overrunSlackNanos,
                Map<String, ?> params) {
            this.clock = clock;
            this.metrics = metrics;
            this.intervalNanos = intervalNanos;
            this.inflightLimit = inflightLimit;
            this.overrunSlackNanos = overrunSlackNanos;
            this.params = params;
            this.paramsSource = () -> params;
        }

        /** As the other constructor, each post's params drawn from {@code paramsSource}. */
        RunContext(
                BenchClock clock,
                BenchMetrics metrics,
                long intervalNanos,
                int inflightLimit,
                long overrunSlackNanos,
                java.util.function.Supplier<? extends Map<String, ?>> paramsSource) {
            this.clock = clock;
            this.metrics = metrics;
            this.intervalNanos = intervalNanos;
            this.inflightLimit = inflightLimit;
            this.overrunSlackNanos = overrunSlackNanos;
            this.params = Map.of();
            this.paramsSource = paramsSource;
        }
    }
}
