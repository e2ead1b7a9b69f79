package io.thingflux.emulator.platform.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.thingflux.emulator.platform.PropertyValue;
import io.thingflux.mqtt.Publish;
import io.thingflux.netty.codec.MqttPacketDecoder;
import io.thingflux.netty.testing.SeedFrames;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The emulator's answers to posts: the exact reply text and the property values kept, for payloads
 * from {@code shared/vectors/mqtt-frames.txt} and from the examples in {@code
 * docs/reference/aliyun-iot-protocol.md}.
 */
class AlinkResponderTest {

    private static final String PK = "a1wFylTxYeD";
    private static final String DN = "co_0001";
    private static final String PREFIX = "/sys/" + PK + "/" + DN + "/";
    private static final long NOW = 1_790_000_000_000L;

    private final AlinkResponder responder = new AlinkResponder(null);
    private final DeviceState device = new DeviceState(PK, DN);

    private String answer(String rest, String payload) {
        return answer(PREFIX + rest, payload.getBytes(StandardCharsets.UTF_8));
    }

    private String answer(String topic, byte[] payload) {
        byte[] reply = responder.answerPost(device, topic, PREFIX.length(), payload, NOW);
        return reply == null ? null : new String(reply, StandardCharsets.UTF_8);
    }

    private static String reply(String idJson, int code, String message, String method) {
        return "{\"id\":"
                + idJson
                + ",\"code\":"
                + code
                + ",\"data\":{},\"message\":\""
                + message
                + "\",\"method\":\""
                + method
                + "\",\"version\":\"1.0\"}";
    }

    /** The topic and payload of a PUBLISH vector (a one- or two-byte remaining length). */
    private static Publish vector(String name) {
        byte[] frame = SeedFrames.bytes(name);
        int length = frame[1] & 0x7F;
        int body = 2;
        if ((frame[1] & 0x80) != 0) {
            length |= (frame[2] & 0x7F) << 7;
            body = 3;
        }
        return (Publish)
                MqttPacketDecoder.decode(
                        frame[0] & 0xFF, Unpooled.wrappedBuffer(frame), body, length);
    }

    @Test
    void theVectorsPropertyPostIsAnsweredAndItsValueKept() {
        Publish post = vector("publish-property-post-up-1");
        assertThat(answer(post.topic(), post.payload()))
                .isEqualTo(reply("\"123456789\"", 200, "success", "thing.event.property.post"));
        assertThat(device.properties())
                .containsExactlyEntriesOf(
                        Map.of("PowerSwitch_1", new PropertyValue("PowerSwitch_1", "1", NOW)));

        Publish zero = vector("publish-property-post-up-0");
        answer(zero.topic(), zero.payload());
        assertThat(device.properties().get("PowerSwitch_1"))
                .isEqualTo(new PropertyValue("PowerSwitch_1", "0", NOW));
    }

    @Test
    void aPropertyPostWithAck0GetsNoReplyAndKeepsEachValueWithItsTime() {
        // the reference's property post example
        assertThat(
                        answer(
                                "thing/event/property/post",
                                "{\"id\":\"123\",\"version\":\"1.0\",\"sys\":{\"ack\":0},"
                                        + "\"params\":{\"Power\":{\"value\":\"on\",\"time\":1524448722000},"
                                        + "\"WF\":{\"value\":23.6,\"time\":1524448722000}},\"method\":\"thing.event.property.post\"}"))
                .isNull();
        assertThat(device.properties())
                .containsExactlyInAnyOrderEntriesOf(
                        Map.of(
                                "Power", new PropertyValue("Power", "\"on\"", 1524448722000L),
                                "WF", new PropertyValue("WF", "23.6", 1524448722000L)));
    }

    @Test
    void plainValuesAreKeptWithTheTimeTheyArrived() {
        assertThat(
                        answer(
                                "thing/event/property/post",
                                "{\"id\":\"124\",\"version\":\"1.0\",\"params\":{\"Power\":\"on\"},"
                                        + "\"method\":\"thing.event.property.post\"}"))
                .isEqualTo(reply("\"124\"", 200, "success", "thing.event.property.post"));
        assertThat(device.properties().get("Power"))
                .isEqualTo(new PropertyValue("Power", "\"on\"", NOW));
    }

