package io.thingflux.alink;

/**
 * JSON strings in UTF-8 bytes, escaped exactly as Jackson writes them: {@code \"} and {@code \\}, the short
 * forms {@code \b \t \n \f \r}, other control characters as {@code \}{@code u00XX} (upper-case hex); {@code /}
 * and non-ASCII characters as they are. The one escaping of the direct Alink writers on both sides: a device's
 * requests and replies, and the platform emulator's replies. Surrogates are left to the caller (Jackson writes a
 * pair as one 4-byte character and refuses a lone one): {@link #escapedLength} reports them.
 */
public final class JsonStrings {

    private static final byte[] HEX = {'0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'A', 'B', 'C', 'D', 'E', 'F'};
    /** For ASCII: 0 written as is, -1 as {@code \}{@code u00XX}, another value as a backslash and that char. */
    private static final int[] ESCAPES = new int[128];

    static {
        for (int c = 0; c < 0x20; c++) {
            ESCAPES[c] = -1;
        }
        ESCAPES['\b'] = 'b';
        ESCAPES['\t'] = 't';
        ESCAPES['\n'] = 'n';
        ESCAPES['\f'] = 'f';
        ESCAPES['\r'] = 'r';
        ESCAPES['"'] = '"';
        ESCAPES['\\'] = '\\';
    }

    private JsonStrings() {
    }

    /** Whether {@code c} is written as a single byte, itself: ASCII that needs no escape. */
    public static boolean isPlainAscii(char c) {
        return c < 0x80 && ESCAPES[c] == 0;
    }

    /** Whether {@code c} is ASCII written escaped. */
    public static boolean needsEscape(char c) {
        return c < 0x80 && ESCAPES[c] != 0;
    }

    /**
     * How many bytes {@link #writeEscaped} writes for {@code s} from index {@code from} on (no quotes), or -1 when
     * that part holds a surrogate.
     */
    public static int escapedLength(String s, int from) {
        int length = 0;
        for (int i = from, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                int e = ESCAPES[c];
                length += e == 0 ? 1 : e > 0 ? 2 : 6;
            } else if (c < 0x800) {
                length += 2;
            } else if (Character.isSurrogate(c)) {
                return -1;
            } else {
                length += 3;
            }
        }
        return length;
    }

    /**
     * Writes {@code s} from index {@code from} on, escaped, into {@code out} at {@code at}, which has room for
     * {@link #escapedLength} bytes (that part holds no surrogate); returns the index after the last byte.
     */
    public static int writeEscaped(String s, int from, byte[] out, int at) {
        for (int i = from, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                int e = ESCAPES[c];
                if (e == 0) {
                    out[at++] = (byte) c;
                } else if (e > 0) {
                    out[at++] = '\\';
                    out[at++] = (byte) e;
                } else {
                    out[at++] = '\\';
                    out[at++] = 'u';
                    out[at++] = '0';
                    out[at++] = '0';
                    out[at++] = HEX[c >> 4];
                    out[at++] = HEX[c & 0xF];
                }
            } else if (c < 0x800) {
                out[at++] = (byte) (0xC0 | (c >> 6));
                out[at++] = (byte) (0x80 | (c & 0x3F));
            } else {
                out[at++] = (byte) (0xE0 | (c >> 12));
                out[at++] = (byte) (0x80 | ((c >> 6) & 0x3F));
                out[at++] = (byte) (0x80 | (c & 0x3F));
            }
        }
        return at;
    }
}
