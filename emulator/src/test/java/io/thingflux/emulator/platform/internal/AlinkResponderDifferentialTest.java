package io.thingflux.emulator.platform.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import io.thingflux.aliyun.AliyunLimits;
import io.thingflux.emulator.platform.PropertyValue;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The emulator's answers to posts (reply bytes, kept properties, exceptions) against the tree-based code that
 * answered them before the streaming reader and the direct reply writer: the request read into a Jackson tree and
 * its properties kept by the tree reader (the emulator's own, which still answers batch posts and what the
 * streaming reader hands back), the reply written by Jackson's {@code JsonGenerator} here. For generated
 * requests: ids, methods and values with escapes and non-ASCII text, nested and unusual values,
 * duplicate keys, {@code sys.ack} in many shapes, and malformed payloads.
 */
class AlinkResponderDifferentialTest {

    private static final String PK = "a1pk";
    private static final String DN = "dev1";
    private static final long NOW = 1_790_000_000_000L;

    private final AlinkResponder responder = new AlinkResponder(null);

    @Test
    void answersAndKeptPropertiesMatchTheTreeBasedCode() {
        Random random = new Random(20261123L);
        int streamed = 0;
        int cases = 20_000;
        for (int i = 0; i < cases; i++) {
            String rest = topicRest(random);
            // half the requests are of the kinds devices send, half anything
            byte[] payload = payload(random, random.nextBoolean());
            int prefill = random.nextInt(50) == 0 ? DeviceState.MAX_PROPERTIES - 3 : 0;
            if (compare(rest, payload, prefill)) {
                streamed++;
            }
        }
        // most generated requests are ones the streaming reader answers itself
        assertThat(streamed).isGreaterThan(cases / 3);
    }

    @Test
    void knownRequestsMatchTheTreeBasedCode() {
        String[] payloads = {
            "{\"id\":\"1\",\"version\":\"1.0\",\"params\":{\"t\":21.5,\"on\":true},"
                    + "\"method\":\"thing.event.property.post\"}",
            "{\"id\":1,\"params\":{\"t\":{\"value\":3,\"time\":1700000000000}}}",
            "{\"id\":\"a\\\"b\\\\c/\\u0001\\n é 中 😀\",\"params\":{}}",
            "{\"id\":\"\\ud800\",\"params\":{}}",
            "{\"id\":\"1\",\"method\":\"\\udc00x\",\"params\":{}}",
            "{\"id\":\"1\",\"sys\":{\"ack\":0},\"params\":{\"a\":1}}",
            "{\"id\":\"1\",\"sys\":{\"ack\":4294967296},\"params\":{\"a\":1}}",
            "{\"id\":\"1\",\"sys\":{\"ack\":\"0\"},\"params\":{\"a\":1}}",
            "{\"id\":\"1\",\"params\":{\"a\":1,\"a\":2,\"b\":3}}",
            "{\"id\":\"1\",\"params\":[1]}",
            "{\"id\":null,\"params\":{\"a\":1}}",
            "{\"params\":{\"a\":1}}",
            "{\"id\":1.5,\"params\":{\"a\":1}}",
            "{\"id\":123456789012345678901234567890,\"params\":{\"a\":1}}",
            "{\"id\":\"1\",\"params\":{\"a\":1e400,\"b\":-0,\"c\":-0.0,\"d\":12345678901234567890}}",
            "{\"id\":\"1\",\"params\":{\"a\":1}} trailing",
            "{\"id\":\"1\",\"params\":{\"a\":\"\u00ff\"}, \"x\":\"" + "\u00e9" + "\"}",
            "[1,2]", "\"text\"", "", "   ", "null", "{", "{\"id\":\"1\",\"params\":{\"a\":1}",
        };
        String[] rests = {"thing/event/property/post", "thing/event/alarm/post", "thing/event/property/batch/post"};
        for (String rest : rests) {
            for (String p : payloads) {
                compare(rest, p.getBytes(StandardCharsets.UTF_8), 0);
            }
            compare(rest, new byte[] {'{', '"', 'i', 'd', '"', ':', '"', (byte) 0xC3, '(', '"', '}'}, 0);
            // not UTF-8: a Latin-1 é in a string the reader otherwise steps over
            compare(rest, "{\"id\":\"1\",\"params\":{\"a\":1},\"x\":\"\u00e9\"}"
                    .getBytes(StandardCharsets.ISO_8859_1), 0);
        }
        StringBuilder many = new StringBuilder("{\"id\":\"7\",\"params\":{");
        for (int i = 0; i <= AliyunLimits.MAX_PROPERTIES_PER_POST; i++) {
            many.append(i == 0 ? "" : ",").append("\"p").append(i).append("\":").append(i);
            String json = many + "}}";
            compare("thing/event/property/post", json.getBytes(StandardCharsets.UTF_8), 0);
        }
    }

