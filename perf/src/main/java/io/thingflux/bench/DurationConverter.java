package io.thingflux.bench;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * Reads the durations the command line accepts: a whole number and a unit, written {@code 500ms},
 * {@code 15s}, {@code 5m} or {@code 2h}, and {@code 250us} for the sub-millisecond post intervals
 * that measure one device's throughput (no unit is refused, so {@code --interval 1} is never
 * silently one millisecond or one second).
 */
public final class DurationConverter implements CommandLine.ITypeConverter<Duration> {

    private static final Pattern FORMAT = Pattern.compile("(\\d{1,9})(us|ms|s|m|h)");

    @Override
    public Duration convert(String value) {
        return parse(value);
    }

    /**
     * Parses {@code value}.
     *
     * @throws CommandLine.TypeConversionException naming the accepted forms when {@code value} is
     *     not one
     */
    public static Duration parse(String value) {
        Matcher m = FORMAT.matcher(value == null ? "" : value.trim());
        if (!m.matches()) {
            throw new CommandLine.TypeConversionException(
                    "'"
                            + value
                            + "' is not a duration: write a whole number and a unit, e.g. 500ms, 15s, 5m or 2h");
        }
        long n = Long.parseLong(m.group(1));
        switch (m.group(2)) {
            case "us":
                return Duration.ofNanos(n * 1000);
            case "ms":
                return Duration.ofMillis(n);
            case "s":
                return Duration.ofSeconds(n);
            case "m":
                return Duration.ofMinutes(n);
            default:
                return Duration.ofHours(n);
        }
    }

    /**
     * Writes {@code d} the way {@link #parse} reads it, in the largest unit that keeps it exact.
     */
    public static String format(Duration d) {
        if (d.toNanos() % 1_000_000 != 0) {
            return d.toNanos() / 1000 + "us";
        }
        long ms = d.toMillis();
        if (ms % 3_600_000 == 0 && ms > 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms % 60_000 == 0 && ms > 0) {
            return ms / 60_000 + "m";
        }
        if (ms % 1000 == 0) {
            return ms / 1000 + "s";
        }
        return ms + "ms";
    }
}