    @Test
    void valuesAreKeptAsJsonText() {
        String[][] sentAndKept = {
            {"0", "0"},
            {"-7", "-7"},
            {"9223372036854775807", "9223372036854775807"},
            {"123456789012345678901234567890", "123456789012345678901234567890"},
            {"21.5", "21.5"},
            {"10.0", "10.0"},
            {"-0.0", "-0.0"},
            {"1e300", "1.0E300"},
            {"1.0E-7", "1.0E-7"},
            {"true", "true"},
            {"false", "false"},
            {"null", "null"},
            {"\"\"", "\"\""},
            {
                "\"a \\\"quoted\\\" \\\\ value\\n\\t\\u0001 é 中\"",
                "\"a \\\"quoted\\\" \\\\ value\\n\\t\\u0001 é 中\""
            },
            {"\"\\/slash\"", "\"/slash\""},
            {"[1, 2, {\"a\": null}]", "[1,2,{\"a\":null}]"},
            {"{\"value\":{\"x\":1},\"time\":null}", "{\"x\":1}"},
            {"{}", "{}"},
            {"{\"v\":1}", "{\"v\":1}"},
        };
        for (String[] c : sentAndKept) {
            answer("thing/event/property/post", "{\"id\":\"1\",\"params\":{\"p\":" + c[0] + "}}");
            assertThat(device.properties().get("p"))
                    .as(c[0])
                    .isEqualTo(new PropertyValue("p", c[1], NOW));
        }
    }

    @Test
    void anEventPostIsAnsweredWithItsMethodAndKeepsNoProperty() {
        // the reference's event post example
        assertThat(
                        answer(
                                "thing/event/alarm/post",
                                "{\"id\":\"123\",\"version\":\"1.0\",\"params\":{\"value\":"
                                        + "{\"errorCode\":\"error\"},\"time\":1524448722000},\"method\":\"thing.event.alarm.post\"}"))
                .isEqualTo(reply("\"123\"", 200, "success", "thing.event.alarm.post"));
        assertThat(device.properties()).isEmpty();
    }

    @Test
    void withoutAMethodTheTopicsIsAnswered() {
        assertThat(answer("thing/event/property/pack/post", "{\"id\":5,\"params\":{}}"))
                .isEqualTo(reply("5", 200, "success", "thing.event.property.pack.post"));
        assertThat(answer("thing/event/property/history/post", "{\"id\":\"6\",\"params\":[]}"))
                .isEqualTo(reply("\"6\"", 200, "success", "thing.event.property.history.post"));
    }

    @Test
    void aBatchPostKeepsTheLatestSampleOfEachProperty() {
        // the reference's batch post example
        assertThat(
                        answer(
                                "thing/event/property/batch/post",
                                "{\"id\":\"123\",\"version\":\"1.0\",\"sys\":{\"ack\":0},"
                                        + "\"method\":\"thing.event.property.batch.post\",\"params\":{\"properties\":{\"Power\":"
                                        + "[{\"value\":\"on\",\"time\":1524448722000}]},\"events\":{\"alarmEvent\":[{\"value\":{\"Power\":\"on\"},"
                                        + "\"time\":1524448722000}]}}}"))
                .isNull();
        assertThat(device.properties())
                .containsExactlyEntriesOf(
                        Map.of("Power", new PropertyValue("Power", "\"on\"", 1524448722000L)));

        assertThat(
                        answer(
                                "thing/event/property/batch/post",
                                "{\"id\":\"124\",\"params\":{\"properties\":{\"T\":"
                                        + "[{\"value\":1,\"time\":5},{\"value\":[2],\"time\":9},{\"value\":3,\"time\":7}]}}}"))
                .isEqualTo(reply("\"124\"", 200, "success", "thing.event.property.batch.post"));
        assertThat(device.properties().get("T")).isEqualTo(new PropertyValue("T", "[2]", 9));
    }

    @Test
    void aPayloadThatIsNotAJsonObjectIsAnswered460WithANullId() {
        for (String payload :
                new String[] {
                    "[1,2]", "\"text\"", "", "null", "{", "{\"id\":\"1\",\"params\":{\"a\":1}"
                }) {
            assertThat(answer("thing/event/property/post", payload))
                    .as(payload)
                    .isEqualTo(
                            reply(
                                    "null",
                                    460,
                                    "request parameter error",
                                    "thing.event.property.post"));
        }
        assertThat(device.properties()).isEmpty();
    }

