package io.thingflux.alink;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads the reply a device gets for almost every post without Jackson: one flat JSON object of ASCII strings
 * without escapes, integers, {@code true false null} and empty objects, such as
 * {@code {"id":"42","code":200,"data":{},"message":"success","method":"thing.event.property.post"}}. It
 * yields exactly what Jackson's reading would (same value types: {@code Integer} or {@code Long} for an
 * integer, an empty unmodifiable map for {@code {}}); anything else (escapes, non-ASCII, fractions,
 * exponents, non-empty objects or arrays, a sign, malformed input) it leaves to Jackson by returning
 * {@code null}, so errors and their messages stay Jackson's path's.
 */
final class FlatReplyReader {

    /** What {@code {}} reads as: an empty, unmodifiable, insertion-ordered map. */
    private static final Map<String, Object> EMPTY_OBJECT = Collections.unmodifiableMap(new LinkedHashMap<>());
    /** A string value ends at one of these or the closing quote; 0: plain, 1: stop. */
    private static final boolean[] STRING_STOP = new boolean[256];

    static {
        for (int b = 0; b < 256; b++) {
            STRING_STOP[b] = b < 0x20 || b >= 0x7F || b == '"' || b == '\\';
        }
    }

    private FlatReplyReader() {
    }

    /** The reply, or {@code null} to read it with Jackson. */
    static AlinkReply read(byte[] p) {
        int n = p.length;
        int i = skipSpace(p, 0);
        if (i >= n || p[i] != '{') {
            return null;
        }
        Object id = null;
        Object code = null;
        Object data = null;
        Object message = null;
        Object method = null;
        i = skipSpace(p, i + 1);
        if (i < n && p[i] == '}') {
            i++;
        } else {
            for (;;) {
                // "name"
                if (i >= n || p[i] != '"') {
                    return null;
                }
                int nameStart = i + 1;
                int nameEnd = stringEnd(p, nameStart);
                if (nameEnd < 0) {
                    return null;
                }
                i = skipSpace(p, nameEnd + 1);
                if (i >= n || p[i] != ':') {
                    return null;
                }
                i = skipSpace(p, i + 1);
                if (i >= n) {
                    return null;
                }
                // the value
                Object v;
                byte b = p[i];
                if (b == '"') {
                    int end = stringEnd(p, i + 1);
                    if (end < 0) {
                        return null;
                    }
                    v = ascii(p, i + 1, end);
                    i = end + 1;
                } else if (b >= '0' && b <= '9') {
                    int start = i;
                    long value = 0;
                    while (i < n && p[i] >= '0' && p[i] <= '9') {
                        value = value * 10 + (p[i] - '0');
                        i++;
                    }
                    int digits = i - start;
                    if (digits > 18 || (digits > 1 && p[start] == '0')) {
                        return null; // beyond a long's sure range, or a leading zero Jackson refuses
                    }
                    v = value <= Integer.MAX_VALUE ? (Object) (int) value : (Object) value;
                } else if (b == '{') {
                    i = skipSpace(p, i + 1);
                    if (i >= n || p[i] != '}') {
                        return null;
                    }
                    i++;
                    v = EMPTY_OBJECT;
                } else if (b == 't' && literal(p, i, "true")) {
                    v = Boolean.TRUE;
                    i += 4;
                } else if (b == 'f' && literal(p, i, "false")) {
                    v = Boolean.FALSE;
                    i += 5;
                } else if (b == 'n' && literal(p, i, "null")) {
                    v = null;
                    i += 4;
                } else {
                    return null;
                }
                // a value ends at a separator: "200x" or "truex" is Jackson's to refuse
                if (i < n && !isSpace(p[i]) && p[i] != ',' && p[i] != '}') {
                    return null;
                }
                switch (field(p, nameStart, nameEnd)) {
                    case 1 -> id = v;
                    case 2 -> code = v;
                    case 3 -> data = v;
                    case 4 -> message = v;
                    case 5 -> method = v;
                    default -> { } // e.g. "version"
                }
                i = skipSpace(p, i);
                if (i >= n) {
                    return null;
                }
                if (p[i] == ',') {
                    i = skipSpace(p, i + 1);
                } else if (p[i] == '}') {
                    i++;
                    break;
                } else {
                    return null;
                }
            }
        }
        if (skipSpace(p, i) != n) {
            return null; // trailing content: Jackson's path says so
        }
        return AlinkJson.reply(id, code, data, message, method);
    }

    /** 1 id, 2 code, 3 data, 4 message, 5 method, 0 another name. */
    private static int field(byte[] p, int from, int to) {
        int len = to - from;
        if (len == 2 && p[from] == 'i' && p[from + 1] == 'd') {
            return 1;
        }
        if (len == 4) {
            if (is(p, from, "code")) {
                return 2;
            }
            if (is(p, from, "data")) {
                return 3;
            }
        } else if (len == 7 && is(p, from, "message")) {
            return 4;
        } else if (len == 6 && is(p, from, "method")) {
            return 5;
        }
        return 0;
    }

    private static boolean is(byte[] p, int from, String name) {
        for (int k = 0; k < name.length(); k++) {
            if (p[from + k] != name.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    private static boolean literal(byte[] p, int at, String word) {
        return at + word.length() <= p.length && is(p, at, word);
    }

    /** The index of the closing quote of a plain string starting at {@code from}, or -1 if it is not plain. */
    private static int stringEnd(byte[] p, int from) {
        for (int i = from; i < p.length; i++) {
            byte b = p[i];
            if (STRING_STOP[b & 0xFF]) {
                return b == '"' ? i : -1;
            }
        }
        return -1;
    }

    @SuppressWarnings("deprecation") // String(byte[], int hibyte, int, int): exact for ASCII, and a plain copy
    private static String ascii(byte[] p, int from, int to) {
        return new String(p, 0, from, to - from);
    }

    private static boolean isSpace(byte b) {
        return b == ' ' || b == '\n' || b == '\r' || b == '\t';
    }

    private static int skipSpace(byte[] p, int i) {
        while (i < p.length && isSpace(p[i])) {
            i++;
        }
        return i;
    }
}
