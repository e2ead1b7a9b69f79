package io.thingflux.netty.reliability;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;

/**
 * Heap in use right after a full collection, the figure memory-bound and soak checks compare. It is
 * read from the memory pools' collection usage (what each pool held when the collection ended), so
 * allocation by busy threads after the collection does not count; the smallest of a few collections
 * is taken.
 */
final class HeapProbe {

    private HeapProbe() {}

    /** Bytes of heap in use after a full collection. */
    static long usedAfterGc() {
        long least = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            long used = 0;
            for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                MemoryUsage afterGc =
                        pool.getType() == MemoryType.HEAP ? pool.getCollectionUsage() : null;
                if (afterGc != null) {
                    used += afterGc.getUsed();
                }
            }
            least = Math.min(least, used);
        }
        return least;
    }

    static String mib(long bytes) {
        return String.format("%.1f MiB", bytes / (1024.0 * 1024.0));
    }
}
