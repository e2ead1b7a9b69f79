package io.thingflux.mqtt;

/**
 * Topic names and filters (MQTT 3.1.1 §4.7): validation and matching.
 *
 * <p>A name is what a PUBLISH carries: not empty, no wildcard. A filter is what a SUBSCRIBE
 * carries: {@code #} only as the last level and alone in it, {@code +} alone in its level. Neither
 * may contain U+0000. A filter starting with a wildcard does not match a name starting with {@code
 * $} (MQTT-4.7.2-1).
 */
public final class MqttTopics {

    private MqttTopics() {}

    /** Whether {@code name} is a valid topic name. */
    public static boolean isValidName(String name) {
        return nameProblem(name) == null;
    }

    /** Whether {@code filter} is a valid topic filter. */
    public static boolean isValidFilter(String filter) {
        return filterProblem(filter) == null;
    }

    /**
     * @throws IllegalArgumentException saying which rule {@code name} breaks
     */
    public static String requireValidName(String name) {
        String problem = nameProblem(name);
        if (problem != null) {
            throw new IllegalArgumentException(
                    "invalid topic name '" + printable(name) + "': " + problem);
        }
        return name;
    }

    /**
     * @throws IllegalArgumentException saying which rule {@code filter} breaks
     */
    public static String requireValidFilter(String filter) {
        String problem = filterProblem(filter);
        if (problem != null) {
            throw new IllegalArgumentException(
                    "invalid topic filter '" + printable(filter) + "': " + problem);
        }
        return filter;
    }

    /** Why {@code name} is not a valid topic name, or {@code null} if it is. */
    public static String nameProblem(String name) {
        if (name == null) {
            return "null";
        }
        if (name.isEmpty()) {
            return "empty (MQTT-4.7.3-1)";
        }
        int n = name.length();
        if (isPlain(name, n)) {
            // no wildcard, no U+0000, ASCII: one UTF-8 byte a char
            return n <= MqttStrings.MAX_ENCODED_LENGTH ? null : utf8Problem(name);
        }
        if (name.indexOf('+') < 0 && name.indexOf('#') < 0 && name.indexOf(0) < 0) {
            // the common case, with String's own scans: what is left is the UTF-8 rules and the
            // length limit
            return n <= MAX_CHARS_WITHIN_LIMIT && !hasSurrogate(name) ? null : utf8Problem(name);
        }
        for (int i = 0; ; i++) { // name the first offending char
            char c = name.charAt(i);
            if (c == '+' || c == '#') {
                return "wildcard '" + c + "' in a topic name (MQTT-3.3.2-2)";
            }
            if (c == 0) {
                return "contains U+0000 (MQTT-4.7.3-2)";
            }
        }
    }

    /** Why {@code filter} is not a valid topic filter, or {@code null} if it is. */
    public static String filterProblem(String filter) {
        if (filter == null) {
            return "null";
        }
        int n = filter.length();
        if (n == 0) {
            return "empty (MQTT-4.7.3-1)";
        }
        if (isPlain(filter, n)) {
            // no wildcard, no U+0000, ASCII: one UTF-8 byte a char
            return n <= MqttStrings.MAX_ENCODED_LENGTH ? null : utf8Problem(filter);
        }
        boolean ascii = true;
        for (int i = 0; i < n; i++) {
            char c = filter.charAt(i);
            if (c >= 0x80) {
                ascii = false;
            }
            boolean levelStart = i == 0 || filter.charAt(i - 1) == '/';
            boolean levelEnd = i == n - 1 || filter.charAt(i + 1) == '/';
            if (c == '#') {
                if (!levelStart || i != n - 1) {
                    return "'#' must be the last character and alone in its level (MQTT-4.7.1-2)";
                }
            } else if (c == '+') {
                if (!levelStart || !levelEnd) {
                    return "'+' must occupy an entire level (MQTT-4.7.1-3)";
                }
            } else if (c == 0) {
                return "contains U+0000 (MQTT-4.7.3-2)";
            }
        }
        return ascii && n <= MqttStrings.MAX_ENCODED_LENGTH ? null : utf8Problem(filter);
    }

    /**
     * Whether {@code filter} matches the topic name {@code name}. Both are assumed valid. {@code
     * sport/#} matches {@code sport} and everything below it; {@code +} matches one level,
     * including an empty one; wildcards at the first level do not match names starting with {@code
     * $}.
     */
    public static boolean matches(String filter, String name) {
        return matches(filter, 0, filter.length(), name);
    }

    /**
     * As {@link #matches(String, String)} for the filter that is the chars {@code from} (inclusive)
     * to {@code to} (exclusive) of {@code filters}: for a holder that keeps several filters in one
     * string.
     */
    public static boolean matches(String filters, int from, int to, String name) {
        if (!name.isEmpty()
                && name.charAt(0) == '$'
                && from < to
                && (filters.charAt(from) == '+' || filters.charAt(from) == '#')) {
            return false;
        }
        int fi = from;
        int ni = 0;
        int fn = to;
        int nn = name.length();
        while (fi < fn) {
            char fc = filters.charAt(fi);
            if (fc == '#') {
                return true;
            }
            if (fc == '+') {
                while (ni < nn && name.charAt(ni) != '/') {
                    ni++;
                }
                fi++;
            } else {
                if (ni >= nn || name.charAt(ni) != fc) {
                    // "a/#" also matches "a": the filter has "/#" left and the name is exhausted
                    return ni == nn && fc == '/' && fi + 2 == fn && filters.charAt(fi + 1) == '#';
                }
                fi++;
                ni++;
            }
        }
        return ni == nn;
    }

    /**
     * Whether every char of {@code s} is in ',' (0x2C) .. 0x7F: ASCII with neither wildcard nor
     * U+0000, which covers almost every real topic ('/', '-', '.', letters, digits, '_'). One pass,
     * one compare a char; a string that fails it is checked rule by rule.
     */
    private static boolean isPlain(String s, int n) {
        for (int i = 0; i < n; i++) {
            if ((char) (s.charAt(i) - ',') > 0x7F - ',') {
                return false;
            }
        }
        return true;
    }

    /**
     * A string of at most this many chars has at most 65535 UTF-8 bytes: no char takes more than
     * three.
     */
    private static final int MAX_CHARS_WITHIN_LIMIT = MqttStrings.MAX_ENCODED_LENGTH / 3;

    private static boolean hasSurrogate(String s) {
        for (int i = 0, n = s.length(); i < n; i++) {
            if (Character.isSurrogate(s.charAt(i))) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code filter} contains a wildcard. */
    public static boolean hasWildcard(String filter) {
        return filter.indexOf('+') >= 0 || filter.indexOf('#') >= 0;
    }

    private static String utf8Problem(String s) {
        try {
            MqttStrings.checkedUtf8Length(s, "topic");
            return null;
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    private static String printable(String s) {
        if (s == null) {
            return "null";
        }
        return s.length() > 200 ? s.substring(0, 200) + "..." : s.replace("\0", "\\0");
    }
}
