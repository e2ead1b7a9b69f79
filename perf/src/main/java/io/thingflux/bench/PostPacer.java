package io.thingflux.bench;

import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.function.Function;

/**
 * Drives a run's absolute schedule from one thread: starts each device's connect at its ramp time,
 * hands the devices their due post slots in the order of their next due time (a priority queue, so
 * the cost is {@code O(log devices)} per device and wake-up, not a scan per tick; a device gets all
 * its slots due by then in one step, so a device posting faster than the pacer wakes costs no
 * more), and fires the downlinks at their rate. The run lasts until the end of posting even when
 * nothing falls due before it (an interval longer than the duration is a connection-only run: the
 * devices connect and hold). It reads no clock: the caller passes the time to {@link #runDue},
 * which makes it testable on virtual time.
 */
final class PostPacer {

    /**
     * How long the pacer may leave a device alone that is at least this far behind its schedule:
     * held slots leave as its posts complete, so waking for each new slot would only count it (a
     * device posting every few microseconds at saturation would otherwise wake the pacer as often
     * as the timer allows).
     */
    static final long CATCH_UP_NANOS = 1_000_000;

    private final List<SimulatedDevice> devices;
    private final Function<SimulatedDevice, BenchDevice> connector;
    private final long postsEndNanos;
    private final PriorityQueue<SimulatedDevice> slots =
            new PriorityQueue<>(Comparator.comparingLong((SimulatedDevice d) -> d.pacerDueNanos));
    private int nextConnect;

    /** Whether {@link #runDue} was called at or after the end of posting. */
    private boolean ended;

    private final long downlinkStartNanos;
    private final double downlinkGapNanos;
    private final DownlinkFirer downlinkSender;
    private long nextDownlink;

    /**
     * @param devices in connect order, each with its connect time set
     * @param connector makes the client device of a simulated device when its connect is due
     * @param postsEndNanos slots due at or after this are not sent: the posting phase is over
     * @param downlinkRate downlinks per second, 0 for none
     * @param downlinkStartNanos when the first downlink is due
     * @param downlinkSender sends each downlink when it is due
     */
    PostPacer(
            List<SimulatedDevice> devices,
            Function<SimulatedDevice, BenchDevice> connector,
            long postsEndNanos,
            double downlinkRate,
            long downlinkStartNanos,
            DownlinkFirer downlinkSender) {
        this.devices = devices;
        this.connector = connector;
        this.postsEndNanos = postsEndNanos;
        this.slots.addAll(devices);
        this.downlinkGapNanos = downlinkRate > 0 ? 1e9 / downlinkRate : 0;
        this.downlinkStartNanos = downlinkStartNanos;
        this.downlinkSender = downlinkSender;
    }

    /**
     * Runs everything due at or before {@code now}: connects, then post slots in time order, then
     * downlinks.
     *
     * @return when the next thing is due (at the latest the end of posting), or {@link
     *     Long#MAX_VALUE} once {@code now} reached the end of posting and nothing is left
     */
    long runDue(long now) {
        if (now >= postsEndNanos) {
            ended = true;
        }
        while (nextConnect < devices.size() && devices.get(nextConnect).connectAtNanos <= now) {
            SimulatedDevice d = devices.get(nextConnect++);
            d.startConnect(connector.apply(d));
        }
        while (!slots.isEmpty() && slots.peek().pacerDueNanos <= now) {
            SimulatedDevice d = slots.poll();
            if (d.pacerDueNanos >= postsEndNanos) {
                continue; // its schedule is over
            }
            // every slot of this device due by now (and before the end of posting), in one step
            long last = Math.min(now, postsEndNanos - 1);
            long firstDue = d.slotTime(d.pacerSlot);
            long count = last < firstDue ? 0 : (last - firstDue) / d.intervalNanos() + 1;
            long backlog = d.slotsDue(now, count);
            if (backlog >= 0) {
                d.pacerSlot += count;
                d.pacerDueNanos = d.slotTime(d.pacerSlot);
                if (backlog * d.intervalNanos() >= CATCH_UP_NANOS) {
                    // far behind its schedule (its window is the limit): its completions release
                    // the held slots, so the pacer only has to count the new ones, which it does in
                    // one step when it looks again
                    d.pacerDueNanos =
                            Math.max(
                                    d.pacerDueNanos,
                                    Math.min(now + CATCH_UP_NANOS, postsEndNanos - 1));
                }
                slots.add(d);
            }
        }
        while (downlinkGapNanos > 0
                && downlinkTime(nextDownlink) <= now
                && downlinkTime(nextDownlink) < postsEndNanos) {
            downlinkSender.fire(nextDownlink, downlinkTime(nextDownlink));
            nextDownlink++;
        }
        return nextDue();
    }

    private long downlinkTime(long k) {
        return downlinkStartNanos + (long) (k * downlinkGapNanos);
    }

    /**
     * When the next thing is due: a connect, a post slot, a downlink, or else the end of posting,
     * which the run waits for; {@link Long#MAX_VALUE} once the end was reached and nothing is left.
     */
    long nextDue() {
        long next = ended ? Long.MAX_VALUE : postsEndNanos;
        if (nextConnect < devices.size()) {
            next = Math.min(next, devices.get(nextConnect).connectAtNanos);
        }
        while (!slots.isEmpty() && slots.peek().pacerDueNanos >= postsEndNanos) {
            slots.poll();
        }
        if (!slots.isEmpty()) {
            next = Math.min(next, slots.peek().pacerDueNanos);
        }
        if (downlinkGapNanos > 0 && downlinkTime(nextDownlink) < postsEndNanos) {
            next = Math.min(next, downlinkTime(nextDownlink));
        }
        return next;
    }

    /** Sends downlink number {@code k}, scheduled at {@code scheduledNanos}. */
    @FunctionalInterface
    interface DownlinkFirer {
        void fire(long k, long scheduledNanos);
    }

    /** Connects started so far. */
    int connectsStarted() {
        return nextConnect;
    }
}
