package io.thingflux.alink;

/**
 * A property value with the time it was measured, written {@code {"value":..,"time":ms}} in a
 * property post.
 *
 * @param value any value {@link AlinkJson} can write
 * @param timeMillis epoch milliseconds; the platform refuses times more than 24 h ahead
 */
public record TimedValue(Object value, long timeMillis) {

    public static TimedValue of(Object value, long timeMillis) {
        return new TimedValue(value, timeMillis);
    }
}
