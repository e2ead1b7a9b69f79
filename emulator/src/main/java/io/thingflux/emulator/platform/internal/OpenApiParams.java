package io.thingflux.emulator.platform.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The parameters of one OpenAPI call (query and form body merged, or the JSON form's fields), with
 * the checks every action shares: a missing one is {@code MissingParameter}, a malformed one {@code
 * InvalidParameter}; lists come as {@code Name.1}, {@code Name.2}, ... as the SDKs flatten them.
 */
final class OpenApiParams {

    /** The most items a list parameter ({@code DeviceName.N}) may hold. */
    static final int MAX_LIST = 100;

    private final Map<String, String> values;

    OpenApiParams(Map<String, String> values) {
        this.values = Map.copyOf(values);
    }

    Map<String, String> asMap() {
        return values;
    }

    /** The value, or {@code null} when absent or empty. */
    String optional(String name) {
        String v = values.get(name);
        return v == null || v.isEmpty() ? null : v;
    }

    String required(String name) {
        String v = optional(name);
        if (v == null) {
            throw OpenApiError.missing(name);
        }
        return v;
    }

    int intParam(String name, int defaultValue, int min, int max) {
        long v = longParam(name, defaultValue);
        if (v < min || v > max) {
            throw OpenApiError.invalid(name, "must be " + min + ".." + max);
        }
        return (int) v;
    }

    long longParam(String name, long defaultValue) {
        String v = optional(name);
        if (v == null) {
            return defaultValue;
        }
        try {
            return Long.parseLong(v.strip());
        } catch (NumberFormatException e) {
            throw OpenApiError.invalid(name, "not a number");
        }
    }

    long requiredLong(String name) {
        required(name);
        return longParam(name, 0);
    }

    boolean booleanParam(String name, boolean defaultValue) {
        String v = optional(name);
        if (v == null) {
            return defaultValue;
        }
        return switch (v.strip()) {
            case "true", "1" -> true;
            case "false", "0" -> false;
            default -> throw OpenApiError.invalid(name, "must be true or false");
        };
    }

    /** {@code name.1}, {@code name.2}, ... until the first absent index; empty when none. */
    List<String> list(String name) {
        List<String> out = new ArrayList<>();
        for (int i = 1; ; i++) {
            String v = optional(name + "." + i);
            if (v == null) {
                return out;
            }
            if (out.size() == MAX_LIST) {
                throw OpenApiError.invalid(name, "at most " + MAX_LIST + " items");
            }
            out.add(v);
        }
    }
}
