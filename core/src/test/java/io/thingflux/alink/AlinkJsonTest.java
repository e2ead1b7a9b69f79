package io.thingflux.alink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
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
    void propertyPostEnvelopeHasStringIdVersionParamsAndMethod() {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("Power", "on");
        params.put("WF", 23.6);
        assertThat(s(AlinkJson.encodeRequest("123", "thing.event.property.post", params, null)))
                .isEqualTo("{\"id\":\"123\",\"version\":\"1.0\",\"params\":{\"Power\":\"on\",\"WF\":23.6},"
                        + "\"method\":\"thing.event.property.post\"}");
    }

    @Test
    void sysAckIsWrittenOnlyWhenGiven() {
        assertThat(s(AlinkJson.encodeRequest("7", "m", Map.of(), 0)))
                .isEqualTo("{\"id\":\"7\",\"version\":\"1.0\",\"sys\":{\"ack\":0},\"params\":{},\"method\":\"m\"}");
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
        assertThat(s(AlinkJson.encodeValue(params))).isEqualTo("{\"d\":1.0,\"f\":100.8,\"big\":5.0,\"bigScaled\":5.250,"
                + "\"i\":1,\"l\":4294967296,\"bi\":18446744073709551616,\"huge\":1.0E20}");
    }

    @Test
    void timedValuesNestedMapsListsBooleansAndNullAreWritten() {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("Power", TimedValue.of("on", 1524448722000L));
        params.put("s", Map.of("a", List.of(true, false)));
        params.put("n", null);
        assertThat(s(AlinkJson.encodeValue(params)))
                .isEqualTo("{\"Power\":{\"value\":\"on\",\"time\":1524448722000},\"s\":{\"a\":[true,false]},\"n\":null}");
    }

    @Test
    void replyToAnAsyncServiceMatchesTheDocumentedPayload() {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("CollectTime", "1536228947682");
        data.put("OldWeight", 100.101);
        assertThat(s(AlinkJson.encodeReply("105917531", 200, data, null)))
                .isEqualTo("{\"id\":\"105917531\",\"code\":200,\"data\":{\"CollectTime\":\"1536228947682\",\"OldWeight\":100.101}}");
        assertThat(s(AlinkJson.encodeReply("1", 460, null, "bad"))).isEqualTo("{\"id\":\"1\",\"code\":460,\"data\":{},\"message\":\"bad\"}");
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
        AlinkRequest r = AlinkJson.decodeRequest(b(
                "{\"method\":\"thing.service.SetWeight\",\"id\":\"105917531\",\"params\":{\"NewWeight\":100.8},\"version\":\"1.0\"}"));
        assertThat(r.paramsAsMap().get("NewWeight")).isEqualTo(100.8);
        assertThat(r.method()).isEqualTo("thing.service.SetWeight");
    }

    @Test
    void numericIdsAreReadAsStrings() {
        assertThat(AlinkJson.decodeRequest(b("{\"id\":1626969597470,\"params\":{}}")).id()).isEqualTo("1626969597470");
        assertThat(AlinkJson.decodeReply(b("{\"id\":42,\"code\":200,\"data\":{}}")).id()).isEqualTo("42");
    }

    @Test
    void sysAckZeroMeansNoReplyWanted() {
        AlinkRequest r = AlinkJson.decodeRequest(b("{\"id\":\"1\",\"version\":\"1.0\",\"sys\":{\"ack\":0},\"params\":{}}"));
        assertThat(r.ack()).isZero();
        assertThat(r.replyWanted()).isFalse();
        assertThat(r.method()).isNull();
    }

    @Test
    void replyWithAndWithoutMessageDecodes() {
        AlinkReply r = AlinkJson.decodeReply(b("{\"id\":\"123\",\"code\":200,\"data\":{}}"));
        assertThat(r).isEqualTo(new AlinkReply("123", 200, Map.of(), null, null));
        AlinkReply e = AlinkJson.decodeReply(b("{\"id\":\"9\",\"code\":6106,\"data\":null,\"message\":\"too many\","
                + "\"method\":\"thing.event.property.post\",\"version\":\"1.0\"}"));
        assertThat(e.code()).isEqualTo(6106);
        assertThat(e.message()).isEqualTo("too many");
        assertThat(e.isSuccess()).isFalse();
    }

    @Test
    void replyFieldsFollowTheRulesOfAnyEnvelope() {
        // string codes of up to nine digits, the last of duplicate fields, unknown fields skipped
        assertThat(AlinkJson.decodeReply(b("{\"id\":\"1\",\"code\":\"-460\"}")).code()).isEqualTo(-460);
        assertThat(AlinkJson.decodeReply(b("{\"code\":1,\"id\":\"1\",\"code\":200,\"extra\":[1,{\"a\":null}]}")))
                .isEqualTo(new AlinkReply("1", 200, null, null, null));
        assertThat(AlinkJson.decodeReply(b("{\"id\":4294967295,\"code\":200,\"data\":[1,\"x\"]}")))
                .isEqualTo(new AlinkReply("4294967295", 200, List.of(1, "x"), null, null));
        for (String bad : List.of("{\"id\":\"1\",\"code\":\"1234567890\"}", "{\"id\":\"1\",\"code\":\"2OO\"}",
                "{\"id\":\"1\",\"code\":\"-\"}", "{\"id\":\"1\",\"code\":200.0}", "{\"id\":\"1\",\"code\":4294967296}")) {
            assertThatThrownBy(() -> AlinkJson.decodeReply(b(bad))).as(bad).isInstanceOf(MalformedAlinkException.class)
                    .hasMessageContaining("code");
        }
        assertThatThrownBy(() -> AlinkJson.decodeReply(b("{\"code\":200}"))).isInstanceOf(MalformedAlinkException.class)
                .hasMessageContaining("id");
        assertThatThrownBy(() -> AlinkJson.decodeReply(b("{\"id\":1.5,\"code\":200}")))
                .isInstanceOf(MalformedAlinkException.class).hasMessageContaining("id");
        assertThatThrownBy(() -> AlinkJson.decodeReply(b("{\"id\":\"1\",\"code\":200,\"message\":7}")))
                .isInstanceOf(MalformedAlinkException.class).hasMessageContaining("message");
        assertThatThrownBy(() -> AlinkJson.decodeReply(b("{\"id\":\"1\",\"code\":200,\"data\":1e999}")))
                .isInstanceOf(MalformedAlinkException.class);
        assertThatThrownBy(() -> AlinkJson.decodeReply(b("{\"id\":\"1\",\"code\":200} {}")))
                .isInstanceOf(MalformedAlinkException.class).hasMessageContaining("trailing");
        assertThatThrownBy(() -> AlinkJson.decodeReply(b("[200]"))).isInstanceOf(MalformedAlinkException.class)
                .hasMessageContaining("not a JSON object");
        assertThatThrownBy(() -> AlinkJson.decodeReply(b("{\"id\":\"1\",\"code\":"))).isInstanceOf(MalformedAlinkException.class)
                .hasMessageContaining("not valid JSON");
    }

    @Test
    void malformedPayloadsFailWithATypedErrorThatDoesNotQuoteThem() {
        assertThatThrownBy(() -> AlinkJson.decodeRequest(b("{\"id\":\"1\",\"params\":{\"secretish\":")))
                .isInstanceOf(MalformedAlinkException.class).hasMessageNotContaining("secretish");
        assertThatThrownBy(() -> AlinkJson.decodeRequest(b("[1,2]"))).isInstanceOf(MalformedAlinkException.class);
        assertThatThrownBy(() -> AlinkJson.decodeRequest(b("{\"params\":{}}"))).isInstanceOf(MalformedAlinkException.class)
                .hasMessageContaining("id");
        assertThatThrownBy(() -> AlinkJson.decodeReply(b("{\"id\":\"1\",\"data\":{}}"))).isInstanceOf(MalformedAlinkException.class)
                .hasMessageContaining("code");
        assertThatThrownBy(() -> AlinkJson.decode(b("{} {}"))).isInstanceOf(MalformedAlinkException.class);
        assertThatThrownBy(() -> AlinkJson.decode(new byte[0])).isInstanceOf(MalformedAlinkException.class);
    }

    @Test
    void nestingBeyondTheReadLimitIsRefused() {
        String deep = "[".repeat(AlinkJson.MAX_READ_DEPTH + 1) + "]".repeat(AlinkJson.MAX_READ_DEPTH + 1);
        assertThatThrownBy(() -> AlinkJson.decode(b(deep))).isInstanceOf(MalformedAlinkException.class);
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
        BatchPost batch = BatchPost.builder()
                .property("Power", "on", 1524448722000L)
                .event("alarmEvent", Map.of("Power", "on"), 1524448722000L)
                .build();
        assertThat(s(AlinkJson.encodeValue(batch.params()))).isEqualTo(
                "{\"properties\":{\"Power\":[{\"value\":\"on\",\"time\":1524448722000}]},"
                        + "\"events\":{\"alarmEvent\":[{\"value\":{\"Power\":\"on\"},\"time\":1524448722000}]}}");
    }

    @Test
    void propertyPostVectorCarriesTheSameRequestAsOurEncoding() {
        FrameVectors.Publish vector = FrameVectors.publish("publish-property-post-up-1");
        AlinkRequest expected = AlinkJson.decodeRequest(vector.payload());
        AlinkRequest ours = AlinkJson.decodeRequest(
                AlinkJson.encodeRequest("123456789", "thing.event.property.post", Map.of("PowerSwitch_1", 1), null));
        assertThat(ours.id()).isEqualTo(expected.id());
        assertThat(ours.method()).isEqualTo(expected.method());
        assertThat(ours.params()).isEqualTo(expected.params());
        assertThat(vector.topic()).isEqualTo(new AlinkTopics("a1wFylTxYeD", "co_0001").propertyPost());
    }

    @Test
    void aNumberBeyondTheRangeOfADoubleIsMalformedNotInfinity() {
        // found by AlinkJsonFuzzTest: 1e999 used to parse to Infinity, which cannot be encoded again
        assertThatThrownBy(() -> AlinkJson.decode("{\"v\":1e999}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(MalformedAlinkException.class)
                .hasMessageContaining("range of a double");
        assertThatThrownBy(() -> AlinkJson.decode("-1.5e400".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(MalformedAlinkException.class);
        assertThat(AlinkJson.decode("1.5e300".getBytes(StandardCharsets.UTF_8))).isEqualTo(1.5e300);
    }
}