    @Test
    void repliesAreTheBytesJacksonWrites() throws IOException {
        Random random = new Random(7L);
        for (int i = 0; i < 20_000; i++) {
            String method = random.nextInt(4) == 0 ? "thing.event.property.post" : randomString(random);
            Object id = random.nextBoolean() ? randomString(random) : random.nextBoolean() ? null : random.nextLong();
            String json = "{\"id\":" + (id instanceof String ? jsonString(random, (String) id) : String.valueOf(id))
                    + ",\"method\":" + jsonString(random, method) + ",\"params\":{}}";
            compare("thing/event/x/post", json.getBytes(StandardCharsets.UTF_8), 0);
        }
        assertThat(new String(AlinkResponder.replyWithJackson("i\u00e9/\u0001", 460, "m\"\\"),
                StandardCharsets.UTF_8)).isEqualTo(
                "{\"id\":\"i\u00e9/\\u0001\",\"code\":460,\"data\":{},\"message\":\"request parameter error\","
                        + "\"method\":\"m\\\"\\\\\",\"version\":\"1.0\"}");
    }

    @Test
    void referenceIsTheOldCode() {
        // a sanity check of the reference itself: a plain post is answered as before
        DeviceState d = device(0);
        byte[] reply = oldAnswer(d, "thing/event/property/post",
                "{\"id\":\"9\",\"params\":{\"t\":1}}".getBytes(StandardCharsets.UTF_8));
        assertThat(new String(Objects.requireNonNull(reply), StandardCharsets.UTF_8)).isEqualTo(
                "{\"id\":\"9\",\"code\":200,\"data\":{},\"message\":\"success\","
                        + "\"method\":\"thing.event.property.post\",\"version\":\"1.0\"}");
        assertThat(d.properties()).containsEntry("t", new PropertyValue("t", "1", NOW));
    }

    /** Compares both answers; returns whether the streaming reader answered without the tree. */
    private boolean compare(String rest, byte[] payload, int prefill) {
        String topic = "/sys/" + PK + "/" + DN + "/" + rest;
        int from = topic.length() - rest.length();
        DeviceState expectedDevice = device(prefill);
        DeviceState actualDevice = device(prefill);
        Outcome expected = outcome(() -> oldAnswer(expectedDevice, rest, payload));
        Outcome actual = outcome(() -> responder.answerPost(actualDevice, topic, from, payload, NOW));
        Map<String, PropertyValue> expectedProperties = expectedDevice.properties();
        Map<String, PropertyValue> actualProperties = actualDevice.properties();
        if (!Objects.equals(actual.failure, expected.failure) || !Arrays.equals(actual.reply, expected.reply)
                || !actualProperties.equals(expectedProperties)) {
            String what = rest + " " + new String(payload, StandardCharsets.UTF_8);
            assertThat(actual.failure).as(what).isEqualTo(expected.failure);
            assertThat(actual.reply == null ? null : new String(actual.reply, StandardCharsets.UTF_8)).as(what)
                    .isEqualTo(expected.reply == null ? null : new String(expected.reply, StandardCharsets.UTF_8));
            assertThat(actual.reply).as(what).isEqualTo(expected.reply);
            assertThat(actualProperties).as(what).isEqualTo(expectedProperties);
        }
        if (prefill > 0) {
            return false;
        }
        byte[] streamed;
        try {
            streamed = responder.answerPostStreaming(device(0), topic, from, payload, NOW);
        } catch (RuntimeException e) {
            return true;
        }
        return streamed != AlinkResponder.USE_TREE;
    }

    private static DeviceState device(int prefill) {
        DeviceState d = new DeviceState(PK, DN);
        for (int i = 0; i < prefill; i++) {
            d.putProperty(new PropertyValue("pre" + i, "0", 1));
        }
        return d;
    }

    private record Outcome(byte[] reply, String failure) {
    }

    private interface Answer {
        byte[] get();
    }

    private static Outcome outcome(Answer answer) {
        try {
            return new Outcome(answer.get(), null);
        } catch (RuntimeException e) {
            return new Outcome(null, e.getClass().getName() + ": " + e.getMessage());
        }
    }

    // ---- the reference: how posts were answered before (a Jackson tree in, a JsonGenerator out) ----
    // (each value's JSON text is AlinkResponder.jsonText, checked against Jackson in AlinkResponderJsonTextTest)

