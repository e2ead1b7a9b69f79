package io.thingflux.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thingflux.alink.AlinkReply;
import io.thingflux.alink.AlinkRequest;
import io.thingflux.alink.ThingMessage;
import io.thingflux.mqtt.MqttQos;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ThingMessageJsonTest {

    private static final String SYS = "/sys/pk/dn/";

    @Test
    void propertySetCarriesTypeTopicIdMethodAndParams() {
        ObjectNode n =
                ThingMessageJson.toJson(
                        new ThingMessage.PropertySet(
                                SYS + "thing/service/property/set",
                                new AlinkRequest(
                                        "42",
                                        "1.0",
                                        "thing.service.property.set",
                                        Map.of("Power", "on", "T", 21.5),
                                        null)));

        assertThat(n.path("type").asText()).isEqualTo("property_set");
        assertThat(n.path("topic").asText()).isEqualTo(SYS + "thing/service/property/set");
        assertThat(n.path("id").asText()).isEqualTo("42");
        assertThat(n.path("method").asText()).isEqualTo("thing.service.property.set");
        assertThat(n.path("params").path("Power").asText()).isEqualTo("on");
        assertThat(n.path("params").path("T").asDouble()).isEqualTo(21.5);
    }

    @Test
    void serviceCallNamesItsService() {
        ObjectNode n =
                ThingMessageJson.toJson(
                        new ThingMessage.ServiceCall(
                                SYS + "thing/service/Reboot",
                                "Reboot",
                                new AlinkRequest(
                                        "7",
                                        "1.0",
                                        "thing.service.Reboot",
                                        Map.of("delay", 3),
                                        null)));

        assertThat(n.path("type").asText()).isEqualTo("service_call");
        assertThat(n.path("service").asText()).isEqualTo("Reboot");
        assertThat(n.path("params").path("delay").asInt()).isEqualTo(3);
    }

    @Test
    void rawRrpcCallShowsItsPayloadAsTextOrBase64() {
        ObjectNode text =
                ThingMessageJson.toJson(
                        new ThingMessage.RrpcCall(
                                SYS + "rrpc/request/99",
                                "99",
                                SYS + "rrpc/response/99",
                                null,
                                null,
                                "ping".getBytes(StandardCharsets.UTF_8)));
        ObjectNode binary =
                ThingMessageJson.toJson(
                        new ThingMessage.RrpcCall(
                                SYS + "rrpc/request/100",
                                "100",
                                SYS + "rrpc/response/100",
                                null,
                                null,
                                new byte[] {(byte) 0xFF, 0x01}));

        assertThat(text.path("type").asText()).isEqualTo("rrpc_call");
        assertThat(text.path("messageId").asText()).isEqualTo("99");
        assertThat(text.path("payload").asText()).isEqualTo("ping");
        assertThat(binary.path("encoding").asText()).isEqualTo("base64");
        assertThat(Base64.getDecoder().decode(binary.path("payload").asText()))
                .containsExactly(0xFF, 0x01);
    }

    @Test
    void replyCarriesIdCodeDataAndMessage() {
        ObjectNode n =
                ThingMessageJson.toJson(
                        new ThingMessage.Reply(
                                SYS + "thing/event/property/post_reply",
                                new AlinkReply("5", 6106, Map.of(), "too many properties", null)));

        assertThat(n.path("type").asText()).isEqualTo("reply");
        assertThat(n.path("id").asText()).isEqualTo("5");
        assertThat(n.path("code").asInt()).isEqualTo(6106);
        assertThat(n.path("data").isObject()).isTrue();
        assertThat(n.path("message").asText()).isEqualTo("too many properties");
    }

    @Test
    void ntpResponseCarriesTheComputedServerTime() {
        ObjectNode n =
                ThingMessageJson.toJson(
                        new ThingMessage.NtpResponse(
                                "/ext/ntp/pk/dn/response", 1000, 1500, 1510, 1100));

        assertThat(n.path("type").asText()).isEqualTo("ntp_response");
        assertThat(n.path("serverTime").asLong()).isEqualTo((1500 + 1510 + 1100 - 1000) / 2);
        assertThat(n.path("offset").asLong()).isEqualTo((1500 + 1510 + 1100 - 1000) / 2 - 1100);
    }

    @Test
    void unknownMessageKeepsQosReasonAndPayload() {
        ObjectNode n =
                ThingMessageJson.toJson(
                        new ThingMessage.UnknownMessage(
                                SYS + "thing/other",
                                "{}".getBytes(StandardCharsets.UTF_8),
                                MqttQos.AT_LEAST_ONCE,
                                "no decoder"));

        assertThat(n.path("type").asText()).isEqualTo("unknown");
        assertThat(n.path("qos").asInt()).isEqualTo(1);
        assertThat(n.path("reason").asText()).isEqualTo("no decoder");
        assertThat(n.path("payload").asText()).isEqualTo("{}");
    }
}
