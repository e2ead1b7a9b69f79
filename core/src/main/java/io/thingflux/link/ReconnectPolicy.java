package io.thingflux.link;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * When to try connecting again: exponential backoff with jitter and an optional attempt limit.
 *
 * <p>The delay before attempt {@code n} (1-based) is {@code min(maxDelay, initialDelay ×
 * multiplier^(n-1))}, then spread by ± {@code jitter} (a fraction, 0.25 = ±25 %), so thousands of
 * clients that lost the same broker do not come back in lockstep. Fatal CONNACK codes (bad
 * credentials, not authorized) are never retried, whatever the policy says.
 *
 * @param initialDelay the delay before the first retry
 * @param maxDelay the largest delay
 * @param multiplier the growth factor per attempt (at least 1)
 * @param jitter 0..1, the relative spread of each delay
 * @param maxAttempts how many retries at most; {@link #UNLIMITED} for no limit, 0 for none
 */
public record ReconnectPolicy(
        Duration initialDelay,
        Duration maxDelay,
        double multiplier,
        double jitter,
        int maxAttempts) {

    /** No limit on attempts. */
    public static final int UNLIMITED = Integer.MAX_VALUE;

    /** Default first delay: 1 s. */
    public static final Duration DEFAULT_INITIAL_DELAY = Duration.ofSeconds(1);

    /** Default largest delay: 2 min. */
    public static final Duration DEFAULT_MAX_DELAY = Duration.ofMinutes(2);

    /** Default growth: doubling. */
    public static final double DEFAULT_MULTIPLIER = 2.0;

    /** Default spread: ±25 %. */
    public static final double DEFAULT_JITTER = 0.25;

    public ReconnectPolicy {
        Objects.requireNonNull(initialDelay, "initialDelay");
        Objects.requireNonNull(maxDelay, "maxDelay");
        if (initialDelay.isNegative() || maxDelay.compareTo(initialDelay) < 0) {
            throw new IllegalArgumentException("need 0 <= initialDelay <= maxDelay");
        }
        if (!(multiplier >= 1.0)) {
            throw new IllegalArgumentException("multiplier must be >= 1, was " + multiplier);
        }
        if (!(jitter >= 0.0 && jitter <= 1.0)) {
            throw new IllegalArgumentException("jitter must be 0..1, was " + jitter);
        }
        if (maxAttempts < 0) {
            throw new IllegalArgumentException("maxAttempts must be >= 0, was " + maxAttempts);
        }
    }

    private static final ReconnectPolicy EXPONENTIAL =
            new ReconnectPolicy(
                    DEFAULT_INITIAL_DELAY,
                    DEFAULT_MAX_DELAY,
                    DEFAULT_MULTIPLIER,
                    DEFAULT_JITTER,
                    UNLIMITED);
    private static final ReconnectPolicy NONE =
            new ReconnectPolicy(Duration.ZERO, Duration.ZERO, 1.0, 0.0, 0);

    /**
     * Retry forever: 1 s doubling to 2 min, ±25 % jitter (the default for reconnects). One shared
     * instance, so thousands of clients with the default hold no policy of their own.
     */
    public static ReconnectPolicy exponential() {
        return EXPONENTIAL;
    }

    /**
     * Never retry (the default for the first connect: {@code connect()} reports the first failure);
     * shared.
     */
    public static ReconnectPolicy none() {
        return NONE;
    }

    /** This policy with at most {@code attempts} retries. */
    public ReconnectPolicy withMaxAttempts(int attempts) {
        return new ReconnectPolicy(initialDelay, maxDelay, multiplier, jitter, attempts);
    }

    /** This policy with other delay bounds. */
    public ReconnectPolicy withDelays(Duration initial, Duration max) {
        return new ReconnectPolicy(initial, max, multiplier, jitter, maxAttempts);
    }

    /** This policy with another jitter. */
    public ReconnectPolicy withJitter(double newJitter) {
        return new ReconnectPolicy(initialDelay, maxDelay, multiplier, newJitter, maxAttempts);
    }

    /** Whether retry number {@code attempt} (1-based) is allowed. */
    public boolean allows(int attempt) {
        return attempt <= maxAttempts;
    }

    /** The delay before retry number {@code attempt} (1-based), with random jitter. */
    public Duration delay(int attempt) {
        return delay(attempt, ThreadLocalRandom.current().nextDouble());
    }

    /**
     * The delay before retry number {@code attempt} (1-based) for a given random draw.
     *
     * @param random01 a number in [0, 1): 0 gives the lowest spread, 0.5 the nominal delay
     */
    public Duration delay(int attempt, double random01) {
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt is 1-based, was " + attempt);
        }
        double base = initialDelay.toNanos() * Math.pow(multiplier, Math.min(attempt - 1, 1_000));
        double capped = Math.min(base, (double) maxDelay.toNanos());
        double spread = 1.0 + jitter * (2.0 * random01 - 1.0);
        return Duration.ofNanos((long) (capped * spread));
    }
}
