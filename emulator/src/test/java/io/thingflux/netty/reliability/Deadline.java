package io.thingflux.netty.reliability;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Bounded polling for conditions reached by other threads: fails with a message at the deadline.
 */
final class Deadline {

    private Deadline() {}

    static void await(Duration limit, BooleanSupplier condition, Supplier<String> what) {
        long end = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("not reached within " + limit + ": " + what.get());
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for: " + what.get());
            }
        }
    }

    static void await(Duration limit, BooleanSupplier condition, String what) {
        await(limit, condition, () -> what);
    }
}
