package io.thingflux.netty.reliability;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Samples a cumulative counter (e.g. the broker's accepted CONNECTs) every few milliseconds on its
 * own thread, and reports the largest increase within any window of a given length.
 */
final class ConnectRateProbe implements AutoCloseable {

    private final LongSupplier counter;
    private final List<long[]> samples = new ArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;

    ConnectRateProbe(LongSupplier counter, long periodMillis) {
        this.counter = counter;
        this.thread =
                new Thread(
                        () -> {
                            while (running) {
                                sample();
                                try {
                                    Thread.sleep(periodMillis);
                                } catch (InterruptedException e) {
                                    return;
                                }
                            }
                        },
                        "connect-rate-probe");
        thread.setDaemon(true);
        thread.start();
    }

    private void sample() {
        long[] s = {System.nanoTime(), counter.getAsLong()};
        synchronized (samples) {
            samples.add(s);
        }
    }

    /** The largest increase of the counter within any {@code windowMillis} (sample to sample). */
    long peakIncreaseWithin(long windowMillis) {
        List<long[]> copy;
        synchronized (samples) {
            copy = new ArrayList<>(samples);
        }
        long windowNanos = windowMillis * 1_000_000;
        long peak = 0;
        int j = 0;
        for (int i = 0; i < copy.size(); i++) {
            // the latest sample no later than window after sample i
            while (j + 1 < copy.size() && copy.get(j + 1)[0] - copy.get(i)[0] <= windowNanos) {
                j++;
            }
            if (j >= i) {
                peak = Math.max(peak, copy.get(j)[1] - copy.get(i)[1]);
            }
        }
        return peak;
    }

    /**
     * When the counter first rose above its first sample, in {@link System#nanoTime()}; -1 if it
     * never did.
     */
    long firstIncreaseNanos() {
        synchronized (samples) {
            for (long[] s : samples) {
                if (s[1] > samples.get(0)[1]) {
                    return s[0];
                }
            }
        }
        return -1;
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sample();
    }
}
