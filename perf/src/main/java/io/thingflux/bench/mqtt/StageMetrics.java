package io.thingflux.bench.mqtt;

import io.thingflux.bench.BenchMetrics;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * What one stage of a scenario counts and times, written from any thread; latencies in microseconds
 * into HdrHistogram {@link Recorder}s, moved into totals by {@link #sample()} (one thread at a
 * time). Received, lost and duplicate messages are counted per publish QoS.
 */
public final class StageMetrics {

    final String name;
    final String type;
    final LongAdder connectsStarted = new LongAdder();
    final LongAdder connected = new LongAdder();
    final LongAdder connectFailed = new LongAdder();
    final LongAdder disconnects = new LongAdder();
    final LongAdder sent = new LongAdder();
    final LongAdder acked = new LongAdder();
    final LongAdder publishFailed = new LongAdder();
    final LongAdder overruns = new LongAdder();
    final LongAdder[] received = adders();
    final LongAdder[] lost = adders();
    final LongAdder[] duplicates = adders();
    private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
    private final Recorder connectRecorder = recorder();
    private final Recorder ackRecorder = recorder();
    private final Recorder e2eRecorder = recorder();
    private final Histogram connectTotal = BenchMetrics.newHistogram();
    private final Histogram ackTotal = BenchMetrics.newHistogram();
    private final Histogram e2eTotal = BenchMetrics.newHistogram();
    private Histogram connectInterval;
    private Histogram ackInterval;
    private Histogram e2eInterval;
    volatile long startNanos;
    volatile long endNanos;
    volatile long cpuStartNanos;
    volatile long cpuEndNanos;
    volatile long cpuUserStartNanos;
    volatile long cpuUserEndNanos;

    StageMetrics(String name, String type) {
        this.name = name;
        this.type = type;
    }

    private static LongAdder[] adders() {
        return new LongAdder[] {new LongAdder(), new LongAdder(), new LongAdder()};
    }

    private static Recorder recorder() {
        return new Recorder(BenchMetrics.HIGHEST_LATENCY_MICROS, BenchMetrics.SIGNIFICANT_DIGITS);
    }

    private static long micros(long nanos) {
        return Math.min(BenchMetrics.HIGHEST_LATENCY_MICROS, Math.max(0, nanos / 1000));
    }

    void connectedAfter(long nanos) {
        connected.increment();
        connectRecorder.recordValue(micros(nanos));
    }

    void ackedAfter(long nanos) {
        acked.increment();
        ackRecorder.recordValue(micros(nanos));
    }

    void receivedAfter(int qos, long micros) {
        received[qos].increment();
        if (micros >= 0) {
            e2eRecorder.recordValue(Math.min(BenchMetrics.HIGHEST_LATENCY_MICROS, micros));
        }
    }

    void error(String reason) {
        errors.computeIfAbsent(reason, r -> new LongAdder()).increment();
    }

    /** The stage's name. */
    public String name() {
        return name;
    }

    /** Moves what was recorded since the last call into the totals. */
    public synchronized void sample() {
        connectInterval = connectRecorder.getIntervalHistogram(connectInterval);
        ackInterval = ackRecorder.getIntervalHistogram(ackInterval);
        e2eInterval = e2eRecorder.getIntervalHistogram(e2eInterval);
        connectTotal.add(connectInterval);
        ackTotal.add(ackInterval);
        e2eTotal.add(e2eInterval);
    }

    /** A percentile (microseconds) of the totals so far: kind connect, ack or e2e. */
    public synchronized long percentile(String kind, double p) {
        Histogram h =
                switch (kind) {
                    case "connect" -> connectTotal;
                    case "ack" -> ackTotal;
                    default -> e2eTotal;
                };
        return h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(p);
    }

    /** A counter by its name in results (for live metrics). */
    public long counter(String counter) {
        return switch (counter) {
            case "connects" -> connected.sum();
            case "connect_failures" -> connectFailed.sum();
            case "disconnects" -> disconnects.sum();
            case "sent" -> sent.sum();
            case "acked" -> acked.sum();
            case "publish_failures" -> publishFailed.sum();
            case "overruns" -> overruns.sum();
            default -> throw new IllegalArgumentException(counter);
        };
    }

    /** Received, lost or duplicate messages ({@code kind}) of publish QoS {@code qos}. */
    public long perQos(String kind, int qos) {
        return switch (kind) {
            case "received" -> received[qos].sum();
            case "lost" -> lost[qos].sum();
            default -> duplicates[qos].sum();
        };
    }

    /** The counter names {@link #counter} knows. */
    public static final java.util.List<String> COUNTERS =
            java.util.List.of(
                    "connects",
                    "connect_failures",
                    "disconnects",
                    "sent",
                    "acked",
                    "publish_failures",
                    "overruns");

    /** The result of this stage so far. */
    public synchronized StageResult result() {
        sample();
        Map<String, Long> e = new TreeMap<>();
        errors.forEach((k, v) -> e.put(k, v.sum()));
        long end = endNanos == 0 ? System.nanoTime() : endNanos;
        return new StageResult(
                name,
                type,
                Math.max(0, (end - startNanos) / 1e9),
                connected.sum(),
                connectFailed.sum(),
                disconnects.sum(),
                sent.sum(),
                acked.sum(),
                publishFailed.sum(),
                overruns.sum(),
                sums(received),
                sums(lost),
                sums(duplicates),
                connectTotal.copy(),
                ackTotal.copy(),
                e2eTotal.copy(),
                Math.max(
                        0,
                        (cpuEndNanos == 0 ? ScenarioRun.processCpuNanos() : cpuEndNanos)
                                - cpuStartNanos),
                Math.max(
                        0,
                        (cpuUserEndNanos == 0 ? ScenarioRun.processUserCpuNanos() : cpuUserEndNanos)
                                - cpuUserStartNanos),
                e);
    }

    private static long[] sums(LongAdder[] a) {
        return new long[] {a[0].sum(), a[1].sum(), a[2].sum()};
    }
}
