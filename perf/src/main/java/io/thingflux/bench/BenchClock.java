package io.thingflux.bench;

/**
 * The time source of a run, injectable so the schedule can be tested on virtual time. Readings are
 * monotonic nanoseconds, as {@link System#nanoTime()}.
 */
public interface BenchClock {

    /** The system clock: {@link System#nanoTime()}. */
    BenchClock SYSTEM = System::nanoTime;

    /** Now, in monotonic nanoseconds. */
    long nanoTime();
}
