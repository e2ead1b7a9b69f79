package io.thingflux.netty.reliability;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.List;

/**
 * The stop-the-world collections of this JVM so far, from the {@link GarbageCollectorMXBean}s, so a
 * timing check can leave out the samples a collection paused. Collectors that run beside the
 * application (G1's "Concurrent GC", ZGC's and Shenandoah's "Cycles") are not counted: they do not
 * stop the threads measured.
 */
final class GcPauses {

    private static final List<GarbageCollectorMXBean> PAUSING =
            ManagementFactory.getGarbageCollectorMXBeans().stream()
                    .filter(
                            b ->
                                    !b.getName().contains("Concurrent")
                                            && !b.getName().contains("Cycles"))
                    .toList();

    private GcPauses() {}

    /**
     * The number of pausing collections so far; a sample whose start and end differ overlapped a
     * pause.
     */
    static long count() {
        long n = 0;
        for (GarbageCollectorMXBean b : PAUSING) {
            n += Math.max(0, b.getCollectionCount());
        }
        return n;
    }

    /** The approximate accumulated pause time so far, ms. */
    static long millis() {
        long ms = 0;
        for (GarbageCollectorMXBean b : PAUSING) {
            ms += Math.max(0, b.getCollectionTime());
        }
        return ms;
    }

    /** The value at {@code percentile} (0..100) of {@code sorted}, nearest rank. */
    static long percentile(List<Long> sorted, double percentile) {
        if (sorted.isEmpty()) {
            throw new IllegalArgumentException("no samples");
        }
        int rank = (int) Math.ceil(percentile / 100.0 * sorted.size());
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
    }
}
