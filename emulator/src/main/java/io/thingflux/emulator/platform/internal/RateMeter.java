package io.thingflux.emulator.platform.internal;

/**
 * Counts events per whole second of a monotonic clock and tells how many fell in the last complete
 * second.
 */
final class RateMeter {

    private long second = Long.MIN_VALUE;
    private long current;
    private long previous;

    synchronized void record() {
        roll(System.nanoTime() / 1_000_000_000L);
        current++;
    }

    synchronized long lastSecond() {
        roll(System.nanoTime() / 1_000_000_000L);
        return previous;
    }

    private void roll(long now) {
        if (now != second) {
            previous = now == second + 1 ? current : 0;
            second = now;
            current = 0;
        }
    }
}
