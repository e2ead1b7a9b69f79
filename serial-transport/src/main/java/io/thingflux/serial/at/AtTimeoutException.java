package io.thingflux.serial.at;

import java.time.Duration;

/** A command got no final result, or its result URC did not come, in time. */
public final class AtTimeoutException extends AtException {

    /** What was being waited for. */
    public enum Phase {
        RESPONSE,
        RESULT_URC,
        QUEUED
    }

    private final Phase phase;

    public AtTimeoutException(String command, Phase phase, Duration after) {
        super(
                command,
                command
                        + ": no "
                        + (phase == Phase.RESPONSE
                                ? "final result"
                                : phase == Phase.RESULT_URC
                                        ? "result URC"
                                        : "turn (module unresponsive)")
                        + " within "
                        + after.toMillis()
                        + " ms");
        this.phase = phase;
    }

    public Phase phase() {
        return phase;
    }
}
