package io.thingflux.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.withinPercentage;

import io.thingflux.aliyun.AliyunProducts;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The absolute post schedule and overrun counting, on virtual time: the test moves the clock. */
class PostScheduleTest {

    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    private long now;
    private final BenchMetrics metrics = new BenchMetrics();
    private final ScriptedLoadClient client = new ScriptedLoadClient();
    private final List<long[]> downlinks = new ArrayList<>();
    private SimulatedDevice[] simulated;

    /**
     * Devices connecting every 10 ms from t=0, posting every 100 ms from one interval after it,
     * until {@code endMs}.
     */
    private PostPacer pacer(int devices, int inflight, long endMs) {
        return pacer(devices, inflight, endMs, 100, new long[devices]);
    }

    /**
     * Devices connecting every 10 ms from t=0, posting every {@code intervalMs} with these phases,
     * until {@code endMs}.
     */
    private PostPacer pacer(
            int devices, int inflight, long endMs, long intervalMs, long[] phasesMs) {
        long[] phases = new long[devices];
        for (int j = 0; j < devices; j++) {
            phases[j] = phasesMs[j] * MS;
        }
        return pacerNanos(devices, inflight, endMs * MS, intervalMs * MS, phases);
    }

    private PostPacer pacerNanos(
            int devices, int inflight, long endNanos, long intervalNanos, long[] phasesNanos) {
        SimulatedDevice.RunContext ctx =
                new SimulatedDevice.RunContext(
                        () -> now, metrics, intervalNanos, inflight, 10 * MS, Map.of("k", 1));
        List<SimulatedDevice> list = new ArrayList<>();
        for (int j = 0; j < devices; j++) {
            list.add(
                    new SimulatedDevice(
                            j,
                            AliyunProducts.deriveDevice("a1PK", "ps", "d" + j),
                            j * 10 * MS,
                            phasesNanos[j],
                            ctx));
        }
        simulated = list.toArray(SimulatedDevice[]::new);
        return new PostPacer(
                list, d -> client.device(d.identity, null, p -> {}), endNanos, 0, 0, (k, t) -> {});
    }

    private long at(long ms, PostPacer pacer) {
        now = ms * MS;
        return pacer.runDue(now);
    }

    private org.HdrHistogram.Histogram publish() {
        metrics.sample();
        return metrics.totals()[1];
    }

    private org.HdrHistogram.Histogram connect() {
        metrics.sample();
        return metrics.totals()[0];
    }

    private ScriptedLoadClient.ScriptedDevice device(int i) {
        return client.devices.get(i);
    }

    @Test
    void connectsFollowTheRampAndPostsStartOneIntervalAfterTheirConnect() {
        PostPacer pacer = pacer(3, 1, 10_000);
        assertThat(at(0, pacer)).isEqualTo(10 * MS);
        assertThat(client.devices).hasSize(1);
        assertThat(at(25, pacer))
                .isEqualTo(100 * MS); // device 2 connects at 20 ms; device 0 posts first at 100
        assertThat(client.devices).hasSize(3);
        client.devices.forEach(d -> d.connect.complete(null));
        assertThat(metrics.connectedCount()).isEqualTo(3);
        at(100, pacer);
        assertThat(device(0).posts).hasSize(1);
        assertThat(device(1).posts).isEmpty();
        at(110, pacer);
        assertThat(device(1).posts).hasSize(1);
        assertThat(metrics.overrunCount()).isZero();
    }

