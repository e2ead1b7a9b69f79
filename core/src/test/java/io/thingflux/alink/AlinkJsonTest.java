package io.thingflux.alink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AlinkJsonTest {

    private static String s(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aRequestFrameWithItsIdIsTheEnvelopeEncodedWhole() {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("temperature", 23.5);
        params.put("name", "a\"b");
        AlinkJson.RequestFrame frame = AlinkJson.requestFrame("thing.event.property.post", params);
        for (long id : new long[] {0, 1, 9, 10, 99, 100, 12_345, 4_294_967_295L, Long.MAX_VALUE}) {
            assertThat(new String(frame.withId(id), StandardCharsets.UTF_8))
                    .isEqualTo(
                            new String(
                                    AlinkJson.encodeRequest(
                                            Long.toString(id),
                                            "thing.event.property.post",
                                            params,
                                            null),
                                    StandardCharsets.UTF_8));
        }
        assertThatThrownBy(() -> frame.withId(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void propertyPostEnvelopeHasStringIdVersionParamsAndMethod() {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("Power", "on");
        params.put("WF", 23.6);
        assertThat(s(AlinkJson.encodeRequest("123", "thing.event.property.post", params, null)))
                .isEqualTo(
                        "{\"id\":\"123\",\"version\":\"1.0\",\"params\":{\"Power\":\"on\",\"WF\":23.6},"
                                + "\"method\":\"thing.event.property.post\"}");
    }

    @Test
    void sysAckIsWrittenOnlyWhenGiven() {
        assertThat(s(AlinkJson.encodeRequest("7", "m", Map.of(), 0)))
                .isEqualTo(
                        "{\"id\":\"7\",\"version\":\"1.0\",\"sys\":{\"ack\":0},\"params\":{},\"method\":\"m\"}");
    }

    @Test
    void floatingPointValuesKeepTheirDecimalPointAndIntegersDoNotGainOne() {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("d", 1.0);
        params.put("f", 100.8f);
        params.put("big", new BigDecimal("5"));
        params.put("bigScaled", new BigDecimal("5.250"));
        params.put("i", 1);
        params.put("l", 4294967296L);
        params.put("bi", new BigInteger("18446744073709551616"));
        params.put("huge", 1.0e20);
        assertThat(s(AlinkJson.encodeValue(params)))
                .isEqualTo(
                        "{\"d\":1.0,\"f\":100.8,\"big\":5.0,\"bigScaled\":5.250,"
                                + "\"i\":1,\"l\":4294967296,\"bi\":18446744073709551616,\"huge\":1.0E20}");
    }

    @Test
    void timedValuesNestedMapsListsBooleansAndNullAreWritten() {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("Power", TimedValue.of("on", 1524448722000L));
        params.put("s", Map.of("a", List.of(true, false)));
        params.put("n", null);
        assertThat(s(AlinkJson.encodeValue(params)))
                .isEqualTo(
                        "{\"Power\":{\"value\":\"on\",\"time\":1524448722000},\"s\":{\"a\":[true,false]},\"n\":null}");
    }

    @Test
    void replyToAnAsyncServiceMatchesTheDocumentedPayload() {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("CollectTime", "1536228947682");
        data.put("OldWeight", 100.101);
        assertThat(s(AlinkJson.encodeReply("105917531", 200, data, null)))
                .isEqualTo(
                        "{\"id\":\"105917531\",\"code\":200,\"data\":{\"CollectTime\":\"1536228947682\",\"OldWeight\":100.101}}");
        assertThat(s(AlinkJson.encodeReply("1", 460, null, "bad")))
                .isEqualTo("{\"id\":\"1\",\"code\":460,\"data\":{},\"message\":\"bad\"}");
    }

    @Test
    void propertySetFromTheVectorFrameDecodes() {
        FrameVectors.Publish p = FrameVectors.publish("publish-property-set-down");
        AlinkRequest r = AlinkJson.decodeRequest(p.payload());
        assertThat(r.id()).isEqualTo("765951545");
        assertThat(r.method()).isEqualTo("thing.service.property.set");
        assertThat(r.version()).isEqualTo("1.0.0");
        assertThat(r.paramsAsMap()).containsExactly(Map.entry("PowerSwitch_1", 0));
        assertThat(r.replyWanted()).isTrue();
    }

    @Test
    void asyncServiceCallFromTheReferenceDocDecodesWithDoubleParams() {
        AlinkRequest r =
                AlinkJson.decodeRequest(
                        b(
                                "{\"method\":\"thing.service.SetWeight\",\"id\":\"105917531\",\"params\":{\"NewWeight\":100.8},\"version\":\"1.0\"}"));
        assertThat(r.paramsAsMap().get("NewWeight")).isEqualTo(100.8);
        assertThat(r.method()).isEqualTo("thing.service.SetWeight");
    }

    @Test
    void numericIdsAreReadAsStrings() {
        assertThat(AlinkJson.decodeRequest(b("{\"id\":1626969597470,\"params\":{}}")).id())
                .isEqualTo("1626969597470");
        assertThat(AlinkJson.decodeReply(b("{\"id\":42,\"code\":200,\"data\":{}}")).id())
                .isEqualTo("42");
    }

    @Test
    void sysAckZeroMeansNoReplyWanted() {
        AlinkRequest r =
                AlinkJson.decodeRequest(
                        b("{\"id\":\"1\",\"version\":\"1.0\",\"sys\":{\"ack\":0},\"params\":{}}"));
        assertThat(r.ack()).isZero();
        assertThat(r.replyWanted()).isFalse();
        assertThat(r.method()).isNull();
    }

    @Test
    void replyWithAndWithoutMessageDecodes() {
        AlinkReply r = AlinkJson.decodeReply(b("{\"id\":\"123\",\"code\":200,\"data\":{}}"));
        assertThat(r).isEqualTo(new AlinkReply("123", 200, Map.of(), null, null));
        AlinkReply e =
                AlinkJson.decodeReply(
                        b(
                                "{\"id\":\"9\",\"code\":6106,\"data\":null,\"message\":\"too many\","
                                        + "\"method\":\"thing.event.property.post\",\"version\":\"1.0\"}"));
        assertThat(e.code()).isEqualTo(6106);
        assertThat(e.message()).isEqualTo("too many");
        assertThat(e.isSuccess()).isFalse();
    }

    @Test
    void replyFieldsFollowTheRulesOfAnyEnvelope() {
        // string codes of up to nine digits, the last of duplicate fields, unknown fields skipped
        assertThat(AlinkJson.decodeReply(b("{\"id\":\"1\",\"code\":\"-460\"}")).code())
                .isEqualTo(-460);
        assertThat(
                        AlinkJson.decodeReply(
                                b(
                                        "{\"code\":1,\"id\":\"1\",\"code\":200,\"extra\":[1,{\"a\":null}]}")))
                .isEqualTo(new AlinkReply("1", 200, null, null, null));
        assertThat(AlinkJson.decodeReply(b("{\"id\":4294967295,\"code\":200,\"data\":[1,\"x\"]}")))
                .isEqualTo(new AlinkReply("4294967295", 200, List.of(1, "x"), null, null));
        for (String bad :
                List.of(
                        "{\"id\":\"1\",\"code\":\"1234567890\"}",
                        "{\"id\":\"1\",\"code\":\"2OO\"}",
                        "{\"id\":\"1\",\"code\":\"-\"}",
                        "{\"id\":\"1\",\"code\":200.0}",
                        "{\"id\":\"1\",\"code\":4294967296}")) {
            assertThatThrownBy(() -> AlinkJson.decodeReply(b(bad)))
                    .as(bad)
                    .isInstanceOf(MalformedAlinkException.class)
                    .hasMessageContaining("code");
        }
        assertThatThrownBy(() -> AlinkJson.decodeReply(b("{\"code\":200}")))
                .isInstanceOf(MalformedAlinkException.class)
                .hasMessageContaining("id");
        assertThatThrownBy(() -> AlinkJson.decodeReply(b("{\"id\":1.5,\"code\":200}")))
                .isInstanceOf(MalformedAlinkException.class)
                .hasMessageContaining("id");
        assertThatThrownBy(
                        () -> AlinkJson.decodeReply(b("{\"id\":\"1\",\"code\":200,\"message\":7}")))
                .isInstanceOf(MalformedAlinkException.class)
                .hasMessageContaining("message");
        assertThatThrownBy(
                        () ->
                                AlinkJson.decodeReply(
                                        b("{\"id\":\"1\",\"code\":200,\"data\":1e999}")))
                .isInstanceOf(MalformedAlinkException.class);
        assertThatThrownBy(() -> AlinkJson.decodeReply(b("{\"id\":\"1\",\"code\":200} {}")))
                .isInstanceOf(MalformedAlinkException.class)
                .hasMessageContaining("trailing");
        assertThatThrownBy(() -> AlinkJson.decodeReply(b("[200]")))
                .isInstanceOf(MalformedAlinkException.class)
                .hasMessageContaining("not a JSON object");
        assertThatThrownBy(() -> AlinkJson.decodeReply(b("{\"id\":\"1\",\"code\":")))
                .isInstanceOf(MalformedAlinkException.class)
                .hasMessageContaining("not valid JSON");
    }

    @Test
    void malformedPayloadsFailWithATypedErrorThatDoesNotQuoteThem() {
        assertThatThrownBy(
                        () ->
                                AlinkJson.decodeRequest(
                                        b("{\"id\":\"1\",\"params\":{\"secretish\":")))
                .isInstanceOf(MalformedAlinkException.class)
                .hasMessageNotContaining("secretish");
        assertThatThrownBy(() -> AlinkJson.decodeRequest(b("[1,2]")))
                .isInstanceOf(MalformedAlinkException.class);
        assertThatThrownBy(() -> AlinkJson.decodeRequest(b("{\"params\":{}}")))
                .isInstanceOf(MalformedAlinkException.class)
                .hasMessageContaining("id");
        assertThatThrownBy(() -> AlinkJson.decodeReply(b("{\"id\":\"1\",\"data\":{}}")))
                .isInstanceOf(MalformedAlinkException.class)
                .hasMessageContaining("code");
        assertThatThrownBy(() -> AlinkJson.decode(b("{} {}")))
                .isInstanceOf(MalformedAlinkException.class);
        assertThatThrownBy(() -> AlinkJson.decode(new byte[0]))
                .isInstanceOf(MalformedAlinkException.class);
    }

    @Test
    void nestingBeyondTheReadLimitIsRefused() {
        String deep =
                "[".repeat(AlinkJson.MAX_READ_DEPTH + 1) + "]".repeat(AlinkJson.MAX_READ_DEPTH + 1);
        assertThatThrownBy(() -> AlinkJson.decode(b(deep)))
                .isInstanceOf(MalformedAlinkException.class);
    }

    @Test
    void writtenValuesReadBackEqual() {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("t", 21.5);
        params.put("n", 7);
        params.put("l", 1L << 40);
        params.put("s", "x\"y\n\u4e2d");
        params.put("list", List.of(1, 2.5, "a"));
        params.put("obj", Map.of("k", false));
        params.put("null", null);
        assertThat(AlinkJson.decode(AlinkJson.encodeValue(params))).isEqualTo(params);
    }

    @Test
    void batchPostMatchesTheDocumentedShape() {
        BatchPost batch =
                BatchPost.builder()
                        .property("Power", "on", 1524448722000L)
                        .event("alarmEvent", Map.of("Power", "on"), 1524448722000L)
                        .build();
        assertThat(s(AlinkJson.encodeValue(batch.params())))
                .isEqualTo(
                        "{\"properties\":{\"Power\":[{\"value\":\"on\",\"time\":1524448722000}]},"
                                + "\"events\":{\"alarmEvent\":[{\"value\":{\"Power\":\"on\"},\"time\":1524448722000}]}}");
    }

    @Test
    void propertyPostVectorCarriesTheSameRequestAsOurEncoding() {
        FrameVectors.Publish vector = FrameVectors.publish("publish-property-post-up-1");
        AlinkRequest expected = AlinkJson.decodeRequest(vector.payload());
        AlinkRequest ours =
                AlinkJson.decodeRequest(
                        AlinkJson.encodeRequest(
                                "123456789",
                                "thing.event.property.post",
                                Map.of("PowerSwitch_1", 1),
                                null));
        assertThat(ours.id()).isEqualTo(expected.id());
        assertThat(ours.method()).isEqualTo(expected.method());
        assertThat(ours.params()).isEqualTo(expected.params());
        assertThat(vector.topic())
                .isEqualTo(new AlinkTopics("a1wFylTxYeD", "co_0001").propertyPost());
    }

    @Test
    void aNumberBeyondTheRangeOfADoubleIsMalformedNotInfinity() {
        // found by AlinkJsonFuzzTest: 1e999 used to parse to Infinity, which cannot be encoded
        // again
        assertThatThrownBy(() -> AlinkJson.decode("{\"v\":1e999}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(MalformedAlinkException.class)
                .hasMessageContaining("range of a double");
        assertThatThrownBy(() -> AlinkJson.decode("-1.5e400".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(MalformedAlinkException.class);
        assertThat(AlinkJson.decode("1.5e300".getBytes(StandardCharsets.UTF_8))).isEqualTo(1.5e300);
    }

    @Test
    void envelopesWithoutIdMethodOrParamsAndWithAnAckOfOne() {
        assertThat(s(AlinkJson.encodeRequest(null, null, null, null)))
                .isEqualTo("{\"id\":null,\"version\":\"1.0\",\"params\":{}}");
        assertThat(s(AlinkJson.encodeRequest("7", "thing.service.property.set", Map.of("a", 1), 1)))
                .isEqualTo(
                        "{\"id\":\"7\",\"version\":\"1.0\",\"sys\":{\"ack\":1},\"params\":{\"a\":1},"
                                + "\"method\":\"thing.service.property.set\"}");
        assertThat(s(AlinkJson.encodeReply("9", 460, null, "bad \"x\"")))
                .isEqualTo("{\"id\":\"9\",\"code\":460,\"data\":{},\"message\":\"bad \\\"x\\\"\"}");
        assertThat(s(AlinkJson.encodeReply("9", -1, List.of(), null)))
                .isEqualTo("{\"id\":\"9\",\"code\":-1,\"data\":[]}");
    }

    /**
     * RFC 8259 section 7: quote, backslash and U+0000..U+001F escaped; everything else may stand as
     * itself.
     */
    @Test
    void stringsAreEscapedAsRfc8259Requires() {
        String[][] cases = {
            {"on", "\"on\""},
            {"", "\"\""},
            {"a\"b\\c", "\"a\\\"b\\\\c\""},
            {"a/b", "\"a/b\""}, // solidus may stand as itself
            {"\b\t\n\f\r", "\"\\b\\t\\n\\f\\r\""},
            {"\u0000\u0001\u001f", "\"\\u0000\\u0001\\u001F\""},
            {"\u007f", "\"\u007f\""}, // DEL is not a control character in JSON
            {"caf\u00e9 \u6e29\u5ea6", "\"caf\u00e9 \u6e29\u5ea6\""}, // UTF-8, not escaped
            {"\ud83d\ude00", "\"\\uD83D\\uDE00\""},
            {
                "x\ud800y\udc00", "\"x\\uD800y\\uDC00\""
            }, // lone surrogates, escaped so they read back
        };
        for (String[] c : cases) {
            String value = c[0];
            String json = c[1];
            assertThat(AlinkJson.encodeValue(value)).as(json).isEqualTo(b(json));
            assertThat(s(AlinkJson.encodeValue(Map.of(value, value))))
                    .isEqualTo("{" + json + ":" + json + "}");
            assertThat(AlinkJson.decode(b(json))).isEqualTo(value);
        }
        // Jackson reads a lone surrogate in a value but not in a name: such a payload is malformed,
        // typed
        assertThatThrownBy(() -> AlinkJson.decode(b("{\"\\uDC00\":1}")))
                .isInstanceOf(MalformedAlinkException.class);
    }

    @Test
    void nonFiniteNumbersAreRefusedWhenTheyAreWritten() {
        for (Object bad :
                List.of(
                        Double.NaN,
                        Double.POSITIVE_INFINITY,
                        Double.NEGATIVE_INFINITY,
                        Float.NaN,
                        Float.POSITIVE_INFINITY)) {
            assertThatThrownBy(() -> AlinkJson.encodeValue(bad))
                    .as("%s", bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("JSON has no NaN or Infinity");
            Map<String, Object> params = Map.of("v", List.of(1, bad));
            assertThatThrownBy(() -> AlinkJson.encodeRequest("1", "m", params, null))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> AlinkJson.requestFrame("m", params))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> AlinkJson.encodeReply("1", 200, params, null))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void valuesJsonCannotCarryAreRefusedWithIllegalArgumentException() {
        Map<Object, Object> badKey = new LinkedHashMap<>();
        badKey.put(1, "x");
        assertThatThrownBy(() -> AlinkJson.encodeValue(badKey))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("object keys must be non-null strings");
        assertThatThrownBy(() -> AlinkJson.encodeValue(List.of(new Object())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot be written as Alink JSON");
        // a value that contains itself: refused at Jackson's nesting limit, not a
        // StackOverflowError
        List<Object> cycle = new ArrayList<>();
        cycle.add(cycle);
        assertThatThrownBy(() -> AlinkJson.encodeValue(cycle))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot be written as Alink JSON");
        // nesting a device might send is written
        Object deep = "leaf";
        for (int i = 0; i < 200; i++) {
            deep = i % 2 == 0 ? List.of(deep) : Map.of("k", deep);
        }
        assertThat(s(AlinkJson.encodeValue(deep)))
                .startsWith("{\"k\":[{\"k\":[")
                .contains("\"leaf\"");
    }

    @Test
    void aRequestFrameWithItsIdIsTheEnvelopeEncodeRequestWrites() {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("t", 21.5);
        params.put("s", "\u6e29\u5ea6 \"q\"");
        AlinkJson.RequestFrame frame = AlinkJson.requestFrame("thing.event.property.post", params);
        params.put("later", 1); // written when the frame was made: not sent
        assertThat(s(frame.withId(0)))
                .isEqualTo(
                        "{\"id\":\"0\",\"version\":\"1.0\",\"params\":{\"t\":21.5,"
                                + "\"s\":\"\u6e29\u5ea6 \\\"q\\\"\"},\"method\":\"thing.event.property.post\"}");
        params.remove("later");
        for (long id : new long[] {0, 9, 10, 123_456_789, 4_294_967_295L, Long.MAX_VALUE}) {
            assertThat(frame.withId(id))
                    .as("id %d", id)
                    .isEqualTo(
                            AlinkJson.encodeRequest(
                                    Long.toString(id), "thing.event.property.post", params, null));
        }
        assertThat(s(AlinkJson.requestFrame(null, null).withId(42)))
                .isEqualTo("{\"id\":\"42\",\"version\":\"1.0\",\"params\":{}}");
    }

    @Test
    void repliesAsThePlatformWritesThemAndAsJsonAllows() {
        // what the platform sends for a post, as the emulator and the reference document write it
        assertThat(
                        AlinkJson.decodeReply(
                                b(
                                        "{\"id\":\"42\",\"code\":200,\"data\":{},\"message\":\"success\","
                                                + "\"method\":\"thing.event.property.post\",\"version\":\"1.0\"}")))
                .isEqualTo(
                        new AlinkReply(
                                "42", 200, Map.of(), "success", "thing.event.property.post"));
        // whitespace, a string code, a byte-order mark, an escaped field name, non-ASCII text
        assertThat(
                        AlinkJson.decodeReply(
                                b(" {\n\t\"id\" : 42 , \"code\" : \"200\" , \"data\" : { } }\r\n")))
                .isEqualTo(new AlinkReply("42", 200, Map.of(), null, null));
        assertThat(AlinkJson.decodeReply(b("\ufeff{\"id\":\"1\",\"code\":200}")))
                .isEqualTo(new AlinkReply("1", 200, null, null, null));
        assertThat(AlinkJson.decodeReply(b("{\"i\\u0064\":\"1\",\"code\":200}")).id())
                .isEqualTo("1");
        assertThat(
                        AlinkJson.decodeReply(
                                b("{\"id\":\"caf\u00e9\",\"code\":200,\"message\":\"a\\\"b\"}")))
                .isEqualTo(new AlinkReply("caf\u00e9", 200, null, "a\"b", null));
        // ids of every integer size; data keeps its JSON type
        assertThat(AlinkJson.decodeReply(b("{\"id\":2147483648,\"code\":200}")).id())
                .isEqualTo("2147483648");
        assertThat(AlinkJson.decodeReply(b("{\"id\":9999999999999999999,\"code\":200}")).id())
                .isEqualTo("9999999999999999999");
        assertThat(AlinkJson.decodeReply(b("{\"id\":\"1\",\"code\":200,\"data\":7}")).data())
                .isEqualTo(7);
        assertThat(
                        AlinkJson.decodeReply(b("{\"id\":\"1\",\"code\":200,\"data\":2147483648}"))
                                .data())
                .isEqualTo(2147483648L);
        assertThat(AlinkJson.decodeReply(b("{\"id\":\"1\",\"code\":200,\"data\":true}")).data())
                .isEqualTo(true);
        assertThat(
                        AlinkJson.decodeReply(
                                        b(
                                                "{\"id\":\"1\",\"code\":200,\"data\":{\"a\":[1,\"x\",null]}}"))
                                .data())
                .isEqualTo(Map.of("a", Arrays.asList(1, "x", null)));
    }

    @Test
    void everyCutOfAReplyAndEveryNearMissIsMalformed() {
        String reply =
                "{\"id\":\"42\",\"code\":200,\"data\":{},\"message\":\"success\",\"method\":\"thing.event.property.post\"}";
        for (int i = 0; i < reply.length(); i++) {
            String cut = reply.substring(0, i);
            assertThatThrownBy(() -> AlinkJson.decodeReply(b(cut)))
                    .as(cut)
                    .isInstanceOf(MalformedAlinkException.class);
        }
        for (String bad :
                List.of(
                        "{\"id\":\"1\",\"code\":0200}",
                        "{\"id\":\"1\",\"code\":200x}",
                        "{\"id\":\"1\",\"code\":tru}",
                        "{\"id\":\"1\",\"code\":200}x",
                        "{\"id\":\"1\",\"code\":200}}",
                        "{\"id\":\"1\",\"code\":200,}",
                        "{\"id\":\"1\" \"code\":200}",
                        "{\"id\":\"1\",\"code\":200,\"x\":nul}",
                        "{'id':'1','code':200}",
                        "{\"id\":\"1\",\"code\":200,\"data\":NaN}",
                        "{\"id\":\"1\",\"code\":+200}",
                        "{\"id\":\"\u0001\",\"code\":200}",
                        "\"x\"",
                        "{}",
                        "{\"id\":true,\"code\":200}",
                        "{\"id\":\"1\",\"code\":200,\"method\":{}}")) {
            assertThatThrownBy(() -> AlinkJson.decodeReply(b(bad)))
                    .as(bad)
                    .isInstanceOf(MalformedAlinkException.class);
        }
        byte[] notUtf8 = {'{', '"', 'i', 'd', '"', ':', '"', (byte) 0xC3, '"', '}'};
        assertThatThrownBy(() -> AlinkJson.decodeReply(notUtf8))
                .isInstanceOf(MalformedAlinkException.class);
    }

    @Test
    void unknownFieldsAnywhereInAnEnvelopeAreIgnored() {
        AlinkRequest r =
                AlinkJson.decodeRequest(
                        b(
                                "{\"id\":\"5\",\"x\":{\"deep\":[1,{\"y\":2.5}]},\"version\":\"1.0\","
                                        + "\"sys\":{\"ack\":1,\"other\":\"z\"},\"params\":{\"a\":1},\"method\":\"m\",\"z\":null}"));
        assertThat(r).isEqualTo(new AlinkRequest("5", "1.0", "m", Map.of("a", 1), 1));
    }

    @Test
    void theEc600sSessionsPayloadsDecodeAndOurPostMatchesTheModulesBytes() throws IOException {
        List<String> lines =
                Files.readAllLines(
                        FrameVectors.VECTORS.resolve("ec600s-session.txt"), StandardCharsets.UTF_8);
        String received =
                lines.stream().filter(l -> l.startsWith("M: +QMTRECV:")).findFirst().orElseThrow();
        String setPayload = received.substring(received.indexOf(",\"{") + 2, received.length() - 1);
        AlinkRequest set = AlinkJson.decodeRequest(b(setPayload));
        assertThat(set)
                .isEqualTo(
                        new AlinkRequest(
                                "220958108",
                                "1.0.0",
                                "thing.service.property.set",
                                Map.of("PowerSwitch_1", 1),
                                null));

        String postPayload =
                lines.stream()
                        .filter(l -> l.startsWith("H: {"))
                        .findFirst()
                        .orElseThrow()
                        .substring(3);
        AlinkRequest post = AlinkJson.decodeRequest(b(postPayload));
        assertThat(post)
                .isEqualTo(
                        new AlinkRequest(
                                "1142523359",
                                "1.0.0",
                                "thing.event.property.post",
                                Map.of("PowerSwitch_1", 0),
                                null));
        // ours carries the same request, in our field order and version
        byte[] ours =
                AlinkJson.encodeRequest(
                        "1142523359",
                        "thing.event.property.post",
                        Map.of("PowerSwitch_1", 0),
                        null);
        assertThat(s(ours))
                .isEqualTo(
                        "{\"id\":\"1142523359\",\"version\":\"1.0\",\"params\":{\"PowerSwitch_1\":0},"
                                + "\"method\":\"thing.event.property.post\"}");
        AlinkRequest back = AlinkJson.decodeRequest(ours);
        assertThat(List.of(back.id(), back.method(), back.params()))
                .isEqualTo(List.of(post.id(), post.method(), post.params()));
    }
}
