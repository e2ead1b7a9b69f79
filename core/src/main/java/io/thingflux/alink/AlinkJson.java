package io.thingflux.alink;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes Alink JSON with the Jackson streaming core: request envelopes {@code
 * {"id","version"[,"sys":{"ack":0|1}],"params","method"}} and replies {@code
 * {"id","code","data"[,"message"]}}.
 *
 * <p>Written: ids always as strings, version {@code "1.0"}, floating-point values always with a
 * decimal point ({@code 1.0}, never {@code 1}; the platform refuses a float property without one).
 * Doubles are written with every digit {@link Double#toString} gives, so they read back equal; NaN
 * and infinities are refused with {@link IllegalArgumentException}. Strings are escaped as RFC 8259
 * requires. Read: ids as strings or numbers, objects as insertion-ordered unmodifiable maps, arrays
 * as unmodifiable lists, integral numbers as {@code Integer}, {@code Long} or {@code BigInteger},
 * others as {@code Double}. Unknown fields are ignored; anything that is not JSON, or not the
 * envelope asked for, is a {@link MalformedAlinkException}. Thread-safe.
 */
public final class AlinkJson {

    /** The Alink protocol version written in every request. */
    public static final String VERSION = "1.0";

    /** Nesting depth accepted when reading. */
    public static final int MAX_READ_DEPTH = 64;

    private static final JsonFactory FACTORY =
            JsonFactory.builder()
                    .streamReadConstraints(
                            StreamReadConstraints.builder().maxNestingDepth(MAX_READ_DEPTH).build())
                    .build();

    private AlinkJson() {}

    /**
     * A request envelope.
     *
     * @param ack {@code null} to leave {@code sys} out (the platform then replies), 0 or 1 to write
     *     it
     * @throws IllegalArgumentException for params JSON cannot carry
     */
    public static byte[] encodeRequest(String id, String method, Object params, Integer ack) {
        return write(
                g -> {
                    g.writeStartObject();
                    g.writeStringField("id", id);
                    g.writeStringField("version", VERSION);
                    if (ack != null) {
                        g.writeObjectFieldStart("sys");
                        g.writeNumberField("ack", ack);
                        g.writeEndObject();
                    }
                    g.writeFieldName("params");
                    writeValue(g, params == null ? Map.of() : params);
                    if (method != null) {
                        g.writeStringField("method", method);
                    }
                    g.writeEndObject();
                });
    }

    /**
     * A request envelope written but for its id, for a device that sends it with ids it picks when
     * sending: {@code params} and {@code method} are written now, once, and {@link
     * RequestFrame#withId(long)} puts the id in front. The bytes are those of {@link
     * #encodeRequest(String, String, Object, Integer)} with the id in decimal and no {@code sys}.
     *
     * @throws IllegalArgumentException for params JSON cannot carry
     */
    static RequestFrame requestFrame(String method, Object params) {
        // params, then the method as a second root value (no separator): one generator for both
        int paramsEnd;
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.setRootValueSeparator(null);
            writeValue(g, params == null ? Map.of() : params);
            g.flush();
            paramsEnd = out.size();
            if (method != null) {
                g.writeString(method);
            }
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    "cannot be written as Alink JSON (" + e.getClass().getSimpleName() + ")", e);
        }
        return new RequestFrame(out.toByteArray(), paramsEnd);
    }

    private static final byte[] REQUEST_HEAD = "{\"id\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] REQUEST_AFTER_ID =
            ("\",\"version\":\"" + VERSION + "\",\"params\":").getBytes(StandardCharsets.US_ASCII);
    private static final byte[] METHOD_FIELD = ",\"method\":".getBytes(StandardCharsets.US_ASCII);

    /** A request envelope without its id; see {@link #requestFrame(String, Object)}. Immutable. */
    static final class RequestFrame {
        /** The params' JSON, then the method's as a JSON string (if there is a method). */
        private final byte[] body;

        private final int paramsEnd;

        private RequestFrame(byte[] body, int paramsEnd) {
            this.body = body;
            this.paramsEnd = paramsEnd;
        }

        /**
         * The whole envelope with {@code id} (not negative), written as a string of its decimal
         * digits.
         */
        byte[] withId(long id) {
            if (id < 0) {
                throw new IllegalArgumentException("negative id " + id);
            }
            int digits = 1;
            for (long v = id; v >= 10; v /= 10) {
                digits++;
            }
            int afterId = REQUEST_HEAD.length + digits;
            int at = afterId + REQUEST_AFTER_ID.length;
            boolean hasMethod = paramsEnd < body.length;
            byte[] out = new byte[at + body.length + (hasMethod ? METHOD_FIELD.length : 0) + 1];
            System.arraycopy(REQUEST_HEAD, 0, out, 0, REQUEST_HEAD.length);
            long v = id;
            for (int i = afterId - 1; i >= REQUEST_HEAD.length; i--) {
                out[i] = (byte) ('0' + v % 10);
                v /= 10;
            }
            System.arraycopy(REQUEST_AFTER_ID, 0, out, afterId, REQUEST_AFTER_ID.length);
            System.arraycopy(body, 0, out, at, paramsEnd);
            at += paramsEnd;
            if (hasMethod) {
                System.arraycopy(METHOD_FIELD, 0, out, at, METHOD_FIELD.length);
                at += METHOD_FIELD.length;
                System.arraycopy(body, paramsEnd, out, at, body.length - paramsEnd);
                at += body.length - paramsEnd;
            }
            out[at] = '}';
            return out;
        }
    }

    /**
     * A reply: {@code {"id","code","data"[,"message"]}}; {@code null} data is written {@code {}}.
     *
     * @throws IllegalArgumentException for data JSON cannot carry
     */
    public static byte[] encodeReply(String id, int code, Object data, String message) {
        return write(
                g -> {
                    g.writeStartObject();
                    g.writeStringField("id", id);
                    g.writeNumberField("code", code);
                    g.writeFieldName("data");
                    writeValue(g, data == null ? Map.of() : data);
                    if (message != null) {
                        g.writeStringField("message", message);
                    }
                    g.writeEndObject();
                });
    }

    /**
     * Any value {@link AlinkValidation#requireValue} accepts, as JSON; a {@code String} becomes a
     * quoted JSON string (RFC 8259 escapes, UTF-8).
     *
     * @throws IllegalArgumentException for a value JSON cannot carry
     */
    public static byte[] encodeValue(Object value) {
        return write(g -> writeValue(g, value));
    }

    /** Reads a request envelope. @throws MalformedAlinkException when it is not one */
    public static AlinkRequest decodeRequest(byte[] payload) {
        Map<String, Object> o = decodeObject(payload, "request");
        Integer ack = null;
        if (o.get("sys") instanceof Map<?, ?> sys && sys.get("ack") instanceof Number n) {
            ack = n.intValue();
        }
        return new AlinkRequest(
                id(o, true),
                optionalString(o, "version"),
                optionalString(o, "method"),
                o.get("params"),
                ack);
    }

    /** Reads a reply. @throws MalformedAlinkException when it is not one */
    public static AlinkReply decodeReply(byte[] payload) {
        // the envelope's five fields read as they come, the rest skipped: no map for the envelope
        Object id = null;
        Object code = null;
        Object data = null;
        Object message = null;
        Object method = null;
        try (JsonParser p = FACTORY.createParser(payload)) {
            JsonToken t = p.nextToken();
            if (t == null) {
                throw new MalformedAlinkException("empty payload");
            }
            if (t != JsonToken.START_OBJECT) {
                readValue(p, t); // a malformed value is reported as such, not as "not an object"
                throw new MalformedAlinkException("reply is not a JSON object");
            }
            for (JsonToken n = p.nextToken(); n != JsonToken.END_OBJECT; n = p.nextToken()) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                switch (name) {
                    case "id" -> id = readValue(p, value);
                    case "code" -> code = readValue(p, value);
                    case "data" -> data = readValue(p, value);
                    case "message" -> message = readValue(p, value);
                    case "method" -> method = readValue(p, value);
                    default -> p.skipChildren(); // not part of a reply (e.g. "version")
                }
            }
            if (p.nextToken() != null) {
                throw new MalformedAlinkException("trailing content after the JSON value");
            }
        } catch (IOException e) {
            throw new MalformedAlinkException(
                    "not valid JSON (" + e.getClass().getSimpleName() + ")", null);
        }
        return reply(id, code, data, message, method);
    }

    static AlinkReply reply(Object id, Object code, Object data, Object message, Object method) {
        int c;
        if (code instanceof Integer i) {
            c = i;
        } else if (code instanceof String s && s.matches("-?[0-9]{1,9}")) {
            c = Integer.parseInt(s);
        } else {
            throw new MalformedAlinkException("reply without an integer \"code\"");
        }
        return new AlinkReply(
                idOf(id, true),
                c,
                data,
                optionalString(message, "message"),
                optionalString(method, "method"));
    }

    /** Reads a JSON object. @throws MalformedAlinkException when the payload is not one */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> decodeObject(byte[] payload, String what) {
        Object v = decode(payload);
        if (!(v instanceof Map<?, ?>)) {
            throw new MalformedAlinkException(what + " is not a JSON object");
        }
        return (Map<String, Object>) v;
    }

    /** Reads any JSON value. @throws MalformedAlinkException when the payload is not JSON */
    public static Object decode(byte[] payload) {
        try (JsonParser p = FACTORY.createParser(payload)) {
            JsonToken t = p.nextToken();
            if (t == null) {
                throw new MalformedAlinkException("empty payload");
            }
            Object v = readValue(p, t);
            if (p.nextToken() != null) {
                throw new MalformedAlinkException("trailing content after the JSON value");
            }
            return v;
        } catch (IOException e) {
            // Jackson's message quotes some of the input; keep only the location
            throw new MalformedAlinkException(
                    "not valid JSON (" + e.getClass().getSimpleName() + ")", null);
        }
    }

    /**
     * The {@code id} field as a string, accepting a string or an integral number.
     *
     * @param required whether a missing id is an error ({@code null} is returned otherwise)
     */
    public static String id(Map<String, Object> o, boolean required) {
        return idOf(o.get("id"), required);
    }

    private static String idOf(Object id, boolean required) {
        if (id instanceof String s) {
            return s;
        }
        if (id instanceof Integer || id instanceof Long || id instanceof BigInteger) {
            return id.toString();
        }
        if (id == null && !required) {
            return null;
        }
        throw new MalformedAlinkException(
                id == null ? "no \"id\"" : "\"id\" is neither a string nor an integer");
    }

    private static String optionalString(Map<String, Object> o, String field) {
        return optionalString(o.get(field), field);
    }

    private static String optionalString(Object v, String field) {
        if (v == null) {
            return null;
        }
        if (v instanceof String s) {
            return s;
        }
        throw new MalformedAlinkException("\"" + field + "\" is not a string");
    }

    private static Object readValue(JsonParser p, JsonToken t) throws IOException {
        switch (t) {
            case START_OBJECT:
                {
                    if (p.nextToken() == JsonToken.END_OBJECT) {
                        return Map.of(); // a reply's "data":{}, most often
                    }
                    Map<String, Object> m = new LinkedHashMap<>();
                    for (JsonToken n = p.currentToken();
                            n != JsonToken.END_OBJECT;
                            n = p.nextToken()) {
                        String name = p.currentName();
                        m.put(name, readValue(p, p.nextToken()));
                    }
                    return Collections.unmodifiableMap(m);
                }
            case START_ARRAY:
                {
                    List<Object> l = new ArrayList<>();
                    for (JsonToken n = p.nextToken(); n != JsonToken.END_ARRAY; n = p.nextToken()) {
                        l.add(readValue(p, n));
                    }
                    return Collections.unmodifiableList(l);
                }
            case VALUE_STRING:
                return p.getText();
            case VALUE_NUMBER_INT:
                return switch (p.getNumberType()) {
                    case INT -> p.getIntValue();
                    case LONG -> p.getLongValue();
                    default -> p.getBigIntegerValue();
                };
            case VALUE_NUMBER_FLOAT:
                {
                    double d = p.getDoubleValue();
                    if (Double.isInfinite(d)) {
                        // e.g. 1e999: no thing-model type holds it, and it could not be sent back
                        throw new MalformedAlinkException("number outside the range of a double");
                    }
                    return d;
                }
            case VALUE_TRUE:
                return Boolean.TRUE;
            case VALUE_FALSE:
                return Boolean.FALSE;
            case VALUE_NULL:
                return null;
            default:
                throw new MalformedAlinkException("unexpected JSON token " + t);
        }
    }

    /**
     * Writes {@code value}; see the class comment for the types. {@link TimedValue} becomes {@code
     * {"value":..,"time":..}}.
     *
     * @throws IllegalArgumentException for a type JSON cannot carry or a non-finite number
     */
    public static void writeValue(JsonGenerator g, Object value) throws IOException {
        if (value == null) {
            g.writeNull();
        } else if (value instanceof String s) {
            g.writeString(s);
        } else if (value instanceof CharSequence cs) {
            g.writeString(cs.toString());
        } else if (value instanceof Boolean b) {
            g.writeBoolean(b);
        } else if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
            g.writeNumber(((Number) value).intValue());
        } else if (value instanceof Long l) {
            g.writeNumber(l);
        } else if (value instanceof BigInteger bi) {
            g.writeNumber(bi);
        } else if (value instanceof Double
                || value instanceof Float
                || value instanceof BigDecimal) {
            g.writeNumber(decimal((Number) value));
        } else if (value instanceof TimedValue tv) {
            g.writeStartObject();
            g.writeFieldName("value");
            writeValue(g, tv.value());
            g.writeNumberField("time", tv.timeMillis());
            g.writeEndObject();
        } else if (value instanceof Map<?, ?> m) {
            g.writeStartObject();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (!(e.getKey() instanceof String key)) {
                    throw new IllegalArgumentException("object keys must be non-null strings");
                }
                g.writeFieldName(key);
                writeValue(g, e.getValue());
            }
            g.writeEndObject();
        } else if (value instanceof Collection<?> c) {
            g.writeStartArray();
            for (Object o : c) {
                writeValue(g, o);
            }
            g.writeEndArray();
        } else {
            throw new IllegalArgumentException(
                    value.getClass().getName() + " cannot be written as Alink JSON");
        }
    }

    /**
     * A floating-point number as JSON text that always has a decimal point or an exponent: 1.0,
     * 23.6, 1.0E10.
     */
    static String decimal(Number n) {
        String s;
        if (n instanceof BigDecimal bd) {
            s = bd.toPlainString();
        } else if (n instanceof Float f) {
            if (f.isNaN() || f.isInfinite()) {
                throw new IllegalArgumentException(
                        f + " cannot be sent, JSON has no NaN or Infinity");
            }
            s = Float.toString(f);
        } else {
            double d = n.doubleValue();
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                throw new IllegalArgumentException(
                        d + " cannot be sent, JSON has no NaN or Infinity");
            }
            s = Double.toString(d);
        }
        if (s.indexOf('.') < 0 && s.indexOf('E') < 0 && s.indexOf('e') < 0) {
            s = s + ".0";
        }
        return s;
    }

    private interface Writer {
        void write(JsonGenerator g) throws IOException;
    }

    /**
     * What {@code w} writes, as bytes; the generator's refusals (e.g. nesting too deep) as
     * IllegalArgumentException.
     */
    private static byte[] write(Writer w) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            w.write(g);
        } catch (IOException e) {
            // a ByteArrayOutputStream does not fail: this is Jackson refusing the value
            throw new IllegalArgumentException(
                    "cannot be written as Alink JSON (" + e.getClass().getSimpleName() + ")", e);
        }
        return out.toByteArray();
    }
}
