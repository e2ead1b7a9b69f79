package io.thingflux.alink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The direct JSON writer and the flat reply reader against Jackson, which they stand in for: the same bytes
 * written, the same reply (value types included) or the same error read.
 */
class AlinkJsonDirectCodecTest {

    private static final String[] STRINGS = {
        "", "x", "on", "hello world", "quote\"", "back\\slash", "slash/", "tab\tnew\nline\rcr", "\b\f",
        "\u0000\u0001\u001f", "\u007f", "caf\u00e9", "\u6e29\u5ea6", "\u07ff\u0800\uffff", "emoji \ud83d\ude00",
        "lone \ud800", "lone \udc00 end", "x".repeat(300), "\u00e9".repeat(400)
    };

    private static Object randomValue(Random r, int depth) {
        int kind = r.nextInt(depth > 4 ? 11 : 14);
        switch (kind) {
            case 0: return null;
            case 1: return r.nextBoolean();
            case 2: return r.nextInt();
            case 3: return r.nextLong();
            case 4: return (short) r.nextInt();
            case 5: return new BigInteger(80, r);
            case 6: return r.nextDouble() * Math.pow(10, r.nextInt(40) - 20);
            case 7: return (float) r.nextGaussian();
            case 8: return new BigDecimal(BigInteger.valueOf(r.nextLong()), r.nextInt(10));
            case 9: return STRINGS[r.nextInt(STRINGS.length)];
            case 10: return new StringBuilder(STRINGS[r.nextInt(STRINGS.length)]);
            case 11: return new TimedValue(randomValue(r, depth + 1), r.nextLong() & Long.MAX_VALUE);
            case 12: {
                Map<String, Object> m = new LinkedHashMap<>();
                for (int i = r.nextInt(5); i > 0; i--) {
                    m.put(STRINGS[r.nextInt(STRINGS.length)] + i, randomValue(r, depth + 1));
                }
                return m;
            }
            default: {
                List<Object> l = new ArrayList<>();
                for (int i = r.nextInt(5); i > 0; i--) {
                    l.add(randomValue(r, depth + 1));
                }
                return l;
            }
        }
    }

    @Test
    void theDirectWriterWritesJacksonsBytesForEveryKindOfValue() {
        Random r = new Random(8);
        for (int i = 0; i < 20_000; i++) {
            Object v = randomValue(r, 0);
            assertThat(AlinkJson.encodeValue(v)).as("value %s", v).isEqualTo(AlinkJson.encodeValueWithJackson(v));
        }
        for (String s : STRINGS) {
            assertThat(new String(AlinkJson.encodeValue(Map.of(s, s)), StandardCharsets.UTF_8))
                    .isEqualTo(new String(AlinkJson.encodeValueWithJackson(Map.of(s, s)), StandardCharsets.UTF_8));
        }
    }

    @Test
    void valuesNestedBeyondTheDirectWritersDepthAreWrittenByJackson() {
        Object v = "leaf";
        for (int i = 0; i < JsonBytesWriter.MAX_DEPTH + 10; i++) {
            v = i % 2 == 0 ? List.of(v) : Map.of("k", v);
        }
        assertThat(AlinkJson.encodeValue(v)).isEqualTo(AlinkJson.encodeValueWithJackson(v));
    }

