package io.thingflux.bench;

import io.thingflux.aliyun.AliyunDeviceIdentity;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs one bench over a {@link LoadClient}: ramps the connects at the connect rate, posts on each
 * device's absolute schedule for the duration, optionally sends property sets at the downlink rate,
 * prints a progress line each second, then drains, measures the heap per device and disconnects.
 *
 * <p>Timeline: the connect of device {@code j} (of this shard's {@code n}) is due at {@code
 * connectAt = start + j / connectRate}; its posts at {@code firstPost = connectAt + interval +
 * phase}, {@code firstPost + interval}, {@code firstPost + 2 * interval}, ... while before {@code
 * rampEnd + duration}; downlinks from {@code rampEnd + interval} to the same end, each to the next
 * connected device in turn. Replies still missing then get up to the reply timeout. The run lasts
 * until {@code rampEnd + duration} even when no post falls due (an interval longer than the
 * duration makes a connection-only run: every device connects and holds its connection to the end,
 * and zero posts is the expected outcome).
 *
 * <p>Phases: device {@code j}'s phase ({@link #phaseNanos}, {@code 0 <= phase < interval}) puts its
 * posts at {@code start + j * interval / n} modulo the interval, so the fleet's post slots are
 * evenly {@code interval / n} apart: once every device posts, the fleet posts at a steady {@code n
 * / interval} per second whatever the connect rate, instead of in bursts that copy the connect ramp
 * (all posts of a one-second ramp falling within one second of every interval). The phases are
 * deterministic (the same run has the same schedule whichever client drives it), device 0's is 0,
 * and no device's first post is due sooner than one interval after its connect time.
 */
public final class BenchRun {

    /**
     * A slot the pacer reaches later than this after its time counts as an overrun even with room
     * in the window.
     */
    public static final long DEFAULT_OVERRUN_SLACK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    /**
     * Most property sets awaiting their device at once; more are refused and counted as {@code
     * downlink_backlog_full}.
     */
    public static final int MAX_PENDING_DOWNLINKS = 10_000;

    /** How long property sets still on their way get once posting ended. */
    public static final long DOWNLINK_GRACE_MILLIS = 2_000;

    private final BenchOptions options;
    private final List<AliyunDeviceIdentity> identities;
    private final LoadClient client;
    private final DownlinkSender downlinks;
    private final BenchClock clock;
    private final PrintStream progress;
    private final BenchMetrics metrics = new BenchMetrics();
    private final Map<Long, Long> pendingDownlinks = new ConcurrentHashMap<>();
    private final List<TimelinePoint> timeline = Collections.synchronizedList(new ArrayList<>());
    private volatile java.util.function.Supplier<? extends Map<String, ?>> postParams;

    /**
     * @param options what to run
     * @param identities the devices of this shard
     * @param client drives the devices; the caller closes it
     * @param downlinks sends property sets, or {@code null} when {@link
     *     BenchOptions#downlinkRate()} is 0
     * @param progress where the progress line goes each second, or {@code null} for none
     */
    public BenchRun(
            BenchOptions options,
            List<AliyunDeviceIdentity> identities,
            LoadClient client,
            DownlinkSender downlinks,
            BenchClock clock,
            PrintStream progress) {
        if (options.downlinkRate() > 0 && downlinks == null) {
            throw new IllegalArgumentException("a downlink rate needs a downlink sender");
        }
        this.options = options;
        this.identities = List.copyOf(identities);
        this.client = client;
        this.downlinks = downlinks;
        this.clock = clock;
        this.progress = progress;
    }

    /**
     * Draws each post's properties from {@code source} (e.g. values generated from the product's
     * TSL) instead of the fixed params sized to {@link BenchOptions#payloadBytes()}; call before
     * {@link #run()}. {@code source} is called from the pacer thread.
     */
    public BenchRun postParams(java.util.function.Supplier<? extends Map<String, ?>> source) {
        this.postParams = source;
        return this;
    }

    /** The metrics as they are now. */
    public BenchMetrics metrics() {
        return metrics;
    }

    /** One point per second of the run so far. */
    public List<TimelinePoint> timeline() {
        synchronized (timeline) {
            return List.copyOf(timeline);
        }
    }