    @Test
    void latencyRunsFromTheScheduledTimeAndLateSlotsAreOverrunsWithoutShiftingLaterOnes() {
        PostPacer pacer = pacer(1, 1, 10_000);
        at(0, pacer);
        device(0).connect.complete(null);
        at(100, pacer);
        now = 130 * MS;
        device(0).posts.get(0).complete(null);
        assertThat(publish().getMaxValue())
                .isCloseTo(30000L, withinPercentage(0.5)); // 30 ms from 100 ms

        // the pacer is starved until 450 ms: slot 200 leaves 250 ms late (overrun), slots 300 and
        // 400 find the window full (overruns, held)
        at(450, pacer);
        assertThat(device(0).posts).hasSize(2);
        assertThat(metrics.overrunCount()).isEqualTo(3);

        now = 460 * MS; // the 200 ms post is answered: the held 300 ms slot leaves at once
        device(0).posts.get(1).complete(null);
        assertThat(device(0).posts).hasSize(3);
        now = 470 * MS;
        device(0).posts.get(2).complete(null); // answered 170 ms after ITS scheduled time (300 ms)
        assertThat(device(0).posts).hasSize(4);
        now = 480 * MS;
        device(0).posts.get(3).complete(null); // slot 400, 80 ms after schedule
        assertThat(publish().getMaxValue())
                .isCloseTo(260000L, withinPercentage(0.5)); // slot 200: 460 - 200

        // no drift: the next slot is still due at 500 ms, on time, and is no overrun
        assertThat(pacer.nextDue()).isEqualTo(500 * MS);
        at(500, pacer);
        assertThat(device(0).posts).hasSize(5);
        assertThat(metrics.overrunCount()).isEqualTo(3);
        assertThat(metrics.postsSentCount()).isEqualTo(5);
        assertThat(metrics.postsAckedCount()).isEqualTo(4);
        var h = publish();
        assertThat(h.getTotalCount()).isEqualTo(4);
        assertThat(h.getValueAtPercentile(25)).isCloseTo(30000L, withinPercentage(0.5));
        assertThat(h.getValueAtPercentile(50)).isCloseTo(80000L, withinPercentage(0.5));
        assertThat(h.getValueAtPercentile(75)).isCloseTo(170000L, withinPercentage(0.5));
    }

    @Test
    void aWiderWindowLetsSlotsLeaveOnTimeWhileEarlierPostsAwaitTheirReply() {
        PostPacer pacer = pacer(1, 3, 10_000);
        at(0, pacer);
        device(0).connect.complete(null);
        at(100, pacer);
        at(200, pacer);
        at(300, pacer);
        assertThat(device(0).posts).hasSize(3);
        at(400, pacer); // window of 3 full: held, overrun
        assertThat(device(0).posts).hasSize(3);
        assertThat(metrics.overrunCount()).isEqualTo(1);
        now = 420 * MS;
        device(0).posts.get(0).complete(null);
        assertThat(device(0).posts).hasSize(4);
    }

    @Test
    void slotsReachedTogetherLeaveWhileTheWindowHasRoomAndEachKeepsItsScheduledTime() {
        PostPacer pacer = pacer(1, 3, 10_000);
        at(0, pacer);
        device(0).connect.complete(null);
        at(5, pacer);
        assertThat(device(0).posts).isEmpty();

        // the pacer is starved from 5 ms to 405 ms: slots 100, 200, 300 and 400 are reached in one
        // step; the window of 3 lets the first three leave (100 to 300 more than the 10 ms slack
        // late: overruns), slot 400 is held (overrun); slot 400 leaves on time but for the window,
        // so it counts once
        assertThat(at(405, pacer)).isEqualTo(500 * MS);
        assertThat(device(0).posts).hasSize(3);
        assertThat(metrics.overrunCount()).isEqualTo(4);
        assertThat(simulated[0].backlog()).isEqualTo(1);

        now = 410 * MS;
        device(0).posts.get(0).complete(null); // 310 ms after its slot
        assertThat(device(0).posts).hasSize(4); // the held slot 400 leaves
        device(0).posts.get(1).complete(null); // 210 ms
        device(0).posts.get(2).complete(null); // 110 ms
        device(0)
                .posts
                .get(3)
                .complete(null); // 10 ms: its latency runs from 400 ms, not from when it left
        var h = publish();
        assertThat(h.getTotalCount()).isEqualTo(4);
        assertThat(h.getMinValue()).isCloseTo(10000L, withinPercentage(0.5));
        assertThat(h.getMaxValue()).isCloseTo(310000L, withinPercentage(0.5));

        at(500, pacer); // on time again, with room: no overrun
        assertThat(device(0).posts).hasSize(5);
        assertThat(metrics.overrunCount()).isEqualTo(4);
    }

