package io.thingflux.emulator.platform;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Bounded polling for conditions another thread makes true: fails after the deadline, never sleeps
 * as synchronisation.
 */
final class Awaiting {

    private Awaiting() {}

    static void until(Duration deadline, BooleanSupplier condition) {
        long end = System.nanoTime() + deadline.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("condition not met within " + deadline);
            }
            Thread.onSpinWait();
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted");
            }
        }
    }
}
