package io.thingflux.bench;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * The outcome of one run (or of several shards merged): counts, rates, errors by reason, memory,
 * and the full latency histograms (microseconds) so that merged percentiles are exact.
 *
 * @param client {@code thingflux} or {@code hivemq}
 * @param requested devices this run was asked to simulate
 * @param connected devices that connected
 * @param failed devices whose connect failed
 * @param connectPerSecond connects completed per second of the ramp
 * @param connectLatency from each connect's scheduled time to the device being ready
 * @param sent property posts sent
 * @param acked property posts answered with code 200
 * @param publishPerSecond posts answered per second of the posting phase
 * @param overruns post slots that could not leave on time
 * @param publishLatency from each post's scheduled time to its reply
 * @param downlinkSent property sets requested through the admin API
 * @param downlinkReceived property sets the devices received
 * @param downlinkLatency from each property set's scheduled time to its arrival at the device
 * @param errors counts by reason
 * @param heapUsedBytesPerDevice heap after GC per connected device, above the heap before the
 *     devices existed
 * @param durationSeconds wall time of the run
 */
public record BenchResult(
        String client,
        long requested,
        long connected,
        long failed,
        double connectPerSecond,
        Histogram connectLatency,
        long sent,
        long acked,
        double publishPerSecond,
        long overruns,
        Histogram publishLatency,
        long downlinkSent,
        long downlinkReceived,
        Histogram downlinkLatency,
        Map<String, Long> errors,
        long heapUsedBytesPerDevice,
        double durationSeconds) {

    public BenchResult {
        errors = Collections.unmodifiableMap(new TreeMap<>(errors));
    }

    /** Total of all errors. */
    public long errorCount() {
        return errors.values().stream().mapToLong(Long::longValue).sum();
    }
}