    private static byte[] oldAnswer(DeviceState device, String rest, byte[] payload) {
        String topicMethod = rest.replace('/', '.');
        JsonNode request = AlinkResponder.parseObject(payload);
        if (request == null) {
            return oldReply(null, topicMethod, 460, "request parameter error");
        }
        JsonNode id = request.get("id");
        String method = request.hasNonNull("method") ? request.get("method").asText() : topicMethod;
        JsonNode params = request.get("params");
        boolean valid = id != null && !id.isNull() && params != null && !params.isNull();
        if (valid && rest.equals("thing/event/property/post")) {
            valid = params.isObject();
            if (valid && params.size() > AliyunLimits.MAX_PROPERTIES_PER_POST) {
                return oldReply(id, method, 6106, "too many properties");
            }
            if (valid) {
                AlinkResponder.storeProperties(device, params, NOW);
            }
        } else if (valid && rest.equals("thing/event/property/batch/post")) {
            valid = params.isObject();
            if (valid) {
                AlinkResponder.storeBatch(device, params.get("properties"), NOW);
            }
        }
        JsonNode sys = request.get("sys");
        boolean ack = sys == null || !sys.has("ack") || sys.get("ack").asInt(1) != 0;
        if (!valid) {
            return oldReply(id, method, 460, "request parameter error");
        } else if (ack) {
            return oldReply(id, method, 200, "success");
        }
        return null;
    }

