package io.thingflux.emulator.platform;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.thingflux.aliyun.AliyunDeviceIdentity;
import io.thingflux.mqtt.ConnAck;
import io.thingflux.mqtt.MqttQos;
import io.thingflux.mqtt.PingReq;
import io.thingflux.mqtt.Publish;
import io.thingflux.mqtt.SubAck;
import io.thingflux.mqtt.Subscribe;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The emulator's OpenAPI over real HTTP: both signatures, every refusal, and each action against a
 * device on a real socket. One emulator for the class.
 */
class OpenApiEndpointTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final AliyunDeviceIdentity DEVICE = new AliyunDeviceIdentity("pkA", "dev1", "secret1");

    static AliyunPlatformEmulator emulator;
    static OpenApiSigner signer;
    static final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @BeforeAll
    static void start() {
        emulator =
                AliyunPlatformEmulator.start(
                        EmulatorOptions.builder()
                                .port(0)
                                .adminPort(0)
                                .adminTlsPort(0)
                                .device(DEVICE)
                                .accessKey("LTAItest:s3cret")
                                .syncService("pkA/Sum")
                                .build());
        signer =
                new OpenApiSigner(
                        "http://127.0.0.1:" + emulator.adminAddress().orElseThrow().getPort(),
                        "LTAItest",
                        "s3cret");
    }

    @AfterAll
    static void stop() {
        emulator.close();
    }

    static HttpResponse<String> send(HttpRequest request) throws Exception {
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode ok(String action, Map<String, String> params) throws Exception {
        HttpResponse<String> r = send(signer.v1(action, params));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.get("Success").asBoolean()).as(r.body()).isTrue();
        assertThat(body.get("RequestId").asText()).isNotEmpty();
        return body;
    }

    static void assertRefused(HttpResponse<String> r, int status, String code) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.get("Code").asText()).isEqualTo(code);
        assertThat(body.get("Message").asText()).isNotEmpty();
        assertThat(body.get("RequestId").asText()).isNotEmpty();
        assertThat(r.body()).doesNotContain("s3cret");
    }

    static Map<String, String> device(String dn) {
        return Map.of("ProductKey", "pkA", "DeviceName", dn);
    }

    @Test
    void bothSignaturesAreAccepted() throws Exception {
        assertThat(ok("GetDeviceStatus", device("dev1")).at("/Data/Status").asText())
                .isEqualTo("UNACTIVE");
        HttpResponse<String> v3 = send(signer.v3("GetDeviceStatus", device("dev1"), false));
        assertThat(v3.statusCode()).as(v3.body()).isEqualTo(200);
        assertThat(JSON.readTree(v3.body()).at("/Data/Status").asText()).isEqualTo("UNACTIVE");
    }

    @Test
    void theOpenApiIsServedOverHttpsToo() throws Exception {
        javax.net.ssl.SSLContext trustAll = javax.net.ssl.SSLContext.getInstance("TLS");
        trustAll.init(null, new javax.net.ssl.TrustManager[] {new TrustAll()}, null);
        HttpClient https = HttpClient.newBuilder().sslContext(trustAll).build();
        OpenApiSigner overTls =
                new OpenApiSigner(
                        "https://localhost:" + emulator.adminTlsAddress().orElseThrow().getPort(),
                        "LTAItest",
                        "s3cret");
        HttpResponse<String> r =
                https.send(
                        overTls.v3("GetDeviceStatus", device("dev1"), false),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(JSON.readTree(r.body()).get("Success").asBoolean()).isTrue();
    }

    /** Accepts the emulator's self-signed certificate (a test only talks to it). */
    static final class TrustAll extends javax.net.ssl.X509ExtendedTrustManager {
        @Override
        public void checkClientTrusted(java.security.cert.X509Certificate[] c, String a) {}

        @Override
        public void checkServerTrusted(java.security.cert.X509Certificate[] c, String a) {}

        @Override
        public void checkClientTrusted(
                java.security.cert.X509Certificate[] c, String a, java.net.Socket s) {}

        @Override
        public void checkServerTrusted(
                java.security.cert.X509Certificate[] c, String a, java.net.Socket s) {}

        @Override
        public void checkClientTrusted(
                java.security.cert.X509Certificate[] c, String a, javax.net.ssl.SSLEngine e) {}

        @Override
        public void checkServerTrusted(
                java.security.cert.X509Certificate[] c, String a, javax.net.ssl.SSLEngine e) {}

        @Override
        public java.security.cert.X509Certificate[] getAcceptedIssuers() {
            return new java.security.cert.X509Certificate[0];
        }
    }

    @Test
    void refusals() throws Exception {
        String now = OpenApiSigner.timestamp(Instant.now());
        assertRefused(
                send(
                        new OpenApiSigner(signer.endpoint, "LTAIother", "s3cret")
                                .v1("GetDeviceStatus", device("dev1"))),
                404,
                "InvalidAccessKeyId.NotFound");
        assertRefused(
                send(signer.v1("GetDeviceStatus", device("dev1"), now, "n1", "AAAA")),
                400,
                "SignatureDoesNotMatch");
        assertRefused(
                send(
                        new OpenApiSigner(signer.endpoint, "LTAItest", "wrong")
                                .v1("GetDeviceStatus", device("dev1"))),
                400,
                "SignatureDoesNotMatch");
        String nonce = UUID.randomUUID().toString();
        assertThat(
                        send(signer.v1("GetDeviceStatus", device("dev1"), now, nonce, null))
                                .statusCode())
                .isEqualTo(200);
        assertRefused(
                send(signer.v1("GetDeviceStatus", device("dev1"), now, nonce, null)),
                400,
                "SignatureNonceUsed");
        assertRefused(
                send(
                        signer.v1(
                                "GetDeviceStatus",
                                device("dev1"),
                                OpenApiSigner.timestamp(
                                        Instant.now().minus(Duration.ofMinutes(16))),
                                "n2",
                                null)),
                400,
                "InvalidTimeStamp.Expired");
        assertRefused(
                send(signer.v3("GetDeviceStatus", device("dev1"), true)),
                400,
                "SignatureDoesNotMatch");
        assertRefused(
                send(
                        new OpenApiSigner(signer.endpoint, "LTAIother", "x")
                                .v3("GetDeviceStatus", device("dev1"), false)),
                404,
                "InvalidAccessKeyId.NotFound");
        assertRefused(send(signer.v1("NoSuchAction", Map.of())), 404, "InvalidApi.NotFound");
        HttpResponse<String> missing =
                send(signer.v1("GetDeviceStatus", Map.of("ProductKey", "pkA")));
        assertRefused(missing, 400, "MissingParameter");
        assertThat(JSON.readTree(missing.body()).get("Message").asText()).contains("DeviceName");
        assertRefused(
                send(signer.v1("QueryDevice", Map.of("ProductKey", "pkA", "PageSize", "0"))),
                400,
                "InvalidParameter");
        assertRefused(
                send(signer.v1("QueryDevice", Map.of("ProductKey", "pkA", "PageSize", "ten"))),
                400,
                "InvalidParameter");
        JsonNode unknown = ok0(send(signer.v1("GetDeviceStatus", device("ghost"))));
        assertThat(unknown.get("Code").asText()).isEqualTo("iot.device.NotExistedDevice");
    }

    /** A 200 answer with {@code "Success":false}. */
    static JsonNode ok0(HttpResponse<String> r) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.get("Success").asBoolean()).isFalse();
        return body;
    }

    @Test
    void aRegisteredDeviceConnectsAndIsManagedThroughEveryAction() throws Exception {
        JsonNode reg =
                ok(
                        "RegisterDevice",
                        Map.of("ProductKey", "pkA", "DeviceName", "lamp1", "Nickname", "Lamp"));
        String secret = reg.at("/Data/DeviceSecret").asText();
        String iotId = reg.at("/Data/IotId").asText();
        assertThat(secret).isNotEmpty();
        assertThat(iotId).hasSize(26);
        assertThat(ok0(send(signer.v1("RegisterDevice", device("lamp1")))).get("Code").asText())
                .isEqualTo("iot.device.AlreadyExistedDeviceName");
        AliyunDeviceIdentity lamp = new AliyunDeviceIdentity("pkA", "lamp1", secret);

        try (TestSocket d = TestSocket.device(emulator.mqttAddress(), lamp, true)) {
            subscribe(d, "/sys/pkA/lamp1/thing/service/#");
            JsonNode detail = ok("QueryDeviceDetail", Map.of("IotId", iotId));
            assertThat(detail.at("/Data/DeviceName").asText()).isEqualTo("lamp1");
            assertThat(detail.at("/Data/Status").asText()).isEqualTo("ONLINE");
            assertThat(detail.at("/Data/Nickname").asText()).isEqualTo("Lamp");

            JsonNode page1 =
                    ok(
                            "QueryDevice",
                            Map.of("ProductKey", "pkA", "PageSize", "1", "CurrentPage", "1"));
            assertThat(page1.get("Total").asInt()).isEqualTo(2);
            assertThat(page1.get("PageCount").asInt()).isEqualTo(2);
            assertThat(page1.at("/Data/DeviceInfo/0/DeviceName").asText()).isEqualTo("dev1");
            JsonNode page2 =
                    ok(
                            "QueryDevice",
                            Map.of("ProductKey", "pkA", "PageSize", "1", "CurrentPage", "2"));
            assertThat(page2.at("/Data/DeviceInfo/0/DeviceName").asText()).isEqualTo("lamp1");

            JsonNode states =
                    ok(
                            "BatchGetDeviceState",
                            Map.of(
                                    "ProductKey",
                                    "pkA",
                                    "DeviceName.1",
                                    "lamp1",
                                    "DeviceName.2",
                                    "dev1"));
            assertThat(states.at("/DeviceStatusList/DeviceStatus/0/Status").asText())
                    .isEqualTo("ONLINE");
            assertThat(states.at("/DeviceStatusList/DeviceStatus/1/Status").asText())
                    .isEqualTo("UNACTIVE");

            // SetDeviceProperty and SetDevicesProperty arrive as property sets
            String id =
                    ok("SetDeviceProperty", Map.of("IotId", iotId, "Items", "{\"Light\":1}"))
                            .at("/Data/MessageId")
                            .asText();
            JsonNode set = JSON.readTree(((Publish) d.read()).payloadUnsafe());
            assertThat(set.get("id").asText()).isEqualTo(id);
            assertThat(set.get("params").toString()).isEqualTo("{\"Light\":1}");
            ok(
                    "SetDevicesProperty",
                    Map.of("ProductKey", "pkA", "DeviceName.1", "lamp1", "Items", "{\"Light\":0}"));
            assertThat(JSON.readTree(((Publish) d.read()).payloadUnsafe()).get("params").toString())
                    .isEqualTo("{\"Light\":0}");

            // reported values: status and history, paged
            for (int i = 1; i <= 3; i++) {
                d.send(
                        Publish.qos0(
                                "/sys/pkA/lamp1/thing/event/property/post",
                                "{\"id\":\""
                                        + i
                                        + "\",\"params\":{\"Light\":{\"value\":"
                                        + i
                                        + ",\"time\":"
                                        + (1_700_000_000_000L + i)
                                        + "}}}"));
            }
            d.send(
                    Publish.qos0(
                            "/sys/pkA/lamp1/thing/event/Overheat/post",
                            "{\"id\":\"9\",\"params\":{\"value\":{\"Temp\":90},\"time\":1700000000005}}"));
            d.send(PingReq.INSTANCE);
            while (!(d.read() instanceof io.thingflux.mqtt.PingResp)) {
                // post replies before the PINGRESP
            }
            JsonNode status = ok("QueryDevicePropertyStatus", device("lamp1"));
            assertThat(status.at("/Data/List/PropertyStatusInfo/0/Value").asText()).isEqualTo("3");
            Map<String, String> range = new HashMap<>(device("lamp1"));
            range.putAll(
                    Map.of(
                            "Identifier", "Light",
                            "StartTime", "1700000000000",
                            "EndTime", "1700000000010",
                            "PageSize", "2",
                            "Asc", "1"));
            JsonNode history = ok("QueryDevicePropertyData", range);
            assertThat(history.at("/Data/List/PropertyInfo").size()).isEqualTo(2);
            assertThat(history.at("/Data/List/PropertyInfo/0/Value").asText()).isEqualTo("1");
            assertThat(history.at("/Data/NextValid").asBoolean()).isTrue();
            range.put("StartTime", history.at("/Data/NextTime").asText());
            JsonNode rest = ok("QueryDevicePropertyData", range);
            assertThat(rest.at("/Data/List/PropertyInfo").size()).isEqualTo(1);
            assertThat(rest.at("/Data/List/PropertyInfo/0/Value").asText()).isEqualTo("3");
            assertThat(rest.at("/Data/NextValid").asBoolean()).isFalse();
            range.remove("Identifier");
            JsonNode events = ok("QueryDeviceEventData", range);
            assertThat(events.at("/Data/List/EventInfo/0/Identifier").asText())
                    .isEqualTo("Overheat");
            assertThat(events.at("/Data/List/EventInfo/0/OutputData").asText())
                    .isEqualTo("{\"Temp\":90}");

            // services: asynchronous, to several devices, and synchronous with the reply
            ok("InvokeThingService", Map.of("IotId", iotId, "Identifier", "Reboot", "Args", "{}"));
            assertThat(((Publish) d.read()).topic())
                    .isEqualTo("/sys/pkA/lamp1/thing/service/Reboot");
            ok(
                    "InvokeThingsService",
                    Map.of("ProductKey", "pkA", "DeviceName.1", "lamp1", "Identifier", "Blink"));
            assertThat(((Publish) d.read()).topic())
                    .isEqualTo("/sys/pkA/lamp1/thing/service/Blink");
            subscribe(d, "/ext/rrpc/+/sys/pkA/lamp1/thing/service/+");
            CompletableFuture<JsonNode> sync =
                    CompletableFuture.supplyAsync(
                            () ->
                                    call(
                                            "InvokeThingService",
                                            Map.of(
                                                    "IotId",
                                                    iotId,
                                                    "Identifier",
                                                    "Sum",
                                                    "Args",
                                                    "{\"a\":1,\"b\":2}")));
            Publish call = (Publish) d.read();
            assertThat(call.topic())
                    .startsWith("/ext/rrpc/")
                    .endsWith("/sys/pkA/lamp1/thing/service/Sum");
            JsonNode request = JSON.readTree(call.payloadUnsafe());
            d.send(
                    Publish.qos0(
                            call.topic(),
                            "{\"id\":\""
                                    + request.get("id").asText()
                                    + "\",\"code\":200,\"data\":{\"sum\":3}}"));
            JsonNode syncReply = sync.get();
            assertThat(syncReply.get("Success").asBoolean()).isTrue();
            assertThat(syncReply.at("/Data/Result").asText()).isEqualTo("{\"sum\":3}");

            // Pub, PubBroadcast, RRpc
            subscribe(d, "/pkA/lamp1/user/get");
            ok(
                    "Pub",
                    Map.of(
                            "ProductKey", "pkA",
                            "TopicFullName", "/pkA/lamp1/user/get",
                            "MessageContent",
                                    Base64.getEncoder().encodeToString(OpenApiSigner.utf8("hi")),
                            "Qos", "1"));
            Publish pub = (Publish) d.read();
            assertThat(pub.payloadAsString()).isEqualTo("hi");
            if (pub.qos() == MqttQos.AT_LEAST_ONCE) {
                d.send(new io.thingflux.mqtt.PubAck(pub.packetId()));
            }
            subscribe(d, "/sys/pkA/lamp1/broadcast/request/+");
            JsonNode bc =
                    ok(
                            "PubBroadcast",
                            Map.of(
                                    "ProductKey",
                                    "pkA",
                                    "MessageContent",
                                    Base64.getEncoder().encodeToString(OpenApiSigner.utf8("all"))));
            Publish broadcast = (Publish) d.read();
            assertThat(broadcast.topic())
                    .isEqualTo("/sys/pkA/lamp1/broadcast/request/" + bc.get("MessageId").asText());
            subscribe(d, "/sys/pkA/lamp1/rrpc/request/+");
            CompletableFuture<JsonNode> rrpc =
                    CompletableFuture.supplyAsync(
                            () ->
                                    call(
                                            "RRpc",
                                            Map.of(
                                                    "IotId", iotId,
                                                    "RequestBase64Byte", "AQI=",
                                                    "Timeout", "5000")));
            Publish rrpcRequest = (Publish) d.read();
            d.send(Publish.qos0(rrpcRequest.topic().replace("/request/", "/response/"), "ok"));
            assertThat(rrpc.get().get("RrpcCode").asText()).isEqualTo("SUCCESS");

            // DisableThing closes the connection and refuses the next one
            ok("DisableThing", Map.of("IotId", iotId));
            assertThat(d.awaitClosed()).isTrue();
        }
        assertThat(ok("GetDeviceStatus", device("lamp1")).at("/Data/Status").asText())
                .isEqualTo("DISABLE");
        try (TestSocket again = new TestSocket(emulator.mqttAddress())) {
            again.send(TestSocket.connect(lamp, true, 60));
            assertThat(((ConnAck) again.read()).returnCode().code()).isEqualTo(5);
        }
        ok("EnableThing", device("lamp1"));
        try (TestSocket again = TestSocket.device(emulator.mqttAddress(), lamp, true)) {
            ok("DeleteDevice", device("lamp1"));
            assertThat(again.awaitClosed()).isTrue();
        }
        assertThat(ok0(send(signer.v1("QueryDeviceDetail", device("lamp1")))).get("Code").asText())
                .isEqualTo("iot.device.NotExistedDevice");
    }

    static JsonNode call(String action, Map<String, String> params) {
        try {
            return JSON.readTree(send(signer.v1(action, params)).body());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void subscribe(TestSocket s, String filter) {
        s.send(Subscribe.of(1, filter, MqttQos.AT_MOST_ONCE));
        assertThat(s.read()).isInstanceOf(SubAck.class);
    }
}