    @Test
    void
            aDeviceFarBehindItsScheduleIsLeftAloneForAMillisecondWhileItsCompletionsReleaseTheHeldSlots() {
        long us = TimeUnit.MICROSECONDS.toNanos(1);
        PostPacer pacer = pacerNanos(1, 1, 10_000 * MS, 100 * us, new long[1]);
        now = 0;
        pacer.runDue(now);
        device(0).connect.complete(null);
        now = 100 * us;
        assertThat(pacer.runDue(now))
                .isEqualTo(200 * us); // slot 0 leaves; on schedule, the next slot is next
        assertThat(device(0).posts).hasSize(1);

        // post 0 unanswered: slots 1..11 (200..1,200 us) are held, 1.1 ms of backlog: the pacer
        // looks again in 1 ms rather than at the next slot, 1,300 us
        now = 1_200 * us;
        assertThat(pacer.runDue(now)).isEqualTo(1_200 * us + PostPacer.CATCH_UP_NANOS);
        assertThat(metrics.overrunCount()).isEqualTo(11);

        now = 1_500 * us;
        device(0).posts.get(0).complete(null); // the held slot 1 leaves without the pacer
        assertThat(device(0).posts).hasSize(2);

        // when it looks again, the slots due meanwhile (1,300..2,200 us: 10) are counted in one
        // step
        now = 2_200 * us;
        pacer.runDue(now);
        assertThat(metrics.overrunCount()).isEqualTo(21);
        assertThat(simulated[0].backlog()).isEqualTo(20);
        now = 2_300 * us;
        device(0).posts.get(1).complete(null); // slot 1's latency runs from its scheduled 200 us
        assertThat(device(0).posts).hasSize(3);
        assertThat(publish().getMaxValue())
                .isCloseTo(2_100L, withinPercentage(0.5)); // microseconds
    }

    @Test
    void slotsDueBeforeTheConnectCompletedAreHeldAndLeaveOnConnect() {
        PostPacer pacer = pacer(1, 2, 10_000);
        at(0, pacer);
        at(100, pacer);
        at(200, pacer);
        assertThat(device(0).posts).isEmpty();
        assertThat(metrics.overrunCount()).isEqualTo(2);
        now = 250 * MS;
        device(0).connect.complete(null);
        assertThat(device(0).posts).hasSize(2);
        assertThat(connect().getMaxValue()).isCloseTo(250000L, withinPercentage(0.5));
    }

    @Test
    void aDeviceWhoseConnectFailedPostsNothingAndTheFailureIsCountedByReason() {
        PostPacer pacer = pacer(2, 1, 10_000);
        at(10, pacer);
        device(0).connect.completeExceptionally(new java.net.ConnectException("refused"));
        device(1).connect.complete(null);
        at(1000, pacer);
        assertThat(device(0).posts).isEmpty();
        assertThat(metrics.connectFailedCount()).isEqualTo(1);
        assertThat(metrics.errors()).containsEntry("connect_connect", 1L);
        assertThat(device(1).posts).hasSize(1);
    }

    @Test
    void aConnectStillUnderWayWhenTheRunEndsCountsAsFailedOnceEvenIfItCompletesLater() {
        PostPacer pacer = pacer(1, 1, 10_000);
        at(0, pacer);
        SimulatedDevice d = simulated[0];
        assertThat(d.close()).isSameAs(device(0));
        assertThat(metrics.connectFailedCount()).isEqualTo(1);
        assertThat(metrics.errors()).containsEntry("connect_unfinished_at_end", 1L);
        device(0).connect.complete(null);
        assertThat(metrics.connectedCount()).isZero();
        assertThat(metrics.connectFailedCount()).isEqualTo(1);
    }

    @Test
    void failedPostsAreCountedByReasonAndFreeTheWindow() {
        PostPacer pacer = pacer(1, 1, 10_000);
        at(0, pacer);
        device(0).connect.complete(null);
        at(100, pacer);
        device(0)
                .posts
                .get(0)
                .completeExceptionally(new PostFailedException("reply_code_6106", "too many"));
        at(200, pacer);
        device(0).posts.get(1).completeExceptionally(new java.util.concurrent.TimeoutException());
        assertThat(metrics.errors())
                .containsEntry("reply_code_6106", 1L)
                .containsEntry("reply_timeout", 1L);
        assertThat(metrics.postsAckedCount()).isZero();
        at(300, pacer);
        assertThat(device(0).posts).hasSize(3);
    }

    @Test
    void postingStopsAtTheEndOfTheSchedule() {
        PostPacer pacer = pacer(1, 10, 350);
        at(0, pacer);
        device(0).connect.complete(null);
        assertThat(at(1000, pacer)).isEqualTo(Long.MAX_VALUE);
        assertThat(device(0).posts).hasSize(3); // 100, 200, 300
    }

