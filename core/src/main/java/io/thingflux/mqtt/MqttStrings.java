package io.thingflux.mqtt;

import java.nio.charset.StandardCharsets;

/** The rules for MQTT UTF-8 encoded strings (MQTT 3.1.1 §1.5.3). */
public final class MqttStrings {

    /** The largest encoded length a two-byte length prefix can carry. */
    public static final int MAX_ENCODED_LENGTH = 65_535;

    private MqttStrings() {}

    /**
     * The UTF-8 encoded length of {@code s}, checking on the way that it is well formed (no
     * unpaired surrogate) and has no U+0000 (MQTT-1.5.3-2).
     *
     * @throws IllegalArgumentException naming {@code what} when a rule is broken or the result
     *     exceeds 65535
     */
    public static int checkedUtf8Length(String s, String what) {
        int n = s.length();
        int bytes = 0;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                if (c == 0) {
                    throw new IllegalArgumentException(what + " must not contain U+0000");
                }
                bytes++;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c)) {
                if (i + 1 >= n || !Character.isLowSurrogate(s.charAt(i + 1))) {
                    throw new IllegalArgumentException(
                            what + " has an unpaired surrogate at index " + i);
                }
                i++;
                bytes += 4;
            } else if (Character.isLowSurrogate(c)) {
                throw new IllegalArgumentException(
                        what + " has an unpaired surrogate at index " + i);
            } else {
                bytes += 3;
            }
        }
        if (bytes > MAX_ENCODED_LENGTH) {
            throw new IllegalArgumentException(
                    what + " is " + bytes + " UTF-8 bytes, more than 65535");
        }
        return bytes;
    }

    /** Checks {@code s} as {@link #checkedUtf8Length} does and returns it. */
    public static String requireValid(String s, String what) {
        if (s == null) {
            throw new NullPointerException(what);
        }
        checkedUtf8Length(s, what);
        return s;
    }

    /** UTF-8 bytes of a string already known to be valid. */
    public static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
