package io.thingflux.alink;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.thingflux.link.LinkMessage;
import io.thingflux.mqtt.MqttQos;
import java.util.List;

/**
 * Coverage-guided fuzzing of the Alink JSON parser and of the topic-driven thing-message decoder
 * (Jazzer).
 *
 * <p>For any payload: the parser either returns a value or raises {@link AlinkException} (no
 * Jackson, stack-overflow or cast error escapes; nesting is bounded); a parsed value re-encodes to
 * JSON that parses to an equal value; and on any of the device's topics the decoder yields a
 * message, never dropping one and never failing for an unexpected reason.
 */
class AlinkJsonFuzzTest {

    private static final AlinkTopics TOPICS = new AlinkTopics("a1wFylTxYeD", "co_0001");
    private static final ThingMessageDecoder DECODER =
            new ThingMessageDecoder(TOPICS, () -> 1_700_000_000_000L);
    private static final List<String> DEVICE_TOPICS =
            List.of(
                    "/sys/a1wFylTxYeD/co_0001/thing/service/property/set",
                    "/sys/a1wFylTxYeD/co_0001/thing/service/Reboot",
                    "/sys/a1wFylTxYeD/co_0001/thing/event/property/post_reply",
                    "/sys/a1wFylTxYeD/co_0001/thing/event/Alarm/post_reply",
                    "/sys/a1wFylTxYeD/co_0001/rrpc/request/1234",
                    "/ext/rrpc/1234/sys/a1wFylTxYeD/co_0001/thing/service/Reboot",
                    "/ext/ntp/a1wFylTxYeD/co_0001/response",
                    "/sys/a1wFylTxYeD/co_0001/thing/config/push",
                    "/ota/device/upgrade/a1wFylTxYeD/co_0001",
                    "/sys/a1wFylTxYeD/co_0001/thing/model/down_raw",
                    "/ext/register",
                    "/a1wFylTxYeD/co_0001/user/get");

    @FuzzTest(maxExecutions = 300_000, maxDuration = "2m")
    void anyPayloadParsesOrFailsTypedAndEveryMessageIsDelivered(FuzzedDataProvider data) {
        String topic = DEVICE_TOPICS.get(data.consumeInt(0, DEVICE_TOPICS.size() - 1));
        byte[] payload = data.consumeRemainingAsBytes();

        try {
            Object value = AlinkJson.decode(payload);
            Object again = AlinkJson.decode(AlinkJson.encodeValue(value));
            assertThat(again).isEqualTo(value);
        } catch (AlinkException expected) {
            assertThat(expected.getMessage()).isNotBlank();
        }

        ThingMessage message =
                DECODER.decode(new LinkMessage(topic, payload, MqttQos.AT_LEAST_ONCE, false));
        assertThat(message).isNotNull();
        if (message instanceof ThingMessage.UnknownMessage unknown) {
            assertThat(unknown.reason()).doesNotStartWith("undecodable");
        }
    }
}
