package io.thingflux.emulator.platform;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.thingflux.aliyun.AliyunDeviceIdentity;
import io.thingflux.mqtt.MqttQos;
import io.thingflux.mqtt.Publish;
import io.thingflux.mqtt.SubAck;
import io.thingflux.mqtt.Subscribe;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The admin API over real HTTP, against a device on a real socket. */
class AdminHttpApiTest {

    static final AliyunDeviceIdentity DEVICE = new AliyunDeviceIdentity("pk1", "dn1", "secret1");
    static final ObjectMapper JSON = new ObjectMapper();
    static final String TOKEN = "admin-token";

    private AliyunPlatformEmulator emulator;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @BeforeEach
    void start() {
        emulator =
                AliyunPlatformEmulator.start(
                        EmulatorOptions.builder()
                                .port(0)
                                .adminPort(0)
                                .adminToken(TOKEN)
                                .device(DEVICE)
                                .device("pk1,dn2,secret2")
                                .build());
        assertThat(emulator.adminAddress().orElseThrow().getAddress().isLoopbackAddress()).isTrue();
    }

    @AfterEach
    void stop() {
        emulator.close();
    }

    private HttpResponse<String> post(String action, String body, String token) throws Exception {
        HttpRequest.Builder b =
                HttpRequest.newBuilder(
                                URI.create(
                                        "http://127.0.0.1:"
                                                + emulator.adminAddress().orElseThrow().getPort()
                                                + "/api/"
                                                + action))
                        .timeout(Duration.ofSeconds(20))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode call(String action, String body) throws Exception {
        HttpResponse<String> r = post(action, body, TOKEN);
        assertThat(r.headers().firstValue("content-type")).contains("application/json");
        return JSON.readTree(r.body());
    }

    private static void subscribe(TestSocket s, String filter) {
        s.send(Subscribe.of(1, filter, MqttQos.AT_MOST_ONCE));
        assertThat(s.read()).isInstanceOf(SubAck.class);
    }

    @Test
    @SuppressWarnings("try") // the device connection is held open, not used
    void getDeviceStatusFollowsTheDevice() throws Exception {
        String body = "{\"ProductKey\":\"pk1\",\"DeviceName\":\"dn1\"}";
        assertThat(call("GetDeviceStatus", body).at("/Data/Status").asText()).isEqualTo("UNACTIVE");
        try (TestSocket d = TestSocket.device(emulator.mqttAddress(), DEVICE, true)) {
            JsonNode online = call("GetDeviceStatus", body);
            assertThat(online.get("Success").asBoolean()).isTrue();
            assertThat(online.at("/Data/Status").asText()).isEqualTo("ONLINE");
        }
        Awaiting.until(
                Duration.ofSeconds(10),
                () -> emulator.deviceStatus("pk1", "dn1") == DeviceStatus.OFFLINE);
        assertThat(call("GetDeviceStatus", body).at("/Data/Status").asText()).isEqualTo("OFFLINE");
    }

    @Test
    void setDevicePropertyPushesThePropertySetAndQueryReturnsReportedValues() throws Exception {
        try (TestSocket d = TestSocket.device(emulator.mqttAddress(), DEVICE, true)) {
            subscribe(d, "/sys/pk1/dn1/thing/service/property/set");
            JsonNode r =
                    call(
                            "SetDeviceProperty",
                            "{\"ProductKey\":\"pk1\",\"DeviceName\":\"dn1\",\"Items\":\"{\\\"Light\\\":1}\"}");
            assertThat(r.get("Success").asBoolean()).isTrue();
            String messageId = r.at("/Data/MessageId").asText();
            JsonNode pushed = JSON.readTree(((Publish) d.read()).payloadUnsafe());
            assertThat(pushed.get("id").asText()).isEqualTo(messageId);
            assertThat(pushed.get("params").toString()).isEqualTo("{\"Light\":1}");

            d.send(
                    Publish.qos0(
                            "/sys/pk1/dn1/thing/event/property/post",
                            "{\"id\":\"5\",\"params\":{\"Light\":{\"value\":1,\"time\":1700000000000},\"Mode\":\"eco\"}}"));
            d.send(io.thingflux.mqtt.PingReq.INSTANCE);
            d.read(); // PINGRESP: the post before it was handled
            JsonNode q =
                    call(
                            "QueryDevicePropertyStatus",
                            "{\"ProductKey\":\"pk1\",\"DeviceName\":\"dn1\"}");
            JsonNode list = q.at("/Data/List/PropertyStatusInfo");
            assertThat(list.size()).isEqualTo(2);
            assertThat(list.get(0).get("Identifier").asText()).isEqualTo("Light");
            assertThat(list.get(0).get("Value").asText()).isEqualTo("1");
            assertThat(list.get(0).get("Time").asText()).isEqualTo("1700000000000");
            assertThat(list.get(1).get("Identifier").asText()).isEqualTo("Mode");
            assertThat(list.get(1).get("Value").asText()).isEqualTo("eco");
        }
    }

    @Test
    void invokeThingServicePushesTheServiceCall() throws Exception {
        try (TestSocket d = TestSocket.device(emulator.mqttAddress(), DEVICE, true)) {
            subscribe(d, "/sys/pk1/dn1/thing/service/+");
            JsonNode r =
                    call(
                            "InvokeThingService",
                            "{\"ProductKey\":\"pk1\",\"DeviceName\":\"dn1\","
                                    + "\"Identifier\":\"Reboot\",\"Args\":\"{\\\"delay\\\":2}\"}");
            assertThat(r.get("Success").asBoolean()).isTrue();
            Publish p = (Publish) d.read();
            assertThat(p.topic()).isEqualTo("/sys/pk1/dn1/thing/service/Reboot");
            assertThat(JSON.readTree(p.payloadUnsafe()).get("params").toString())
                    .isEqualTo("{\"delay\":2}");
        }
    }

    @Test
    void rrpcWaitsForTheDevicesResponse() throws Exception {
        try (TestSocket d = TestSocket.device(emulator.mqttAddress(), DEVICE, true)) {
            subscribe(d, "/sys/pk1/dn1/rrpc/request/+");
            CompletableFuture<HttpResponse<String>> pending =
                    CompletableFuture.supplyAsync(
                            () -> {
                                try {
                                    return post(
                                            "RRpc",
                                            "{\"ProductKey\":\"pk1\",\"DeviceName\":\"dn1\",\"RequestBase64Byte\":\""
                                                    + Base64.getEncoder()
                                                            .encodeToString(
                                                                    "open"
                                                                            .getBytes(
                                                                                    StandardCharsets
                                                                                            .UTF_8))
                                                    + "\",\"Timeout\":8000}",
                                            TOKEN);
                                } catch (Exception e) {
                                    throw new IllegalStateException(e);
                                }
                            });
            Publish request = (Publish) d.read();
            assertThat(request.payloadAsString()).isEqualTo("open");
            String id = request.topic().substring("/sys/pk1/dn1/rrpc/request/".length());
            d.send(Publish.qos0("/sys/pk1/dn1/rrpc/response/" + id, "opened"));
            JsonNode r = JSON.readTree(pending.get().body());
            assertThat(r.get("Success").asBoolean()).isTrue();
            assertThat(r.get("RrpcCode").asText()).isEqualTo("SUCCESS");
            assertThat(
                            new String(
                                    Base64.getDecoder().decode(r.get("PayloadBase64Byte").asText()),
                                    StandardCharsets.UTF_8))
                    .isEqualTo("opened");
        }
        JsonNode offline =
                call(
                        "RRpc",
                        "{\"ProductKey\":\"pk1\",\"DeviceName\":\"dn2\",\"RequestBase64Byte\":\"AA==\","
                                + "\"Timeout\":1000}");
        assertThat(offline.get("RrpcCode").asText()).isEqualTo("OFFLINE");
    }

    @Test
    @SuppressWarnings("try") // the device connection is held open, not used
    void rrpcWithoutAResponseAnswersTimeout() throws Exception {
        try (TestSocket d = TestSocket.device(emulator.mqttAddress(), DEVICE, true)) {
            JsonNode r =
                    call(
                            "RRpc",
                            "{\"ProductKey\":\"pk1\",\"DeviceName\":\"dn1\",\"RequestBase64Byte\":\"AA==\","
                                    + "\"Timeout\":1000}");
            assertThat(r.get("RrpcCode").asText()).isEqualTo("TIMEOUT");
        }
    }

    @Test
    void pubDeliversDecodedContentAtTheRequestedQos() throws Exception {
        try (TestSocket d = TestSocket.device(emulator.mqttAddress(), DEVICE, true)) {
            subscribe(d, "/pk1/dn1/user/get");
            JsonNode r =
                    call(
                            "Pub",
                            "{\"ProductKey\":\"pk1\",\"TopicFullName\":\"/pk1/dn1/user/get\","
                                    + "\"MessageContent\":\""
                                    + Base64.getEncoder()
                                            .encodeToString(new byte[] {0, (byte) 0xFF})
                                    + "\","
                                    + "\"Qos\":1}");
            assertThat(r.get("Success").asBoolean()).isTrue();
            Publish p = (Publish) d.read();
            assertThat(p.qos()).isEqualTo(MqttQos.AT_LEAST_ONCE);
            assertThat(p.payload()).containsExactly(0, 0xFF);
        }
    }

    @Test
    void badRequestsAreAnsweredWithCodeAndMessageNeverA500() throws Exception {
        HttpResponse<String> notJson = post("GetDeviceStatus", "{oops", TOKEN);
        assertThat(notJson.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(notJson.body()).get("Success").asBoolean()).isFalse();
        assertThat(JSON.readTree(notJson.body()).get("ErrorMessage").asText()).isNotEmpty();

        HttpResponse<String> missing = post("SetDeviceProperty", "{\"ProductKey\":\"pk1\"}", TOKEN);
        assertThat(missing.statusCode()).isEqualTo(400);
        // the JSON form shares the OpenAPI's handlers: a missing parameter is named
        assertThat(JSON.readTree(missing.body()).get("Code").asText())
                .isEqualTo("MissingParameter");
        assertThat(JSON.readTree(missing.body()).get("ErrorMessage").asText())
                .contains("DeviceName");

        HttpResponse<String> badItems =
                post(
                        "SetDeviceProperty",
                        "{\"ProductKey\":\"pk1\",\"DeviceName\":\"dn1\",\"Items\":\"not an object\"}",
                        TOKEN);
        assertThat(JSON.readTree(badItems.body()).get("Code").asText())
                .isEqualTo("iot.common.InvalidParameter");

        HttpResponse<String> unknownDevice =
                post("GetDeviceStatus", "{\"ProductKey\":\"pk1\",\"DeviceName\":\"ghost\"}", TOKEN);
        assertThat(unknownDevice.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(unknownDevice.body()).get("Code").asText())
                .isEqualTo("iot.device.NotExistedDevice");

        HttpResponse<String> badQos =
                post(
                        "Pub",
                        "{\"ProductKey\":\"pk1\",\"TopicFullName\":\"/a\","
                                + "\"MessageContent\":\"AA==\",\"Qos\":2}",
                        TOKEN);
        assertThat(badQos.statusCode()).isEqualTo(400);

        HttpResponse<String> badTopic =
                post(
                        "Pub",
                        "{\"ProductKey\":\"pk1\",\"TopicFullName\":\"/a/#\","
                                + "\"MessageContent\":\"AA==\"}",
                        TOKEN);
        assertThat(JSON.readTree(badTopic.body()).get("Success").asBoolean()).isFalse();

        assertThat(post("NoSuchAction", "{}", TOKEN).statusCode()).isEqualTo(404);
        for (HttpResponse<String> r :
                java.util.List.of(notJson, missing, badItems, unknownDevice, badQos, badTopic)) {
            assertThat(r.statusCode()).isLessThan(500);
        }
    }

    @Test
    void aMissingOrWrongTokenIsRefusedWith401() throws Exception {
        String body = "{\"ProductKey\":\"pk1\",\"DeviceName\":\"dn1\"}";
        assertThat(post("GetDeviceStatus", body, null).statusCode()).isEqualTo(401);
        HttpResponse<String> wrong = post("GetDeviceStatus", body, "wrong");
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(wrong.body()).get("Success").asBoolean()).isFalse();
        assertThat(post("GetDeviceStatus", body, TOKEN).statusCode()).isEqualTo(200);
    }
}
