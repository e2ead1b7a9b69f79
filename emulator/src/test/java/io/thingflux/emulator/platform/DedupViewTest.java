package io.thingflux.emulator.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.thingflux.aliyun.AliyunDeviceIdentity;
import io.thingflux.mqtt.MqttQos;
import io.thingflux.mqtt.PubAck;
import io.thingflux.mqtt.Publish;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The emulator's dedup view of what devices published, through the embeddable API and the admin
 * action QueryDevicePublishes: redeliveries and re-sent Alink requests count as arrivals of one
 * message; the same Alink id with other bytes is another message.
 */
class DedupViewTest {

    static final AliyunDeviceIdentity DEVICE = new AliyunDeviceIdentity("pk1", "dn1", "secret1");
    static final AliyunDeviceIdentity OTHER = new AliyunDeviceIdentity("pk1", "dn2", "secret2");
    static final String POST = "/sys/pk1/dn1/thing/event/property/post";
    static final String TOKEN = "admin-token";
    static final ObjectMapper JSON = new ObjectMapper();

    private static AliyunPlatformEmulator emulator;

    @BeforeAll
    static void start() {
        emulator =
                AliyunPlatformEmulator.start(
                        EmulatorOptions.builder()
                                .port(0)
                                .adminPort(0)
                                .adminToken(TOKEN)
                                .device(DEVICE)
                                .device(OTHER)
                                .dedupView(3)
                                .build());
    }

    @AfterAll
    static void stop() {
        emulator.close();
    }

    private static Publish post(int packetId, boolean dup, String payload) {
        return new Publish(
                POST,
                MqttQos.AT_LEAST_ONCE,
                dup,
                false,
                packetId,
                payload.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void eachDistinctMessageOnceWithItsArrivalsThenTheBoundMakesItRefuseQueries() throws Exception {
        String first = "{\"id\":\"1\",\"version\":\"1.0\",\"params\":{\"seq\":1}}";
        // a later process whose id counter started again at 1
        String otherBytesSameId = "{\"id\":\"1\",\"version\":\"1.0\",\"params\":{\"seq\":2}}";
        try (TestSocket d = TestSocket.device(emulator.mqttAddress(), DEVICE, true)) {
            d.send(post(1, false, first));
            assertThat(d.read()).isEqualTo(new PubAck(1));
            d.send(post(1, true, first)); // the QoS 1 redelivery
            assertThat(d.read()).isEqualTo(new PubAck(1));
            d.send(post(7, false, first)); // re-sent from an outbox by a new connection
            assertThat(d.read()).isEqualTo(new PubAck(7));
            d.send(post(8, false, otherBytesSameId));
            assertThat(d.read()).isEqualTo(new PubAck(8));
            d.send(
                    new Publish(
                            "/pk1/dn1/user/bin",
                            MqttQos.AT_LEAST_ONCE,
                            false,
                            false,
                            9,
                            new byte[] {(byte) 0xC3, 0x28}));
            assertThat(d.read()).isEqualTo(new PubAck(9));
        }

        List<DistinctPublish> view = emulator.distinctPublishes("pk1", "dn1");
        assertThat(view).hasSize(3);
        assertThat(view.get(0).topic()).isEqualTo(POST);
        assertThat(view.get(0).payloadAsString()).isEqualTo(first);
        assertThat(view.get(0).alinkId()).isEqualTo("1");
        assertThat(view.get(0).arrivals()).isEqualTo(3);
        assertThat(view.get(0).dupArrivals()).isEqualTo(1);
        assertThat(view.get(1).payloadAsString()).isEqualTo(otherBytesSameId);
        assertThat(view.get(1).arrivals()).isEqualTo(1);
        assertThat(view.get(1).dupArrivals()).isZero();
        assertThat(view.get(2).alinkId()).isNull();
        assertThat(view.get(2).payload()).containsExactly(0xC3, 0x28);
        assertThat(emulator.distinctPublishes("pk1", "dn2")).isEmpty();

        JsonNode all = query("{\"ProductKey\":\"pk1\",\"DeviceName\":\"dn1\"}");
        assertThat(all.get("Success").asBoolean()).isTrue();
        JsonNode infos = all.at("/Data/List/PublishInfo");
        assertThat(infos).hasSize(3);
        assertThat(infos.get(0).get("TopicFullName").asText()).isEqualTo(POST);
        assertThat(Base64.getDecoder().decode(infos.get(0).get("MessageContent").asText()))
                .isEqualTo(first.getBytes(StandardCharsets.UTF_8));
        assertThat(infos.get(0).get("AlinkId").asText()).isEqualTo("1");
        assertThat(infos.get(0).get("Arrivals").asInt()).isEqualTo(3);
        assertThat(infos.get(0).get("DupArrivals").asInt()).isEqualTo(1);
        assertThat(infos.get(2).has("AlinkId")).isFalse();
        JsonNode oneTopic =
                query(
                        "{\"ProductKey\":\"pk1\",\"DeviceName\":\"dn1\",\"TopicFullName\":\""
                                + POST
                                + "\"}");
        assertThat(oneTopic.at("/Data/List/PublishInfo")).hasSize(2);
        JsonNode unknown = query("{\"ProductKey\":\"pk1\",\"DeviceName\":\"nobody\"}");
        assertThat(unknown.get("Success").asBoolean()).isFalse();
        assertThat(unknown.get("Code").asText())
                .isEqualTo(EmulatorRequestException.DEVICE_NOT_FOUND);

        // a fourth distinct message passes the bound of 3: the view is incomplete and says so
        try (TestSocket d = TestSocket.device(emulator.mqttAddress(), OTHER, true)) {
            d.send(
                    new Publish(
                            "/sys/pk1/dn2/thing/event/property/post",
                            MqttQos.AT_LEAST_ONCE,
                            false,
                            false,
                            1,
                            "{\"id\":\"1\"}".getBytes(StandardCharsets.UTF_8)));
            assertThat(d.read()).isEqualTo(new PubAck(1));
        }
        assertThatThrownBy(() -> emulator.distinctPublishes("pk1", "dn1"))
                .isInstanceOf(EmulatorRequestException.class)
                .hasMessageContaining("bound of 3");
        JsonNode full = query("{\"ProductKey\":\"pk1\",\"DeviceName\":\"dn1\"}");
        assertThat(full.get("Success").asBoolean()).isFalse();
        assertThat(full.get("ErrorMessage").asText()).contains("incomplete");
    }

    @Test
    void theViewIsOffUnlessAsked() {
        try (AliyunPlatformEmulator plain =
                AliyunPlatformEmulator.start(
                        EmulatorOptions.builder().port(0).device(DEVICE).build())) {
            assertThatThrownBy(() -> plain.distinctPublishes("pk1", "dn1"))
                    .isInstanceOf(EmulatorRequestException.class)
                    .hasMessageContaining("dedupView");
        }
    }

    private static JsonNode query(String body) throws Exception {
        HttpRequest request =
                HttpRequest.newBuilder(
                                URI.create(
                                        "http://127.0.0.1:"
                                                + emulator.adminAddress().orElseThrow().getPort()
                                                + "/api/QueryDevicePublishes"))
                        .timeout(Duration.ofSeconds(20))
                        .header("Content-Type", "application/json")
                        .header("Authorization", "Bearer " + TOKEN)
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build();
        HttpResponse<String> r =
                HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(r.body());
    }
}