    @Test
    void theDirectWriterRefusesWhatJacksonsPathRefuses() {
        assertThatThrownBy(() -> AlinkJson.encodeValue(Map.of("a", Double.NaN)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("NaN");
        Map<Object, Object> badKey = new LinkedHashMap<>();
        badKey.put(1, "x");
        assertThatThrownBy(() -> AlinkJson.encodeValue(badKey))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("object keys must be non-null strings");
        assertThatThrownBy(() -> AlinkJson.encodeValue(List.of(new Object())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cannot be written as Alink JSON");
        // the thread's scratch writer is usable after a refusal
        assertThat(AlinkJson.encodeValue(List.of(1))).isEqualTo("[1]".getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void aRequestFrameWithItsIdIsTheEnvelopeEncodeRequestWrites() {
        Random r = new Random(88);
        long[] ids = {1, 9, 10, 99, 100, 123_456_789, 4_294_967_295L};
        for (int i = 0; i < 2_000; i++) {
            Object params = randomValue(r, 3);
            String method = i % 7 == 0 ? null : "thing.event." + STRINGS[i % STRINGS.length] + ".post";
            AlinkJson.RequestFrame frame = AlinkJson.requestFrame(method, params);
            long id = ids[i % ids.length];
            assertThat(frame.withId(id)).as("params %s", params)
                    .isEqualTo(AlinkJson.encodeRequest(Long.toString(id), method, params, null));
        }
    }

    @Test
    void encodeRequestAndEncodeReplyWriteTheDocumentedEnvelopes() {
        assertThat(new String(AlinkJson.encodeRequest("7", "thing.service.property.set", Map.of("a", 1), 1),
                StandardCharsets.UTF_8)).isEqualTo(
                "{\"id\":\"7\",\"version\":\"1.0\",\"sys\":{\"ack\":1},\"params\":{\"a\":1},"
                        + "\"method\":\"thing.service.property.set\"}");
        assertThat(new String(AlinkJson.encodeRequest(null, null, null, null), StandardCharsets.UTF_8))
                .isEqualTo("{\"id\":null,\"version\":\"1.0\",\"params\":{}}");
        assertThat(new String(AlinkJson.encodeReply("9", 460, null, "bad \"x\""), StandardCharsets.UTF_8))
                .isEqualTo("{\"id\":\"9\",\"code\":460,\"data\":{},\"message\":\"bad \\\"x\\\"\"}");
    }

    private static void sameAsJackson(String json) {
        byte[] payload = json.getBytes(StandardCharsets.UTF_8);
        AlinkReply expected;
        try {
            expected = AlinkJson.decodeReplyWithJackson(payload);
        } catch (MalformedAlinkException e) {
            assertThatThrownBy(() -> AlinkJson.decodeReply(payload)).as(json)
                    .isInstanceOf(MalformedAlinkException.class).hasMessage(e.getMessage());
            return;
        }
        AlinkReply actual = AlinkJson.decodeReply(payload);
        assertThat(actual).as(json).isEqualTo(expected);
        if (expected.data() != null) {
            assertThat(actual.data().getClass()).as(json).isEqualTo(expected.data().getClass());
        }
    }

    @Test
    void theFlatReplyReaderReadsWhatJacksonReads() {
        List<String> cases = List.of(
                "{\"id\":\"42\",\"code\":200,\"data\":{},\"message\":\"success\",\"method\":\"thing.event.property.post\",\"version\":\"1.0\"}",
                " {\n\t\"id\" : 42 , \"code\" : \"200\" , \"data\" : { } }\r\n",
                "{\"id\":2147483647,\"code\":200}", "{\"id\":2147483648,\"code\":200}",
                "{\"id\":999999999999999999,\"code\":200}", "{\"id\":9999999999999999999,\"code\":200}",
                "{\"id\":\"1\",\"code\":200,\"data\":true}", "{\"id\":\"1\",\"code\":200,\"data\":false}",
                "{\"id\":\"1\",\"code\":200,\"data\":null,\"message\":null}", "{\"id\":\"1\",\"code\":200,\"data\":7}",
                "{\"id\":\"1\",\"code\":200,\"data\":\"x\"}", "{\"id\":\"1\",\"code\":200,\"data\":{\"a\":1}}",
                "{\"id\":\"1\",\"code\":200,\"data\":[1]}", "{\"id\":\"1\",\"code\":2.0}", "{\"id\":\"1\",\"code\":-200}",
                "{\"id\":\"1\",\"code\":2e2}", "{\"id\":\"1\",\"code\":0200}", "{\"id\":\"1\",\"code\":200x}",
                "{\"id\":\"1\",\"code\":truex}", "{\"id\":\"1\",\"code\":tru}", "{\"id\":\"1\",\"code\":200}x",
                "{\"id\":\"1\",\"code\":200}}", "{\"id\":\"1\",\"code\":200,}", "{\"id\":\"1\" \"code\":200}",
                "{\"id\":\"1\",\"code\":200", "{\"id\":\"1\",\"code\"", "{", "", " ", "[]", "\"x\"", "{}",
                "{\"id\":\"1\"}", "{\"code\":200}", "{\"id\":true,\"code\":200}", "{\"id\":\"1\",\"code\":\"abc\"}",
                "{\"id\":\"1\",\"code\":200,\"message\":5}", "{\"id\":\"1\",\"code\":200,\"method\":{}}",
                "{\"id\":\"a\\\"b\",\"code\":200}", "{\"id\":\"caf\u00e9\",\"code\":200}", "{\"i\\u0064\":\"1\",\"code\":200}",
                "{\"id\":\"1\",\"id\":\"2\",\"code\":200}", "{\"id\":\"1\",\"code\":200,\"data\":{},\"data\":{\"z\":0}}",
                "{\"id\":\"tab\there\",\"code\":200}", "{\"id\":\"1\",\"code\":200,\"x\":nul}",
                "\ufeff{\"id\":\"1\",\"code\":200}", "{\"id\":\"1\",\"code\":200,\"message\":\"\u007f\"}");
        cases.forEach(AlinkJsonDirectCodecTest::sameAsJackson);
        // and every cut of a typical reply
        String typical = cases.get(0);
        for (int i = 0; i <= typical.length(); i++) {
            sameAsJackson(typical.substring(0, i));
        }
    }
}