    private static byte[] oldReply(JsonNode id, String method, int code, String message) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        try (JsonGenerator g = AlinkResponder.JSON.getFactory().createGenerator(out)) {
            g.writeStartObject();
            g.writeFieldName("id");
            if (id == null) {
                g.writeNull();
            } else if (id.isTextual()) {
                g.writeString(id.textValue());
            } else if (id.isInt()) {
                g.writeNumber(id.intValue());
            } else if (id.isLong()) {
                g.writeNumber(id.longValue());
            } else {
                AlinkResponder.JSON.writeTree(g, id);
            }
            g.writeNumberField("code", code);
            g.writeFieldName("data");
            g.writeStartObject();
            g.writeEndObject();
            g.writeStringField("message", message);
            g.writeStringField("method", method);
            g.writeStringField("version", "1.0");
            g.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException("cannot write an Alink reply", e);
        }
        return out.toByteArray();
    }

    // ---- generated requests ----

    private static String topicRest(Random r) {
        int k = r.nextInt(10);
        if (k < 6) {
            return "thing/event/property/post";
        }
        if (k < 8) {
            return "thing/event/" + (r.nextBoolean() ? "alarm" : "property/pack") + "/post";
        }
        return "thing/event/property/batch/post";
    }

    private static byte[] payload(Random r, boolean plain) {
        int shape = plain ? 1 : r.nextInt(40);
        if (shape == 0) {
            String[] roots = {"", " ", "null", "1", "\"s\"", "[]", "[{\"id\":1}]", "true", "{}", "{ }"};
            return roots[r.nextInt(roots.length)].getBytes(StandardCharsets.UTF_8);
        }
        List<String> members = new ArrayList<>();
        if (r.nextInt(12) != 0) {
            members.add("\"id\":" + (plain ? plainId(r) : id(r)));
        }
        if (r.nextInt(3) != 0) {
            members.add("\"method\":" + (plain ? "\"thing.event.property.post\"" : method(r)));
        }
        if (r.nextInt(15) != 0) {
            members.add("\"params\":" + (plain ? properties(r, r.nextInt(12), true) : params(r)));
        }
        if (r.nextBoolean()) {
            String[] plainSys = {"{\"ack\":0}", "{\"ack\":1}", "{}"};
            members.add("\"sys\":" + (plain ? plainSys[r.nextInt(plainSys.length)] : sys(r)));
        }
        if (r.nextBoolean()) {
            members.add("\"version\":" + (r.nextInt(5) == 0 ? value(r, 2) : "\"1.0\""));
        }
        if (!plain && r.nextInt(6) == 0) {
            members.add(jsonString(r, randomString(r)) + ":" + value(r, 3));
        }
        if (!plain && r.nextInt(12) == 0 && !members.isEmpty()) {
            // a key given twice
            String again = members.get(r.nextInt(members.size()));
            String key = again.substring(0, again.indexOf(':'));
            members.add(key + ":" + (key.equals("\"params\"") ? params(r) : key.equals("\"sys\"") ? sys(r)
                    : key.equals("\"id\"") ? id(r) : key.equals("\"method\"") ? method(r) : value(r, 2)));
        }
        Collections.shuffle(members, r);
        String json = "{" + String.join(r.nextInt(8) == 0 ? " , " : ",", members) + "}";
        if (r.nextInt(10) == 0) {
            json = " \n" + json + (r.nextBoolean() ? " " : " garbage");
        }
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        if (!plain && r.nextInt(8) == 0) {
            bytes = damage(r, bytes);
        }
        return bytes;
    }

    private static byte[] damage(Random r, byte[] bytes) {
        if (bytes.length == 0) {
            return bytes;
        }
        int at = r.nextInt(bytes.length);
        switch (r.nextInt(4)) {
            case 0:
                return Arrays.copyOf(bytes, at);
            case 1:
                bytes[at] = (byte) r.nextInt(256);
                return bytes;
            case 2: {
                byte[][] bad = {{(byte) 0xC3, '('}, {(byte) 0xFF}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
                    {(byte) 0xE4, (byte) 0xB8}, {(byte) 0x80}, {0x01}, {(byte) 0xF0, (byte) 0x9F, (byte) 0x98}};
                byte[] insert = bad[r.nextInt(bad.length)];
                // inside a string where there is one after at, else anywhere
                int quote = indexOf(bytes, (byte) '"', at);
                int pos = quote >= 0 ? quote + 1 : at;
                byte[] out = new byte[bytes.length + insert.length];
                System.arraycopy(bytes, 0, out, 0, pos);
                System.arraycopy(insert, 0, out, pos, insert.length);
                System.arraycopy(bytes, pos, out, pos + insert.length, bytes.length - pos);
                return out;
            }
            default: {
                byte[] out = Arrays.copyOf(bytes, bytes.length - 1);
                System.arraycopy(bytes, at + 1, out, at, bytes.length - at - 1);
                return out;
            }
        }
    }

    private static int indexOf(byte[] bytes, byte b, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }

    private static String id(Random r) {
        switch (r.nextInt(14)) {
            case 0: return Integer.toString(r.nextInt());
            case 1: return Long.toString(r.nextLong());
            case 2: return "123456789012345678901234567890";
            case 3: return "1.5";
            case 4: return "null";
            case 5: return "true";
            case 6: return "{\"a\":1}";
            case 7: return "-0";
            case 8: return "[1]";
            case 9: return jsonString(r, randomString(r));
            default: return "\"" + r.nextInt(1_000_000) + "\"";
        }
    }

    private static String plainId(Random r) {
        switch (r.nextInt(5)) {
            case 0: return Integer.toString(r.nextInt());
            case 1: return Long.toString(r.nextLong());
            case 2: return "\"" + r.nextInt(1_000_000) + "\"";
            default: return jsonString(r, randomString(r).replaceAll("[\ud800-\udfff]", ""));
        }
    }

    private static String method(Random r) {
        switch (r.nextInt(10)) {
            case 0: return "null";
            case 1: return "1";
            case 2: return "{}";
            case 3: return jsonString(r, randomString(r));
            case 4: return "\"thing.event.alarm.post\"";
            case 5: return "\"thing.event.property.p\\u006Fst\"";
            default: return "\"thing.event.property.post\"";
        }
    }

    private static String sys(Random r) {
        String[] shapes = {"{\"ack\":0}", "{\"ack\":1}", "{\"ack\":\"0\"}", "{\"ack\":null}", "{\"ack\":4294967296}",
            "{\"ack\":0.0}", "{\"ack\":-1}", "{}", "null", "5", "[]", "[{\"ack\":0}]", "{\"ack\":0,\"ack\":1}",
            "{\"ack\":1,\"ack\":0}", "{\"x\":[1,{\"y\":\"z\\n\"}],\"ack\":0}", "{\"ack\":true}", "\"ack\"",
            "{\"ack\":12345678901234567890}", "{\"ack\":[0]}"};
        return shapes[r.nextInt(shapes.length)];
    }

    private static String params(Random r) {
        switch (r.nextInt(25)) {
            case 0: return "null";
            case 1: return "[1,2]";
            case 2: return "\"p\"";
            case 3: return "7";
            case 4: return "{\"properties\":{\"a\":[{\"value\":1,\"time\":5},{\"value\":\"x\",\"time\":3}],"
                    + "\"b\":[{\"value\":{\"c\":[1]}}]}}";
            case 5: return properties(r, AliyunLimits.MAX_PROPERTIES_PER_POST - 1 + r.nextInt(4), false);
            default: return properties(r, r.nextInt(9), false);
        }
    }

    private static String properties(Random r, int count, boolean plain) {
        StringBuilder b = new StringBuilder("{");
        List<String> names = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String name;
            if (!plain && !names.isEmpty() && r.nextInt(30) == 0) {
                name = names.get(r.nextInt(names.size()));
            } else {
                name = r.nextInt(10) == 0 ? randomString(r) : "p" + r.nextInt(count * 3 + 1);
                names.add(name);
            }
            b.append(i == 0 ? "" : ",").append(jsonString(r, name)).append(':').append(propertyValue(r, plain));
        }
        return b.append('}').toString();
    }

    private static String propertyValue(Random r, boolean plain) {
        if (r.nextInt(4) != 0) {
            return scalar(r);
        }
        List<String> members = new ArrayList<>();
        if (plain || r.nextInt(6) != 0) {
            members.add("\"value\":" + (!plain && r.nextInt(8) == 0 ? value(r, 2) : scalar(r)));
        }
        if (r.nextInt(3) != 0) {
            String[] times = {"1700000000000", "5", "-1", "null", "1.9", "\"17\"", "true", "{}",
                "12345678901234567890", "" + r.nextLong()};
            members.add("\"time\":" + times[r.nextInt(plain ? 4 : times.length)]);
        }
        if (!plain && r.nextInt(8) == 0) {
            members.add("\"quality\":" + value(r, 1));
        }
        if (r.nextInt(15) == 0 && !members.isEmpty()) {
            members.add(members.get(0).replaceFirst(":.*", ":" + scalar(r)));
        }
        Collections.shuffle(members, r);
        return "{" + String.join(",", members) + "}";
    }

    private static String value(Random r, int depth) {
        int k = r.nextInt(depth <= 0 ? 1 : 4);
        if (k == 0) {
            return scalar(r);
        }
        int n = r.nextInt(4);
        StringBuilder b = new StringBuilder(k == 1 ? "[" : "{");
        for (int i = 0; i < n; i++) {
            b.append(i == 0 ? "" : ",");
            if (k != 1) {
                b.append(jsonString(r, randomString(r))).append(':');
            }
            b.append(value(r, depth - 1));
        }
        return b.append(k == 1 ? "]" : "}").toString();
    }

    private static final String[] UNUSUAL_NUMBERS = {"1e300", "1e400", "-1e400", "-0.0", "-0", "0.1E-7", "2.50",
        "1E2"};

    private static String scalar(Random r) {
        switch (r.nextInt(16)) {
            case 0: return Integer.toString(r.nextInt(1000) - 500);
            case 1: return Long.toString(r.nextLong());
            case 2: return "123456789012345678901234567890";
            case 3: return Double.toString(r.nextDouble() * 1000);
            case 4: return String.valueOf(r.nextFloat());
            case 5: return UNUSUAL_NUMBERS[r.nextInt(UNUSUAL_NUMBERS.length)];
            case 6: return "true";
            case 7: return "false";
            case 8: return "null";
            case 9:
            case 10:
            case 11: return jsonString(r, randomString(r));
            default: return "\"" + (char) ('a' + r.nextInt(26)) + r.nextInt(100) + "\"";
        }
    }

    private static final String[] PIECES = {"a", "b", "Z", "0", " ", "/", "\"", "\\", "\u0000", "\u0001", "\n", "\t",
        "\b", "\f", "\r", "\u001f", "\u007f", "\u00e9", "\u00ff", "\u0800", "\u4e2d", "\uffff", "\ud83d\ude00",
        "\ud800", "\udc00", "\u2028", "thing.event", "\u0080"};

    private static String randomString(Random r) {
        int n = r.nextInt(8);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            String piece = PIECES[r.nextInt(PIECES.length)];
            // lone surrogates only now and then: they cannot be written as UTF-8 and come in as escapes
            if (piece.length() == 1 && Character.isSurrogate(piece.charAt(0)) && r.nextInt(4) != 0) {
                continue;
            }
            b.append(piece);
        }
        return b.toString();
    }

    /** {@code s} as a JSON string literal, with escapes of several kinds chosen at random. */
    private static String jsonString(Random r, String s) {
        StringBuilder b = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean lone = Character.isSurrogate(c)
                    && !(Character.isHighSurrogate(c) && i + 1 < s.length()
                            && Character.isLowSurrogate(s.charAt(i + 1)))
                    && !(Character.isLowSurrogate(c) && i > 0 && Character.isHighSurrogate(s.charAt(i - 1)));
            if (c == '"' || c == '\\' || c < 0x20 || lone || r.nextInt(12) == 0) {
                if (c == '"' || c == '\\' || c == '/' && r.nextBoolean()) {
                    b.append('\\').append(c);
                } else if (c == '\n' && r.nextBoolean()) {
                    b.append("\\n");
                } else {
                    b.append(String.format(r.nextBoolean() ? "\\u%04x" : "\\u%04X", (int) c));
                }
            } else {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }
}
