package io.thingflux.alink;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.Collection;
import java.util.Map;

/**
 * Writes Alink JSON straight into a byte array, with the same bytes Jackson's {@code UTF8JsonGenerator}
 * writes for the same value (compact, {@code "\/"} not escaped, control characters as {@code \b \t \n \f \r}
 * or {@code \}{@code u00XX} with upper-case hex, other characters as UTF-8), without a generator, an output
 * stream and their buffers per message: every request a device posts is written here.
 *
 * <p>What it does not reproduce byte for byte it refuses with {@link #FALLBACK} (a string holding a UTF-16
 * surrogate, nesting deeper than {@value #MAX_DEPTH}), and the caller writes that value with Jackson instead.
 * Not thread-safe: one writer per message (or per thread, reset between messages).
 */
final class JsonBytesWriter {

    /** Thrown (without a stack trace) for a value to be written by Jackson instead. */
    static final RuntimeException FALLBACK = new RuntimeException("written by Jackson instead", null, false, false) {
        private static final long serialVersionUID = 1L;
    };

    /** Deeper than this, Jackson writes the value (and applies its own nesting limit). */
    static final int MAX_DEPTH = 200;

    /** A scratch array larger than this is not kept for the next message. */
    private static final int MAX_KEPT = 16 * 1024;

    private static final ThreadLocal<JsonBytesWriter> SCRATCH = new ThreadLocal<>();

    private byte[] buf;
    private int len;
    private boolean inUse;

    private JsonBytesWriter(int capacity) {
        this.buf = new byte[capacity];
    }

    /**
     * This thread's writer, emptied, or a new one when this thread's is in use (a value whose
     * {@code toString} or iteration writes JSON itself). Hand it back with {@link #release()}.
     */
    static JsonBytesWriter acquire() {
        JsonBytesWriter w = SCRATCH.get();
        if (w == null) {
            w = new JsonBytesWriter(512);
            SCRATCH.set(w);
        } else if (w.inUse) {
            return new JsonBytesWriter(256);
        }
        w.inUse = true;
        w.len = 0;
        return w;
    }

    void release() {
        inUse = false;
        if (buf.length > MAX_KEPT) {
            buf = new byte[512];
        }
    }

    /** What was written, as a new array. */
    byte[] toByteArray() {
        return Arrays.copyOf(buf, len);
    }

    private void ensure(int more) {
        if (len + more > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
        }
    }

    /** Appends bytes written before. */
    JsonBytesWriter raw(byte[] bytes) {
        ensure(bytes.length);
        System.arraycopy(bytes, 0, buf, len, bytes.length);
        len += bytes.length;
        return this;
    }

    /** Appends ASCII text as is (JSON punctuation, numbers). */
    @SuppressWarnings("deprecation") // String.getBytes(int, int, byte[], int): exact for ASCII, and a plain copy
    JsonBytesWriter ascii(String s) {
        int n = s.length();
        ensure(n);
        s.getBytes(0, n, buf, len); // ASCII only: the deprecated method is exact for it, and fast
        len += n;
        return this;
    }

    JsonBytesWriter ascii(char c) {
        ensure(1);
        buf[len++] = (byte) c;
        return this;
    }

    /** Appends {@code value} in decimal. */
    JsonBytesWriter number(long value) {
        if (value >= 0 && value < 10) {
            return ascii((char) ('0' + value));
        }
        return ascii(Long.toString(value));
    }

    /** Appends {@code s} as a JSON string, quoted and escaped; {@code null} as {@code null}. */
    JsonBytesWriter string(String s) {
        if (s == null) {
            return ascii("null");
        }
        int n = s.length();
        ensure(n + 2);
        byte[] b = buf;
        int at = len;
        b[at++] = '"';
        int i = 0;
        // the common case: plain ASCII, one byte a char
        for (; i < n; i++) {
            char c = s.charAt(i);
            if (!JsonStrings.isPlainAscii(c)) {
                break;
            }
            b[at++] = (byte) c;
        }
        len = at;
        if (i < n) {
            escapedTail(s, i);
        }
        ensure(1);
        buf[len++] = '"';
        return this;
    }

    private void escapedTail(String s, int from) {
        int n = JsonStrings.escapedLength(s, from);
        if (n < 0) {
            throw FALLBACK; // a surrogate: Jackson writes it
        }
        ensure(n);
        len = JsonStrings.writeEscaped(s, from, buf, len);
    }

    /**
     * Appends any value {@link AlinkJson#writeValue} writes, as it writes it.
     *
     * @throws IllegalArgumentException as {@link AlinkJson#writeValue} does
     */
    JsonBytesWriter value(Object value) {
        value(value, 0);
        return this;
    }

    private void value(Object value, int depth) {
        // the order of AlinkJson.writeValue, which decides for a value of several of these types
        if (value == null) {
            ascii("null");
        } else if (value instanceof String s) {
            string(s);
        } else if (value instanceof CharSequence cs) {
            string(cs.toString());
        } else if (value instanceof Boolean b) {
            ascii(b ? "true" : "false");
        } else if (value instanceof Integer || value instanceof Short || value instanceof Byte
                || value instanceof Long) {
            number(((Number) value).longValue());
        } else if (value instanceof BigInteger bi) {
            ascii(bi.toString());
        } else if (value instanceof Double || value instanceof Float || value instanceof BigDecimal) {
            ascii(AlinkJson.decimal((Number) value));
        } else if (value instanceof TimedValue tv) {
            if (depth >= MAX_DEPTH) {
                throw FALLBACK;
            }
            ascii("{\"value\":");
            value(tv.value(), depth + 1);
            ascii(",\"time\":");
            number(tv.timeMillis());
            ascii('}');
        } else if (value instanceof Map<?, ?> m) {
            if (depth >= MAX_DEPTH) {
                throw FALLBACK;
            }
            ascii('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (!(e.getKey() instanceof String key)) {
                    throw new IllegalArgumentException("object keys must be non-null strings");
                }
                if (!first) {
                    ascii(',');
                }
                first = false;
                string(key);
                ascii(':');
                value(e.getValue(), depth + 1);
            }
            ascii('}');
        } else if (value instanceof Collection<?> c) {
            if (depth >= MAX_DEPTH) {
                throw FALLBACK;
            }
            ascii('[');
            boolean first = true;
            for (Object o : c) {
                if (!first) {
                    ascii(',');
                }
                first = false;
                value(o, depth + 1);
            }
            ascii(']');
        } else {
            throw new IllegalArgumentException(value.getClass().getName() + " cannot be written as Alink JSON");
        }
    }
}
