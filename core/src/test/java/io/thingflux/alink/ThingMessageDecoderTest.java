package io.thingflux.alink;

import static org.assertj.core.api.Assertions.assertThat;

import io.thingflux.link.LinkMessage;
import io.thingflux.mqtt.MqttQos;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ThingMessageDecoderTest {

    private static final String PK = "a1wFylTxYeD";
    private static final String DN = "co_0001";
    private final AlinkTopics topics = new AlinkTopics(PK, DN);
    private final ThingMessageDecoder decoder = new ThingMessageDecoder(topics, () -> 1_200L);

    private ThingMessage decode(String topic, String payload) {
        return decoder.decode(
                new LinkMessage(
                        topic,
                        payload.getBytes(StandardCharsets.UTF_8),
                        MqttQos.AT_LEAST_ONCE,
                        false));
    }

    @Test
    void propertySetVectorFrameBecomesAPropertySet() {
        FrameVectors.Publish p = FrameVectors.publish("publish-property-set-down");
        ThingMessage m =
                decoder.decode(
                        new LinkMessage(p.topic(), p.payload(), MqttQos.AT_MOST_ONCE, false));
        assertThat(m)
                .isInstanceOfSatisfying(
                        ThingMessage.PropertySet.class,
                        s -> {
                            assertThat(s.id()).isEqualTo("765951545");
                            assertThat(s.properties())
                                    .containsExactly(Map.entry("PowerSwitch_1", 0));
                            assertThat(s.replyTopic())
                                    .isEqualTo(
                                            "/sys/a1wFylTxYeD/co_0001/thing/service/property/set_reply");
                        });
    }

    @Test
    void asyncServiceCallCarriesServiceIdParamsAndReplyTopic() {
        ThingMessage m =
                decode(
                        topics.service("SetWeight"),
                        "{\"method\":\"thing.service.SetWeight\",\"id\":\"105917531\",\"params\":{\"NewWeight\":100.8},\"version\":\"1.0\"}");
        assertThat(m)
                .isInstanceOfSatisfying(
                        ThingMessage.ServiceCall.class,
                        c -> {
                            assertThat(c.serviceId()).isEqualTo("SetWeight");
                            assertThat(c.id()).isEqualTo("105917531");
                            assertThat(c.params()).containsEntry("NewWeight", 100.8);
                            assertThat(c.replyTopic())
                                    .isEqualTo(
                                            "/sys/a1wFylTxYeD/co_0001/thing/service/SetWeight_reply");
                        });
    }

    @Test
    void syncServiceOverExtRrpcIsAnsweredOnTheSameTopic() {
        String topic = "/ext/rrpc/1234567/sys/a1wFylTxYeD/co_0001/thing/service/Query";
        ThingMessage m =
                decode(
                        topic,
                        "{\"id\":\"88\",\"version\":\"1.0\",\"params\":{\"k\":1},\"method\":\"thing.service.Query\"}");
        assertThat(m)
                .isInstanceOfSatisfying(
                        ThingMessage.RrpcCall.class,
                        c -> {
                            assertThat(c.messageId()).isEqualTo("1234567");
                            assertThat(c.serviceId()).isEqualTo("Query");
                            assertThat(c.isService()).isTrue();
                            assertThat(c.id()).isEqualTo("88");
                            assertThat(c.replyTopic()).isEqualTo(topic);
                        });
    }

    @Test
    void customTopicRrpcKeepsTheRawPayloadAndIsAnsweredOnTheSameTopic() {
        String topic = "/ext/rrpc/77/a1wFylTxYeD/co_0001/user/get";
        ThingMessage m = decode(topic, "hello");
        assertThat(m)
                .isInstanceOfSatisfying(
                        ThingMessage.RrpcCall.class,
                        c -> {
                            assertThat(c.messageId()).isEqualTo("77");
                            assertThat(c.request()).isNull();
                            assertThat(c.serviceId()).isNull();
                            assertThat(c.payloadAsString()).isEqualTo("hello");
                            assertThat(c.replyTopic()).isEqualTo(topic);
                        });
    }

    @Test
    void systemRrpcIsAnsweredOnTheResponseTopicWithTheSameMessageId() {
        ThingMessage m = decode("/sys/a1wFylTxYeD/co_0001/rrpc/request/4242", "\u0001raw");
        assertThat(m)
                .isInstanceOfSatisfying(
                        ThingMessage.RrpcCall.class,
                        c -> {
                            assertThat(c.messageId()).isEqualTo("4242");
                            assertThat(c.id()).isEqualTo("4242");
                            assertThat(c.replyTopic())
                                    .isEqualTo("/sys/a1wFylTxYeD/co_0001/rrpc/response/4242");
                        });
    }

    @Test
    void anyReplyTopicUnderSysBecomesAReply() {
        ThingMessage m =
                decode(
                        topics.propertyPost() + "_reply",
                        "{\"id\":\"123\",\"code\":200,\"data\":{}}");
        assertThat(m)
                .isEqualTo(
                        new ThingMessage.Reply(
                                topics.propertyPost() + "_reply",
                                new AlinkReply("123", 200, Map.of(), null, null)));
        assertThat(
                        decode(
                                topics.eventPost("alarm") + "_reply",
                                "{\"id\":5,\"code\":460,\"data\":{}}"))
                .isInstanceOf(ThingMessage.Reply.class);
    }

    @Test
    void ntpResponseRecordsTheDeviceReceiveTimeAndComputesServerTime() {
        ThingMessage m =
                decode(
                        topics.ntpResponse(),
                        "{\"deviceSendTime\":\"1000\",\"serverRecvTime\":\"1600\",\"serverSendTime\":\"1610\"}");
        assertThat(m)
                .isInstanceOfSatisfying(
                        ThingMessage.NtpResponse.class,
                        n -> {
                            assertThat(n.deviceRecvTime()).isEqualTo(1200);
                            // (1600 + 1610 + 1200 - 1000) / 2
                            assertThat(n.serverTimeMillis()).isEqualTo(1705);
                            assertThat(n.offsetMillis()).isEqualTo(505);
                        });
        assertThat(
                        decode(
                                topics.ntpResponse(),
                                "{\"deviceSendTime\":1000,\"serverRecvTime\":1600,\"serverSendTime\":1610}"))
                .isInstanceOf(ThingMessage.NtpResponse.class);
    }

    @Test
    void otaUpgradeNoticeWithNumericIdAndStringCodeDecodes() {
        ThingMessage m =
                decode(
                        topics.otaUpgrade(),
                        "{\"code\":\"1000\",\"data\":{\"size\":432945,\"version\":\"2.0.0\","
                                + "\"url\":\"https://x/fw.bin\",\"md5\":\"abc\",\"module\":\"MCU\"},\"id\":1626969597470,\"message\":\"success\"}");
        assertThat(m)
                .isInstanceOfSatisfying(
                        ThingMessage.OtaUpgrade.class,
                        o -> {
                            assertThat(o.id()).isEqualTo("1626969597470");
                            assertThat(o.code()).isEqualTo("1000");
                            assertThat(o.version()).isEqualTo("2.0.0");
                            assertThat(o.url()).isEqualTo("https://x/fw.bin");
                            assertThat(o.data()).containsEntry("size", 432945);
                        });
    }

    @Test
    void configPushIsARequestAnsweredOnPushReply() {
        ThingMessage m =
                decode(
                        topics.configPush(),
                        "{\"id\":\"9\",\"version\":\"1.0\",\"method\":\"thing.config.push\","
                                + "\"params\":{\"configId\":\"c1\",\"configSize\":10,\"url\":\"https://x\",\"getType\":\"file\"}}");
        assertThat(m)
                .isInstanceOfSatisfying(
                        ThingMessage.ConfigPush.class,
                        c -> {
                            assertThat(c.config()).containsEntry("configId", "c1");
                            assertThat(c.replyTopic()).isEqualTo(topics.configPush() + "_reply");
                        });
    }

    @Test
    void rawDownKeepsTheBytes() {
        ThingMessage m =
                decoder.decode(
                        new LinkMessage(
                                topics.downRaw(),
                                new byte[] {0, 1, (byte) 0xFF},
                                MqttQos.AT_MOST_ONCE,
                                false));
        assertThat(m)
                .isInstanceOfSatisfying(
                        ThingMessage.RawDown.class,
                        r -> assertThat(r.payload()).containsExactly(0, 1, 0xFF));
    }

    @Test
    void unknownTopicsAreKeptAsUnknownMessages() {
        ThingMessage m = decode("/a1wFylTxYeD/co_0001/user/get", "anything");
        assertThat(m)
                .isInstanceOfSatisfying(
                        ThingMessage.UnknownMessage.class,
                        u -> {
                            assertThat(u.payloadAsString()).isEqualTo("anything");
                            assertThat(u.qos()).isEqualTo(MqttQos.AT_LEAST_ONCE);
                            assertThat(u.reason()).contains("no thing-model decoder");
                        });
        assertThat(decode("/sys/a1wFylTxYeD/co_0001/thing/topo/change", "{}"))
                .isInstanceOf(ThingMessage.UnknownMessage.class);
        assertThat(decode("/sys/otherPk/other/thing/service/property/set", "{\"id\":\"1\"}"))
                .isInstanceOf(ThingMessage.UnknownMessage.class);
        // the device's prefix is matched level by level: same lengths, another device or product
        for (String other :
                List.of(
                        "/sys/a1wFylTxYeD/co_0002/thing/event/property/post_reply",
                        "/sys/a1wFylTxYeE/co_0001/thing/event/property/post_reply",
                        "/sys/a1wFylTxYeD/co_00011thing/event/property/post_reply",
                        "/sys/a1wFylTxYeDxco_0001/thing/event/property/post_reply",
                        "/sys/a1wFylTxYeD/co_0001",
                        "/sys/",
                        "/syx/a1wFylTxYeD/co_0001/thing/event/property/post_reply")) {
            assertThat(decode(other, "{\"id\":\"1\",\"code\":200}"))
                    .as(other)
                    .isInstanceOf(ThingMessage.UnknownMessage.class);
        }
        assertThat(topics.sysPrefixLength("/sys/a1wFylTxYeD/co_0001/"))
                .isEqualTo(topics.sysPrefix().length());
    }

    @Test
    void malformedPayloadsOnKnownTopicsAreKeptWithTheReason() {
        ThingMessage m = decode(topics.propertySet(), "{not json");
        assertThat(m)
                .isInstanceOfSatisfying(
                        ThingMessage.UnknownMessage.class,
                        u -> {
                            assertThat(u.reason()).startsWith("malformed");
                            assertThat(u.payloadAsString()).isEqualTo("{not json");
                        });
        assertThat(decode(topics.ntpResponse(), "{\"deviceSendTime\":\"x\"}"))
                .isInstanceOf(ThingMessage.UnknownMessage.class);
        assertThat(decode(topics.propertyPost() + "_reply", "{\"id\":\"1\"}"))
                .isInstanceOf(ThingMessage.UnknownMessage.class);
    }
}
