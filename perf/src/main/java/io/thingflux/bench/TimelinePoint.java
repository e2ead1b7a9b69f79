package io.thingflux.bench;

import org.HdrHistogram.Histogram;

/**
 * One second of a run, as the progress line showed it.
 *
 * @param elapsedSeconds since the run started
 * @param connected devices connected so far
 * @param sent posts sent so far
 * @param acked posts answered so far
 * @param overruns overruns so far
 * @param errors errors so far
 * @param postsPerSecond posts sent in this second
 * @param acksPerSecond replies received in this second
 * @param publishP99SoFarMicros publish p99 over the run so far
 * @param publishInterval the publish latencies of this second (microseconds)
 */
public record TimelinePoint(
        double elapsedSeconds,
        long connected,
        long sent,
        long acked,
        long overruns,
        long errors,
        double postsPerSecond,
        double acksPerSecond,
        long publishP99SoFarMicros,
        Histogram publishInterval) {}
