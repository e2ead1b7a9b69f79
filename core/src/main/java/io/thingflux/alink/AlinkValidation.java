package io.thingflux.alink;

import io.thingflux.aliyun.AliyunLimits;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Collection;
import java.util.Map;
import java.util.Set;

/**
 * Refuses, before anything is sent, what the platform would refuse: identifiers outside its rules,
 * more than 200 properties in one post, NaN or infinite numbers, values JSON cannot carry.
 *
 * <p>Identifier rules (TSL model, console and import schema): letters, digits and {@code _}, 1..50
 * characters, not one of the reserved words {@code set get post property event time value}; an
 * identifier of a custom module is written {@code functionBlockId:identifier} with a block id of
 * 1..30 such characters. Values: {@code null}, {@link Boolean}, {@link CharSequence}, integral
 * numbers ({@code Byte Short Integer Long BigInteger}), finite {@code Float Double BigDecimal},
 * {@link Map} with {@code String} keys, {@link Collection}, {@link TimedValue}; nested at most
 * {@value #MAX_DEPTH} levels.
 */
public final class AlinkValidation {

    /** The longest identifier of a property, event or service. */
    public static final int MAX_IDENTIFIER_LENGTH = 50;

    /** The longest custom module (function block) id. */
    public static final int MAX_FUNCTION_BLOCK_ID_LENGTH = 30;

    /** Words the platform keeps for itself and refuses as identifiers. */
    public static final Set<String> RESERVED_IDENTIFIERS =
            Set.of("set", "get", "post", "property", "event", "time", "value");

    /** How deep values may nest (structs in arrays in structs...). */
    public static final int MAX_DEPTH = 32;

    private AlinkValidation() {}

    /**
     * @param what e.g. "property", "event", "service", for the message
     * @throws IllegalArgumentException saying which rule {@code identifier} breaks
     */
    public static String requireIdentifier(String identifier, String what) {
        if (identifier == null) {
            throw new IllegalArgumentException(what + " identifier must not be null");
        }
        int colon = identifier.indexOf(':');
        String local = identifier;
        if (colon >= 0) {
            local = identifier.substring(colon + 1);
            if (!isWord(identifier, 0, colon, MAX_FUNCTION_BLOCK_ID_LENGTH)) {
                throw new IllegalArgumentException(
                        what
                                + " identifier '"
                                + printable(identifier)
                                + "': module id must be 1.."
                                + MAX_FUNCTION_BLOCK_ID_LENGTH
                                + " letters, digits or '_'");
            }
        }
        if (!isWord(local, 0, local.length(), MAX_IDENTIFIER_LENGTH)) {
            throw new IllegalArgumentException(
                    what
                            + " identifier '"
                            + printable(identifier)
                            + "' must be 1.."
                            + MAX_IDENTIFIER_LENGTH
                            + " letters, digits or '_'");
        }
        if (RESERVED_IDENTIFIERS.contains(local)) {
            throw new IllegalArgumentException(
                    what + " identifier '" + identifier + "' is reserved by the platform");
        }
        return identifier;
    }

    /**
     * Whether {@code s[from, to)} is 1..{@code max} ASCII letters, digits or '_' (checked per post:
     * no regex).
     */
    private static boolean isWord(String s, int from, int to, int max) {
        int length = to - from;
        if (length < 1 || length > max) {
            return false;
        }
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (!((c >= 'a' && c <= 'z')
                    || (c >= 'A' && c <= 'Z')
                    || (c >= '0' && c <= '9')
                    || c == '_')) {
                return false;
            }
        }
        return true;
    }

    /**
     * Checks the params of a property post: 1..200 valid identifiers, each with a valid value.
     *
     * @throws IllegalArgumentException naming the first problem
     */
    public static void requireProperties(Map<String, ?> properties) {
        if (properties == null || properties.isEmpty()) {
            throw new IllegalArgumentException("at least one property is needed");
        }
        AliyunLimits.requirePropertyCount(properties.size());
        for (Map.Entry<String, ?> e : properties.entrySet()) {
            requireIdentifier(e.getKey(), "property");
            requireValue(e.getValue(), e.getKey());
        }
    }

    /**
     * Checks that {@code value} can be written as Alink JSON and that every number in it is finite.
     *
     * @param path where the value sits, for the message (e.g. {@code "Temperature"})
     * @throws IllegalArgumentException naming the path of the first problem
     */
    public static void requireValue(Object value, String path) {
        requireValue(value, path, 0);
    }

    private static void requireValue(Object value, String path, int depth) {
        if (depth > MAX_DEPTH) {
            throw new IllegalArgumentException(
                    path + ": nested deeper than " + MAX_DEPTH + " levels");
        }
        if (value == null
                || value instanceof Boolean
                || value instanceof CharSequence
                || value instanceof Integer
                || value instanceof Long
                || value instanceof Short
                || value instanceof Byte
                || value instanceof BigInteger
                || value instanceof BigDecimal) {
            return;
        }
        if (value instanceof Double d) {
            requireFinite(d, path);
        } else if (value instanceof Float f) {
            requireFinite(f.doubleValue(), path);
        } else if (value instanceof TimedValue t) {
            requireValue(t.value(), path + ".value", depth + 1);
        } else if (value instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (!(e.getKey() instanceof String key)) {
                    throw new IllegalArgumentException(
                            path + ": object keys must be non-null strings");
                }
                requireValue(e.getValue(), path + "." + key, depth + 1);
            }
        } else if (value instanceof Collection<?> c) {
            int i = 0;
            for (Object o : c) {
                requireValue(o, path + "[" + i++ + "]", depth + 1);
            }
        } else {
            throw new IllegalArgumentException(
                    path
                            + ": "
                            + value.getClass().getName()
                            + " cannot be written as Alink JSON (use null, Boolean, String, a number, Map, Collection or TimedValue)");
        }
    }

    private static void requireFinite(double d, String path) {
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            throw new IllegalArgumentException(
                    path + ": " + d + " cannot be sent, JSON has no NaN or Infinity");
        }
    }

    private static String printable(String s) {
        return s.length() > 60 ? s.substring(0, 60) + "..." : s;
    }
}