    /** Runs to the end and returns the result. */
    public BenchResult run() throws InterruptedException {
        long heapBefore = usedHeapAfterGc();
        long intervalNanos = options.interval().toNanos();
        SimulatedDevice.RunContext context =
                new SimulatedDevice.RunContext(
                        clock,
                        metrics,
                        intervalNanos,
                        options.inflight(),
                        DEFAULT_OVERRUN_SLACK_NANOS,
                        postParams != null
                                ? postParams
                                : sizedParams(PostParams.sized(options.payloadBytes())));
        double connectRate = options.shard().share(options.connectRate());
        long start = clock.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20);
        int n = identities.size();
        List<SimulatedDevice> devices = new ArrayList<>(n);
        for (int j = 0; j < n; j++) {
            long connectOffset = connectOffsetNanos(j, connectRate);
            devices.add(
                    new SimulatedDevice(
                            j,
                            identities.get(j),
                            start + connectOffset,
                            phaseNanos(j, n, connectOffset, intervalNanos),
                            context));
        }
        long rampEnd = devices.isEmpty() ? start : devices.get(devices.size() - 1).connectAtNanos;
        long postsEnd = rampEnd + options.duration().toNanos();
        List<InetAddress> sources = options.sourceAddresses();
        PostPacer pacer =
                new PostPacer(
                        devices,
                        d ->
                                client.device(
                                        d.identity,
                                        sources.isEmpty()
                                                ? null
                                                : new InetSocketAddress(
                                                        sources.get(d.index % sources.size()), 0),
                                        params -> onPropertySet(params)),
                        postsEnd,
                        options.shard().share(options.downlinkRate()),
                        rampEnd + intervalNanos,
                        (k, scheduled) -> sendDownlink(devices, k, scheduled));