    @Test
    void eachDevicesFirstPostIsDueOneIntervalPlusItsPhaseAfterItsConnect() {
        PostPacer pacer = pacer(3, 1, 10_000, 100, new long[] {0, 23, 99});
        at(0, pacer);
        at(20, pacer);
        client.devices.forEach(d -> d.connect.complete(null));
        assertThat(pacer.nextDue()).isEqualTo(100 * MS); // device 0: 0 + 100 + 0
        at(100, pacer);
        device(0).posts.get(0).complete(null);
        assertThat(pacer.nextDue()).isEqualTo(133 * MS); // device 1: 10 + 100 + 23
        at(133, pacer);
        device(1).posts.get(0).complete(null);
        assertThat(pacer.nextDue())
                .isEqualTo(200 * MS); // device 0's second slot, before device 2's first
        at(200, pacer);
        assertThat(pacer.nextDue()).isEqualTo(219 * MS); // device 2: 20 + 100 + 99
        at(219, pacer);
        assertThat(device(0).posts).hasSize(2);
        assertThat(device(1).posts).hasSize(1);
        assertThat(device(2).posts).hasSize(1);
        assertThat(pacer.nextDue()).isEqualTo(233 * MS); // device 1's second slot
        assertThat(metrics.overrunCount()).isZero();
    }

    @Test
    void aPhaseOutsideTheIntervalIsRefused() {
        SimulatedDevice.RunContext ctx =
                new SimulatedDevice.RunContext(() -> now, metrics, 100 * MS, 1, 10 * MS, Map.of());
        var identity = AliyunProducts.deriveDevice("a1PK", "ps", "d0");
        assertThatThrownBy(() -> new SimulatedDevice(0, identity, 0, 100 * MS, ctx))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SimulatedDevice(0, identity, 0, -1, ctx))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void withAnIntervalLongerThanTheDurationTheDevicesConnectAndHoldUntilTheEnd() {
        // 3 devices connecting at 0, 10 and 20 ms, posting every 25 s, the run ending 6 s after the
        // ramp
        PostPacer pacer = pacer(3, 1, 6_020, 25_000, new long[3]);
        at(0, pacer);
        assertThat(at(20, pacer))
                .isEqualTo(6_020 * MS); // nothing due but the end: the run waits for it
        assertThat(client.devices).hasSize(3);
        now = 500 * MS; // the connects take their time, as over a real network
        client.devices.forEach(d -> d.connect.complete(null));
        assertThat(at(3_000, pacer)).isEqualTo(6_020 * MS);
        assertThat(at(6_020, pacer)).isEqualTo(Long.MAX_VALUE);
        assertThat(metrics.connectedCount()).isEqualTo(3);
        assertThat(metrics.connectFailedCount()).isZero();
        assertThat(metrics.postsSentCount()).isZero();
        assertThat(metrics.overrunCount()).isZero();
        assertThat(metrics.errors()).isEmpty();
        assertThat(simulated)
                .allSatisfy(d -> assertThat(d.state()).isEqualTo(SimulatedDevice.State.CONNECTED));
    }

    @Test
    void theRunLastsToTheEndOfPostingEvenWhenTheLastSlotIsEarlier() {
        PostPacer pacer = pacer(1, 1, 350, 200, new long[1]);
        at(0, pacer);
        device(0).connect.complete(null);
        assertThat(at(200, pacer))
                .isEqualTo(350 * MS); // the slot at 400 ms is past the end: wait for the end
        assertThat(device(0).posts).hasSize(1);
        assertThat(at(350, pacer)).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void downlinksFireAtTheirRateFromTheirStartUntilTheEnd() {
        SimulatedDevice.RunContext ctx =
                new SimulatedDevice.RunContext(() -> now, metrics, 100 * MS, 1, 10 * MS, Map.of());
        PostPacer pacer =
                new PostPacer(
                        List.of(),
                        d -> null,
                        1000 * MS,
                        4,
                        200 * MS,
                        (k, t) -> downlinks.add(new long[] {k, t}));
        at(100, pacer);
        assertThat(downlinks).isEmpty();
        at(1000, pacer);
        assertThat(downlinks).extracting(a -> a[1] / MS).containsExactly(200L, 450L, 700L, 950L);
        assertThat(ctx.intervalNanos).isEqualTo(100 * MS);
    }
}
