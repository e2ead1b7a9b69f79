package io.thingflux.emulator.platform;

import java.util.Objects;

/**
 * The latest value a device reported for one property.
 *
 * @param identifier the property identifier
 * @param valueJson the value as JSON text (a string value keeps its quotes)
 * @param timeMillis the time the device gave for it, or the time the emulator received it
 */
public record PropertyValue(String identifier, String valueJson, long timeMillis) {

    public PropertyValue {
        Objects.requireNonNull(identifier, "identifier");
        Objects.requireNonNull(valueJson, "valueJson");
    }
}
