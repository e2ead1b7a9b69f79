package io.thingflux.bench;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * What a run counts and times, written from any thread: counters, errors by reason, and latencies
 * in microseconds recorded into HdrHistogram {@link Recorder}s. One thread (the progress reporter,
 * then the run at its end) calls {@link #sample} to move the interval histograms into the totals.
 */
public final class BenchMetrics {

    /** Latencies above this (ten minutes) are recorded as this. */
    public static final long HIGHEST_LATENCY_MICROS = 600_000_000L;

    /** Significant digits of every histogram. */
    public static final int SIGNIFICANT_DIGITS = 3;

    final LongAdder connectsStarted = new LongAdder();
    final LongAdder connected = new LongAdder();

    /** When the latest connect completed (monotonic nanos), for the connect rate. */
    final LongAccumulator lastConnectNanos = new LongAccumulator(Math::max, Long.MIN_VALUE);

    final LongAdder connectFailed = new LongAdder();
    final LongAdder postsSent = new LongAdder();
    final LongAdder postsAcked = new LongAdder();
    final LongAdder postsFailed = new LongAdder();
    final LongAdder overruns = new LongAdder();
    final LongAdder downlinkSent = new LongAdder();
    final LongAdder downlinkReceived = new LongAdder();
    private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();

    private final Recorder connectRecorder = newRecorder();
    private final Recorder publishRecorder = newRecorder();
    private final Recorder downlinkRecorder = newRecorder();
    private final Histogram connectTotal = newHistogram();
    private final Histogram publishTotal = newHistogram();
    private final Histogram downlinkTotal = newHistogram();
    private Histogram connectInterval;
    private Histogram publishInterval;
    private Histogram downlinkInterval;

    /** An empty histogram with the range and precision every bench histogram uses. */
    public static Histogram newHistogram() {
        return new Histogram(HIGHEST_LATENCY_MICROS, SIGNIFICANT_DIGITS);
    }

    private static Recorder newRecorder() {
        return new Recorder(HIGHEST_LATENCY_MICROS, SIGNIFICANT_DIGITS);
    }

    private static long micros(long nanos) {
        return Math.min(HIGHEST_LATENCY_MICROS, Math.max(0, nanos / 1000));
    }

    void connectStarted() {
        connectsStarted.increment();
    }

    void connectSucceeded(long latencyNanos, long nowNanos) {
        connected.increment();
        lastConnectNanos.accumulate(nowNanos);
        connectRecorder.recordValue(micros(latencyNanos));
    }

    void connectFailed(Throwable error) {
        connectFailed.increment();
        error("connect", error);
    }

    void postSent() {
        postsSent.increment();
    }

    void postAcked(long latencyNanos) {
        postsAcked.increment();
        publishRecorder.recordValue(micros(latencyNanos));
    }

    void postFailed(Throwable error) {
        postsFailed.increment();
        error("post", error);
    }

    void overruns(long n) {
        overruns.add(n);
    }

    void downlinkSent() {
        downlinkSent.increment();
    }

    void downlinkReceived(long latencyNanos) {
        downlinkReceived.increment();
        downlinkRecorder.recordValue(micros(latencyNanos));
    }

    /** Counts one error under {@code reason}. */
    public void error(String reason) {
        errors.computeIfAbsent(reason, r -> new LongAdder()).increment();
    }

    /** Counts {@code error} under {@link #reason(String, Throwable)}. */
    void error(String phase, Throwable error) {
        error(reason(phase, error));
    }

    /**
     * The key an error is counted under: a {@link PostFailedException}'s own reason, {@code
     * reply_timeout} for a timeout, else the phase and the exception's name in snake case ({@code
     * connect_connect_refused} for a {@code ConnectRefusedException}).
     */
    static String reason(String phase, Throwable error) {
        Throwable e = error;
        while ((e instanceof CompletionException || e instanceof ExecutionException)
                && e.getCause() != null) {
            e = e.getCause();
        }
        if (e instanceof PostFailedException p) {
            return p.reason();
        }
        if (e instanceof TimeoutException || e.getClass().getSimpleName().contains("Timeout")) {
            return "post".equals(phase) ? "reply_timeout" : phase + "_timeout";
        }
        String name = e.getClass().getSimpleName();
        if (name.endsWith("Exception") && name.length() > "Exception".length()) {
            name = name.substring(0, name.length() - "Exception".length());
        } else if (name.endsWith("Error") && name.length() > "Error".length()) {
            name = name.substring(0, name.length() - "Error".length());
        }
        return phase
                + "_"
                + name.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
    }

    /** Errors so far by reason, sorted by reason. */
    public Map<String, Long> errors() {
        Map<String, Long> out = new TreeMap<>();
        errors.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    public long connectedCount() {
        return connected.sum();
    }

    public long connectFailedCount() {
        return connectFailed.sum();
    }

    public long postsSentCount() {
        return postsSent.sum();
    }

    public long postsAckedCount() {
        return postsAcked.sum();
    }

    public long overrunCount() {
        return overruns.sum();
    }

    public long downlinkSentCount() {
        return downlinkSent.sum();
    }

    public long downlinkReceivedCount() {
        return downlinkReceived.sum();
    }

    /**
     * Moves what was recorded since the last call into the totals and returns that interval. Call
     * from one thread at a time.
     */
    public synchronized Sample sample() {
        connectInterval = connectRecorder.getIntervalHistogram(connectInterval);
        publishInterval = publishRecorder.getIntervalHistogram(publishInterval);
        downlinkInterval = downlinkRecorder.getIntervalHistogram(downlinkInterval);
        connectTotal.add(connectInterval);
        publishTotal.add(publishInterval);
        downlinkTotal.add(downlinkInterval);
        return new Sample(
                connectInterval.copy(),
                publishInterval.copy(),
                downlinkInterval.copy(),
                publishTotal.getValueAtPercentile(99.0));
    }

    /** Copies of the totals so far (connect, publish, downlink latency in microseconds). */
    public synchronized Histogram[] totals() {
        return new Histogram[] {connectTotal.copy(), publishTotal.copy(), downlinkTotal.copy()};
    }

    /**
     * One interval's latencies (microseconds).
     *
     * @param publishP99SoFarMicros the publish p99 over the whole run so far
     */
    public record Sample(
            Histogram connect, Histogram publish, Histogram downlink, long publishP99SoFarMicros) {}
}
