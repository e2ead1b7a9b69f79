package io.thingflux.link.outbox;

import java.time.Duration;
import java.util.Objects;

/**
 * When the file outbox forces what it wrote to the disk. Every write reaches the operating system
 * at once, so a killed process (SIGKILL, OOM) loses nothing under any policy; the policy decides
 * what a power cut or a kernel crash may lose, against the cost of a sync.
 *
 * <ul>
 *   <li>{@link #everyWrite()}: each accepted publish is forced before it may leave; a power cut
 *       loses nothing accepted. The sync runs on the link's I/O thread (event loop / AT scheduler)
 *       and holds it for as long as the disk takes: use it for one device per process, not for
 *       thousands of clients on one event loop.
 *   <li>{@link #every(Duration)}: a background thread forces the log at that interval when it
 *       changed; a power cut loses at most that window. The I/O thread never waits for the disk.
 *   <li>{@link #never()}: the operating system writes back when it likes (and on close).
 * </ul>
 */
public final class FsyncPolicy {

    private static final FsyncPolicy EVERY_WRITE = new FsyncPolicy(Duration.ZERO);
    private static final FsyncPolicy NEVER = new FsyncPolicy(null);

    private final Duration interval;

    private FsyncPolicy(Duration interval) {
        this.interval = interval;
    }

    public static FsyncPolicy everyWrite() {
        return EVERY_WRITE;
    }

    /** Forces at most every {@code interval} (at least 1 ms), from a background thread. */
    public static FsyncPolicy every(Duration interval) {
        Objects.requireNonNull(interval, "interval");
        if (interval.toMillis() < 1) {
            throw new IllegalArgumentException("fsync interval must be at least 1 ms");
        }
        return new FsyncPolicy(interval);
    }

    public static FsyncPolicy never() {
        return NEVER;
    }

    /** Parses {@code always}, {@code never} or a number of milliseconds such as {@code 100ms}. */
    public static FsyncPolicy parse(String text) {
        String t = text.trim().toLowerCase(java.util.Locale.ROOT);
        if (t.equals("always") || t.equals("every-write")) {
            return everyWrite();
        }
        if (t.equals("never")) {
            return never();
        }
        if (t.endsWith("ms")) {
            t = t.substring(0, t.length() - 2);
        }
        try {
            return every(Duration.ofMillis(Long.parseLong(t)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "fsync policy must be always, never or a number of ms, not " + text);
        }
    }

    public boolean isEveryWrite() {
        return interval != null && interval.isZero();
    }

    public boolean isNever() {
        return interval == null;
    }

    /** The interval of {@link #every(Duration)}, else {@code null}. */
    public Duration interval() {
        return interval == null || interval.isZero() ? null : interval;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FsyncPolicy p && Objects.equals(interval, p.interval);
    }

    @Override
    public int hashCode() {
        return Objects.hashCode(interval);
    }

    @Override
    public String toString() {
        return isNever() ? "never" : isEveryWrite() ? "always" : interval.toMillis() + "ms";
    }
}
