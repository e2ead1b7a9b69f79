package io.thingflux.bench;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/** Combines the results of shards that ran at the same time into the result of the whole run. */
public final class BenchResults {

    private BenchResults() {}

    /**
     * Merges shard results: counts and per-second rates add up (the shards ran side by side),
     * histograms are added so that percentiles are exact, heap per device is averaged weighted by
     * connected devices, and the duration is the longest shard's.
     *
     * @throws IllegalArgumentException when {@code shards} is empty
     */
    public static BenchResult merge(List<BenchResult> shards) {
        if (shards.isEmpty()) {
            throw new IllegalArgumentException("nothing to merge");
        }
        String client = shards.get(0).client();
        long requested = 0,
                connected = 0,
                failed = 0,
                sent = 0,
                acked = 0,
                overruns = 0,
                dlSent = 0,
                dlReceived = 0;
        double connectRate = 0, publishRate = 0, duration = 0, heapWeighted = 0;
        Histogram connect = BenchMetrics.newHistogram();
        Histogram publish = BenchMetrics.newHistogram();
        Histogram downlink = BenchMetrics.newHistogram();
        Map<String, Long> errors = new TreeMap<>();
        for (BenchResult r : shards) {
            if (!r.client().equals(client)) {
                client = "mixed";
            }
            requested += r.requested();
            connected += r.connected();
            failed += r.failed();
            connectRate += r.connectPerSecond();
            connect.add(r.connectLatency());
            sent += r.sent();
            acked += r.acked();
            publishRate += r.publishPerSecond();
            overruns += r.overruns();
            publish.add(r.publishLatency());
            dlSent += r.downlinkSent();
            dlReceived += r.downlinkReceived();
            downlink.add(r.downlinkLatency());
            r.errors().forEach((k, v) -> errors.merge(k, v, Long::sum));
            heapWeighted += (double) r.heapUsedBytesPerDevice() * r.connected();
            duration = Math.max(duration, r.durationSeconds());
        }
        long heapPerDevice = connected == 0 ? 0 : Math.round(heapWeighted / connected);
        return new BenchResult(
                client,
                requested,
                connected,
                failed,
                connectRate,
                connect,
                sent,
                acked,
                publishRate,
                overruns,
                publish,
                dlSent,
                dlReceived,
                downlink,
                errors,
                heapPerDevice,
                duration);
    }
}