    @Test
    void aPostWithoutIdOrParamsOrWithParamsThatAreNotAnObjectIsAnswered460() {
        assertThat(answer("thing/event/property/post", "{\"params\":{\"a\":1}}"))
                .isEqualTo(
                        reply("null", 460, "request parameter error", "thing.event.property.post"));
        assertThat(answer("thing/event/property/post", "{\"id\":\"2\",\"sys\":{\"ack\":0}}"))
                .isEqualTo(
                        reply(
                                "\"2\"",
                                460,
                                "request parameter error",
                                "thing.event.property.post"));
        assertThat(answer("thing/event/property/post", "{\"id\":\"3\",\"params\":[1]}"))
                .isEqualTo(
                        reply(
                                "\"3\"",
                                460,
                                "request parameter error",
                                "thing.event.property.post"));
        assertThat(
                        answer(
                                "thing/event/alarm/post",
                                "{\"id\":4,\"params\":null,\"method\":\"thing.event.alarm.post\"}"))
                .isEqualTo(reply("4", 460, "request parameter error", "thing.event.alarm.post"));
        assertThat(device.properties()).isEmpty();
    }

    @Test
    void morethan200PropertiesAreAnswered6106AndNotKept() {
        StringBuilder params = new StringBuilder("{");
        for (int i = 0; i < 200; i++) {
            params.append(i == 0 ? "" : ",").append("\"p").append(i).append("\":").append(i);
        }
        assertThat(answer("thing/event/property/post", "{\"id\":\"7\",\"params\":" + params + "}}"))
                .isEqualTo(reply("\"7\"", 200, "success", "thing.event.property.post"));
        assertThat(device.properties()).hasSize(200);

        DeviceState fresh = new DeviceState(PK, DN);
        byte[] tooMany =
                ("{\"id\":\"8\",\"params\":" + params + ",\"p200\":200}}")
                        .getBytes(StandardCharsets.UTF_8);
        String topic = PREFIX + "thing/event/property/post";
        assertThat(
                        new String(
                                responder.answerPost(fresh, topic, PREFIX.length(), tooMany, NOW),
                                StandardCharsets.UTF_8))
                .isEqualTo(
                        reply("\"8\"", 6106, "too many properties", "thing.event.property.post"));
        assertThat(fresh.properties()).isEmpty();
    }

    @Test
    void idsAndMethodsAreEchoedAsJson() {
        assertThat(
                        answer(
                                "thing/event/property/post",
                                "{\"id\":\"a\\\"b\\\\c\\/\\u0001\\n é 中 😀\","
                                        + "\"method\":\"m\\\"\",\"params\":{}}"))
                // Jackson writes a character outside the BMP as an escaped surrogate pair
                .isEqualTo(
                        "{\"id\":\"a\\\"b\\\\c/\\u0001\\n é 中 \\uD83D\\uDE00\",\"code\":200,\"data\":{},\"message\":\"success\","
                                + "\"method\":\"m\\\"\",\"version\":\"1.0\"}");
        assertThat(
                        answer(
                                "thing/event/property/post",
                                "{\"id\":-9223372036854775808,\"params\":{}}"))
                .isEqualTo(
                        reply("-9223372036854775808", 200, "success", "thing.event.property.post"));
        assertThat(
                        answer(
                                "thing/event/property/post",
                                "{\"id\":123456789012345678901234567890,\"params\":{}}"))
                .isEqualTo(
                        reply(
                                "123456789012345678901234567890",
                                200,
                                "success",
                                "thing.event.property.post"));
    }

    @Test
    void ack1OrAnAbsentAckIsAnswered() {
        assertThat(
                        answer(
                                "thing/event/property/post",
                                "{\"id\":\"1\",\"sys\":{\"ack\":1},\"params\":{}}"))
                .isEqualTo(reply("\"1\"", 200, "success", "thing.event.property.post"));
        assertThat(answer("thing/event/property/post", "{\"id\":\"1\",\"sys\":{},\"params\":{}}"))
                .isEqualTo(reply("\"1\"", 200, "success", "thing.event.property.post"));
    }
}