        Thread reporter = new Thread(() -> reportEverySecond(start), "bench-progress");
        reporter.setDaemon(true);
        reporter.start();
        long runStartNanos = clock.nanoTime();
        try {
            long next;
            do {
                next = pacer.runDue(clock.nanoTime());
                long wait = next == Long.MAX_VALUE ? 0 : next - clock.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(Math.min(wait, TimeUnit.MILLISECONDS.toNanos(50)));
                }
                if (Thread.interrupted()) {
                    throw new InterruptedException("bench interrupted");
                }
            } while (next != Long.MAX_VALUE);
            long postingEndedNanos = clock.nanoTime();
            context.stopped = true;
            awaitReplies(devices);
            reporter.interrupt();
            reporter.join(2000);
            // connects still under way fail now, so the counts hold still while the heap is
            // measured
            List<CompletableFuture<Void>> abandoned = new ArrayList<>();
            for (SimulatedDevice d : devices) {
                if (d.state() == SimulatedDevice.State.CONNECTING) {
                    BenchDevice bd = d.close();
                    if (bd != null) {
                        abandoned.add(bd.disconnect().exceptionally(e -> null));
                    }
                }
            }
            recordPoint(start);
            long heapAfter = usedHeapAfterGc();
            long connected = metrics.connectedCount();
            long heapPerDevice =
                    connected == 0 ? 0 : Math.max(0, heapAfter - heapBefore) / connected;
            disconnectAll(devices, abandoned);
            double runSeconds = (clock.nanoTime() - runStartNanos) / 1e9;
            // connects per second: from the first scheduled connect to the last one that completed
            long lastConnect = metrics.lastConnectNanos.get();
            double rampSeconds =
                    Math.max(
                            1e-3,
                            ((lastConnect == Long.MIN_VALUE ? rampEnd : lastConnect) - start)
                                    / 1e9);
            // posts per second: from the first post slot (one interval after the first connect) to
            // the end of posting
            double postingSeconds =
                    Math.max(1e-3, (postingEndedNanos - (start + intervalNanos)) / 1e9);
            var totals = metrics.totals();
            return new BenchResult(
                    client.name(),
                    identities.size(),
                    connected,
                    metrics.connectFailedCount(),
                    connected / rampSeconds,
                    totals[0],
                    metrics.postsSentCount(),
                    metrics.postsAckedCount(),
                    metrics.postsAckedCount() / postingSeconds,
                    metrics.overrunCount(),
                    totals[1],
                    metrics.downlinkSentCount(),
                    metrics.downlinkReceivedCount(),
                    totals[2],
                    metrics.errors(),
                    heapPerDevice,
                    runSeconds);
        } finally {
            context.stopped = true;
            reporter.interrupt();
        }
    }

    private static java.util.function.Supplier<Map<String, ?>> sizedParams(Map<String, ?> params) {
        return () -> params;
    }

    /** When device {@code j}'s connect is due after the first one's: {@code j / connectRate}. */
    static long connectOffsetNanos(int j, double connectRate) {
        return (long) (j * 1e9 / connectRate);
    }

    /**
     * Device {@code j}'s phase (of {@code n}, its connect due {@code connectOffsetNanos} after the
     * first): its first post is due one interval plus this after its connect, which puts its slots
     * at {@code j * interval / n} after the first device's, modulo the interval.
     *
     * @return {@code 0 <= phase < interval}; 0 for device 0
     */
    static long phaseNanos(int j, int n, long connectOffsetNanos, long intervalNanos) {
        long slotOffset = (long) (j * (double) intervalNanos / n);
        return Math.floorMod(slotOffset - connectOffsetNanos, intervalNanos);
    }

    /** Downlink {@code k} goes to device {@code k mod n}, or the next connected one after it. */
    private void sendDownlink(List<SimulatedDevice> devices, long k, long scheduledNanos) {
        SimulatedDevice d = null;
        for (int i = 0; i < devices.size() && d == null; i++) {
            SimulatedDevice candidate = devices.get((int) ((k + i) % devices.size()));
            if (candidate.state() == SimulatedDevice.State.CONNECTED) {
                d = candidate;
            }
        }
        if (d == null) {
            metrics.error("downlink_no_device_connected");
            return;
        }
        if (pendingDownlinks.size() >= MAX_PENDING_DOWNLINKS) {
            metrics.error("downlink_backlog_full");
            return;
        }
        pendingDownlinks.put(k, scheduledNanos);
        metrics.downlinkSent();
        downlinks
                .setProperties(d.identity, Map.of(PostParams.DOWNLINK_SEQ_PROPERTY, k))
                .whenComplete(
                        (v, e) -> {
                            if (e != null && pendingDownlinks.remove(k) != null) {
                                metrics.error("downlink", e);
                            }
                        });
    }

    private void onPropertySet(Map<String, Object> params) {
        Object seq = params.get(PostParams.DOWNLINK_SEQ_PROPERTY);
        if (seq instanceof Number n) {
            Long scheduled = pendingDownlinks.remove(n.longValue());
            if (scheduled != null) {
                metrics.downlinkReceived(clock.nanoTime() - scheduled);
            }
        }
    }

    /**
     * Waits for the posts still awaiting their reply (each fails on its own reply timeout at the
     * latest), then up to {@link #DOWNLINK_GRACE_MILLIS} for property sets still on their way; the
     * ones that never arrive count as {@code downlink_lost}.
     */
    private void awaitReplies(List<SimulatedDevice> devices) throws InterruptedException {
        long deadline =
                System.nanoTime() + options.replyTimeout().toNanos() + TimeUnit.SECONDS.toNanos(1);
        while (System.nanoTime() < deadline && devices.stream().anyMatch(d -> d.inflight() > 0)) {
            Thread.sleep(20);
        }
        long stuck = devices.stream().mapToLong(SimulatedDevice::inflight).sum();
        for (long i = 0; i < stuck; i++) {
            metrics.error("unanswered_at_end");
        }
        long downlinkDeadline =
                System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DOWNLINK_GRACE_MILLIS);
        while (!pendingDownlinks.isEmpty() && System.nanoTime() < downlinkDeadline) {
            Thread.sleep(20);
        }
        for (Long k : List.copyOf(pendingDownlinks.keySet())) {
            if (pendingDownlinks.remove(k) != null) {
                metrics.error("downlink_lost");
            }
        }
    }

    private void disconnectAll(
            List<SimulatedDevice> devices, List<CompletableFuture<Void>> alreadyClosing)
            throws InterruptedException {
        List<CompletableFuture<Void>> closing = new ArrayList<>(alreadyClosing);
        for (SimulatedDevice d : devices) {
            BenchDevice bd = d.close();
            if (bd != null) {
                closing.add(bd.disconnect().exceptionally(e -> null));
            }
        }
        try {
            CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new))
                    .get(10, TimeUnit.SECONDS);
        } catch (TimeoutException | java.util.concurrent.ExecutionException e) {
            // what did not close cleanly is dropped when the client closes
        }
    }

    private void reportEverySecond(long start) {
        long next = start + TimeUnit.SECONDS.toNanos(1);
        while (!Thread.currentThread().isInterrupted()) {
            long wait = next - clock.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
                continue;
            }
            recordPoint(start);
            next += TimeUnit.SECONDS.toNanos(1);
        }
    }

    private void recordPoint(long start) {
        BenchMetrics.Sample s;
        TimelinePoint p;
        synchronized (timeline) {
            s = metrics.sample();
            TimelinePoint prev = timeline.isEmpty() ? null : timeline.get(timeline.size() - 1);
            double elapsed = Math.max(0, (clock.nanoTime() - start) / 1e9);
            double dt =
                    prev == null
                            ? Math.max(elapsed, 1e-3)
                            : Math.max(elapsed - prev.elapsedSeconds(), 1e-3);
            long sent = metrics.postsSentCount();
            long acked = metrics.postsAckedCount();
            long errors = metrics.errors().values().stream().mapToLong(Long::longValue).sum();
            p =
                    new TimelinePoint(
                            elapsed,
                            metrics.connectedCount(),
                            sent,
                            acked,
                            metrics.overrunCount(),
                            errors,
                            (sent - (prev == null ? 0 : prev.sent())) / dt,
                            (acked - (prev == null ? 0 : prev.acked())) / dt,
                            s.publishP99SoFarMicros(),
                            s.publish());
            timeline.add(p);
        }
        if (progress != null) {
            progress.println(BenchConsole.progressLine(p, identities.size()));
        }
    }

    /**
     * Heap in use after asking for a full collection twice; good enough for bytes-per-device over
     * thousands.
     */
    static long usedHeapAfterGc() {
        for (int i = 0; i < 2; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
