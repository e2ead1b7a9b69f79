package io.thingflux.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.thingflux.alink.AlinkReplyException;
import io.thingflux.alink.AliyunDevice;
import io.thingflux.alink.AliyunDeviceOptions;
import io.thingflux.alink.ConfigFile;
import io.thingflux.alink.FirmwareVerificationException;
import io.thingflux.alink.HttpsDynamicRegistration;
import io.thingflux.alink.OtaFirmware;
import io.thingflux.alink.PlatformServices;
import io.thingflux.alink.RegistrationResult;
import io.thingflux.alink.ShadowException;
import io.thingflux.alink.ThingMessage;
import io.thingflux.aliyun.AliyunDeviceIdentity;
import io.thingflux.aliyun.AliyunProducts;
import io.thingflux.aliyun.AliyunSigner;
import io.thingflux.emulator.platform.AliyunPlatformEmulator;
import io.thingflux.emulator.platform.EmulatorOptions;
import io.thingflux.emulator.platform.internal.SelfSignedTls;
import io.thingflux.netty.client.MqttClientOptions;
import io.thingflux.netty.client.MqttClientResources;
import io.thingflux.netty.client.NettyMqttLink;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end over Netty: the platform services of {@link PlatformServices} against the platform
 * emulator (synchronous services over system RRPC, the property/post echo, shadow with its version
 * rules, tags, remote config, OTA over HTTPS with a cut resumed and a corrupted file reported -3,
 * HTTPS dynamic registration). One emulator and one device for the class.
 */
class PlatformServicesOverNettyTest {

    static final Duration T = Duration.ofSeconds(20);
    static final ObjectMapper JSON = new ObjectMapper();
    static final String PK = "a1PlatformPk";
    static final String PRODUCT_SECRET = "productSecret42";
    static final String DN = "dev-1";
    static final String OTHER_PK = "a1OtherPk";

    static AliyunPlatformEmulator emulator;
    static MqttClientResources resources;
    static HttpClient http;
    static AliyunDevice device;
    static PlatformServices services;

    @TempDir static Path dir;

    @BeforeAll
    static void start() throws Exception {
        SelfSignedTls tls = SelfSignedTls.generate("localhost");
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        tls.writePem(cert, key);
        emulator =
                AliyunPlatformEmulator.start(
                        EmulatorOptions.builder()
                                .host("127.0.0.1")
                                .port(0)
                                .adminPort(0)
                                .adminTlsPort(0)
                                .tlsCertificate(cert, key)
                                .product(PK, PRODUCT_SECRET)
                                .product(OTHER_PK, PRODUCT_SECRET)
                                .syncService(PK + "/Sum")
                                .build());
        http = HttpClient.newBuilder().sslContext(trusting(cert)).build();
        resources = MqttClientResources.create(1);
        device = device(PK, DN);
        device.connect().block(T);
        services = PlatformServices.of(device, http);
    }

    static AliyunDevice device(String pk, String dn) {
        AliyunDeviceIdentity identity =
                new AliyunDeviceIdentity(
                        pk, dn, AliyunProducts.deriveDeviceSecret(PRODUCT_SECRET, dn));
        MqttClientOptions options =
                MqttClientOptions.builder("127.0.0.1", emulator.mqttAddress().getPort())
                        .aliyun(identity, AliyunSigner.builder().build())
                        .build();
        AliyunDeviceOptions.Builder b = AliyunDeviceOptions.builder();
        PlatformServices.subscribe(b, pk, dn);
        b.additionalSubscription("/sys/" + pk + "/" + dn + "/thing/event/property/post");
        return AliyunDevice.create(NettyMqttLink.create(options, resources), identity, b.build());
    }

    static SSLContext trusting(Path cert) throws Exception {
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        ks.load(null, null);
        ks.setCertificateEntry(
                "emulator",
                CertificateFactory.getInstance("X.509")
                        .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(cert))));
        TrustManagerFactory tmf =
                TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    @AfterAll
    static void stop() {
        if (device != null) {
            device.disconnect().onErrorResume(e -> reactor.core.publisher.Mono.empty()).block(T);
        }
        if (resources != null) {
            resources.disposeLater().block(T);
        }
        if (emulator != null) {
            emulator.close();
        }
    }

    /** An admin action over HTTPS (JSON form); its answer. */
    static JsonNode api(String action, Map<String, ?> params) throws Exception {
        HttpResponse<String> r =
                http.send(
                        HttpRequest.newBuilder(
                                        URI.create(
                                                "https://localhost:"
                                                        + emulator.adminTlsAddress()
                                                                .orElseThrow()
                                                                .getPort()
                                                        + "/api/"
                                                        + action))
                                .POST(
                                        HttpRequest.BodyPublishers.ofString(
                                                JSON.writeValueAsString(params)))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(r.body());
    }

    static <T extends ThingMessage> CompletableFuture<T> next(Class<T> type) {
        return device.messages().ofType(type).next().toFuture();
    }

    @Test
    void synchronousServiceArrivesAsAServiceCallAndItsReplyIsTheResult() throws Exception {
        device.messages()
                .ofType(ThingMessage.ServiceCall.class)
                .filter(c -> c.serviceId().equals("Sum") && !c.params().containsKey("ignored"))
                .next()
                .flatMap(
                        c -> {
                            assertThat(c.synchronous()).isTrue();
                            assertThat(c.replyTopic()).contains("/rrpc/response/");
                            int sum =
                                    ((Number) c.params().get("a")).intValue()
                                            + ((Number) c.params().get("b")).intValue();
                            return device.reply(c, 200, Map.of("sum", sum));
                        })
                .subscribe();
        JsonNode answer =
                api(
                        "InvokeThingService",
                        Map.of(
                                "ProductKey",
                                PK,
                                "DeviceName",
                                DN,
                                "Identifier",
                                "Sum",
                                "Args",
                                "{\"a\":1,\"b\":2}"));
        assertThat(answer.path("Success").asBoolean()).as(answer.toString()).isTrue();
        assertThat(JSON.readTree(answer.path("Data").path("Result").asText()).path("sum").asInt())
                .isEqualTo(3);
    }

    @Test
    void aSynchronousServiceTheDeviceDoesNotAnswerEndsWithTheTimeoutCode() throws Exception {
        JsonNode answer =
                api(
                        "InvokeThingService",
                        Map.of(
                                "ProductKey",
                                PK,
                                "DeviceName",
                                DN,
                                "Identifier",
                                "Sum",
                                "Args",
                                "{\"a\":1,\"b\":2,\"ignored\":true}",
                                "Timeout",
                                1000));
        assertThat(answer.path("Success").asBoolean()).isFalse();
        assertThat(answer.path("Code").asText()).isEqualTo("iot.device.InvokeThingServiceTimeout");
    }

    @Test
    void aDeviceSubscribedToItsOwnPostReceivesThePostBack() throws Exception {
        String postTopic = device.topics().propertyPost();
        CompletableFuture<ThingMessage> echo =
                device.messages().filter(m -> m.topic().equals(postTopic)).next().toFuture();
        device.postProperties(Map.of("Echo", 7)).block(T);
        assertThat(echo.get(T.toSeconds(), TimeUnit.SECONDS).topic()).isEqualTo(postTopic);
    }

    @Test
    void shadowReportControlAppliedAndStaleVersionRefused() throws Exception {
        var shadow = services.shadow();
        shadow.report(Map.of("color", "red")).block(T);
        long v = shadow.version();
        assertThat(v).isPositive();
        JsonNode doc =
                JSON.readTree(
                        api("GetDeviceShadow", Map.of("ProductKey", PK, "DeviceName", DN))
                                .path("ShadowMessage")
                                .asText());
        assertThat(doc.path("state").path("reported").path("color").asText()).isEqualTo("red");

        CompletableFuture<ThingMessage.ShadowMessage> control = shadow.controls().next().toFuture();
        JsonNode updated =
                api(
                        "UpdateDeviceShadow",
                        Map.of(
                                "ProductKey",
                                PK,
                                "DeviceName",
                                DN,
                                "ShadowMessage",
                                "{\"method\":\"update\",\"state\":{\"desired\":{\"color\":\"blue\"}},\"version\":"
                                        + (v + 1)
                                        + "}"));
        assertThat(updated.path("Success").asBoolean()).as(updated.toString()).isTrue();
        ThingMessage.ShadowMessage pushed = control.get(T.toSeconds(), TimeUnit.SECONDS);
        assertThat(pushed.desired()).containsEntry("color", "blue");
        assertThat(shadow.version()).isEqualTo(v + 1);
        shadow.applied(pushed.desired()).block(T);
        ThingMessage.ShadowMessage now = shadow.get().block(T);
        assertThat(now.reported()).containsEntry("color", "blue");
        assertThat(now.desired()).isEmpty();

        assertThatThrownBy(() -> shadow.report(Map.of("color", "green"), 1).block(T))
                .isInstanceOfSatisfying(
                        ShadowException.class,
                        e -> assertThat(e.code()).isEqualTo(ShadowException.VERSION_CONFLICT));
        assertThat(
                        api(
                                        "UpdateDeviceShadow",
                                        Map.of(
                                                "ProductKey",
                                                PK,
                                                "DeviceName",
                                                DN,
                                                "ShadowMessage",
                                                "{\"method\":\"update\",\"state\":{\"desired\":{\"x\":1}},\"version\":1}"))
                                .path("Success")
                                .asBoolean())
                .isFalse();
        shadow.delete(List.of("color")).block(T);
        assertThat(shadow.get().block(T).reported()).doesNotContainKey("color");
    }

    /** The next payload the device publishes on {@code topic}, listened for from now on. */
    static CompletableFuture<String> sent(String topic) {
        return emulator.publishes()
                .filter(p -> p.topic().equals(topic))
                .next()
                .map(p -> new String(p.payload(), java.nio.charset.StandardCharsets.UTF_8))
                .toFuture();
    }

    @Test
    void requestsAreWrittenAsThePlatformDocumentsThem() throws Exception {
        CompletableFuture<String> tag = sent(device.topics().deviceInfoUpdate());
        services.tags().update(Map.of("Temperature", "36.8")).block(T);
        assertThat(tag.get(T.toSeconds(), TimeUnit.SECONDS))
                .matches(
                        "\\{\"id\":\"\\d+\",\"version\":\"1.0\",\"params\":\\[\\{\"attrKey\":\"Temperature\",\"attrValue\":\"36.8\"}],\"method\":\"thing.deviceinfo.update\"}");
        CompletableFuture<String> progress = sent(device.topics().otaProgress());
        services.ota().reportProgress(95, "..", "MCU").block(T);
        assertThat(progress.get(T.toSeconds(), TimeUnit.SECONDS))
                .matches(
                        "\\{\"id\":\"\\d+\",\"params\":\\{\"step\":\"95\",\"desc\":\"..\",\"module\":\"MCU\"}}");
        CompletableFuture<String> get = sent(device.topics().shadowUpdate());
        services.shadow().get().block(T);
        assertThat(get.get(T.toSeconds(), TimeUnit.SECONDS)).isEqualTo("{\"method\":\"get\"}");
    }

    @Test
    void desiredPropertiesAreReadAndAStaleDeleteIsRefusedWith6661() throws Exception {
        api(
                "SetDeviceDesiredProperty",
                Map.of("ProductKey", PK, "DeviceName", DN, "Items", "{\"power\":\"on\"}"));
        api(
                "SetDeviceDesiredProperty",
                Map.of("ProductKey", PK, "DeviceName", DN, "Items", "{\"power\":\"off\"}"));
        var reply =
                device.request(
                                device.topics().desiredGet(),
                                "thing.property.desired.get",
                                List.of("power", "absent"))
                        .block(T);
        assertThat(reply.dataAsMap().get("power")).isEqualTo(Map.of("value", "off", "version", 2));
        assertThatThrownBy(
                        () ->
                                device.request(
                                                device.topics().desiredDelete(),
                                                "thing.property.desired.delete",
                                                Map.of("power", Map.of("version", 1)))
                                        .block(T))
                .isInstanceOfSatisfying(
                        AlinkReplyException.class, e -> assertThat(e.code()).isEqualTo(6661));
        List<String> tooMany = new java.util.ArrayList<>();
        for (int i = 0; i < 201; i++) {
            tooMany.add("p" + i);
        }
        assertThatThrownBy(
                        () ->
                                device.request(
                                                device.topics().desiredGet(),
                                                "thing.property.desired.get",
                                                tooMany)
                                        .block(T))
                .isInstanceOfSatisfying(
                        AlinkReplyException.class, e -> assertThat(e.code()).isEqualTo(6104));
        device.request(
                        device.topics().desiredDelete(),
                        "thing.property.desired.delete",
                        Map.of("power", Map.of("version", 2)))
                .block(T);
        assertThat(
                        device.request(
                                        device.topics().desiredGet(),
                                        "thing.property.desired.get",
                                        List.of("power"))
                                .block(T)
                                .dataAsMap())
                .isEmpty();
    }

    @Test
    void tagsAreUpdatedDeletedAndQueried() throws Exception {
        var tags = services.tags();
        tags.update(Map.of("room", "A1", "floor_no", "3")).block(T);
        JsonNode props =
                JSON.readTree(
                        api("QueryDeviceProp", Map.of("ProductKey", PK, "DeviceName", DN))
                                .path("Props")
                                .asText());
        assertThat(props.path("room").asText()).isEqualTo("A1");
        tags.delete(List.of("room")).block(T);
        props =
                JSON.readTree(
                        api("QueryDeviceProp", Map.of("ProductKey", PK, "DeviceName", DN))
                                .path("Props")
                                .asText());
        assertThat(props.has("room")).isFalse();
        assertThat(props.path("floor_no").asText()).isEqualTo("3");
        assertThatThrownBy(() -> tags.update(Map.of("9lives", "x")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void remoteConfigIsPushedAnsweredDownloadedAndChecked() throws Exception {
        var config = services.config();
        CompletableFuture<ConfigFile> push = config.pushes().next().toFuture();
        JsonNode published =
                api(
                        "PublishProductConfig",
                        Map.of("ProductKey", PK, "Content", "{\"interval\":30}"));
        String configId = published.path("Data").path("ConfigId").asText();
        ConfigFile pushed = push.get(T.toSeconds(), TimeUnit.SECONDS);
        assertThat(pushed.configId()).isEqualTo(configId);
        assertThat(new String(config.download(pushed).block(T))).isEqualTo("{\"interval\":30}");
        ConfigFile got = config.get().block(T);
        assertThat(got.configId()).isEqualTo(configId);
        ConfigFile tampered =
                new ConfigFile(
                        got.configId(),
                        got.configSize(),
                        "00" + got.sign().substring(2),
                        "Sha256",
                        got.url());
        assertThatThrownBy(() -> config.download(tampered).block(T))
                .isInstanceOf(FirmwareVerificationException.class);
    }

    @Test
    void remoteConfigOfAProductWithoutOneIsRefusedWith6713() {
        AliyunDevice other = device(OTHER_PK, "dev-2");
        other.connect().block(T);
        try {
            assertThatThrownBy(() -> PlatformServices.of(other, http).config().get().block(T))
                    .isInstanceOfSatisfying(
                            AlinkReplyException.class, e -> assertThat(e.code()).isEqualTo(6713));
        } finally {
            other.disconnect().block(T);
        }
    }

    @Test
    void otaDownloadCutAt50PercentResumesAndVerifies() throws Exception {
        var ota = services.ota();
        ota.reportVersion("1.0.0", null).block(T);
        byte[] firmware = new byte[600 * 1024];
        new Random(19).nextBytes(firmware);
        String firmwareId = createFirmware("2.0.0", firmware, "SHA256");
        api(
                "InjectOTADownloadFault",
                Map.of("FirmwareId", firmwareId, "Fault", "cut", "At", "0.5"));
        CompletableFuture<OtaFirmware> notice = ota.upgrades().next().toFuture();
        String jobId =
                api(
                                "CreateOTAStaticUpgradeJob",
                                Map.of(
                                        "FirmwareId", firmwareId,
                                        "ProductKey", PK,
                                        "TargetDeviceName", List.of(DN)))
                        .path("Data")
                        .path("JobId")
                        .asText();
        OtaFirmware offered = notice.get(T.toSeconds(), TimeUnit.SECONDS);
        assertThat(offered.size()).isEqualTo(firmware.length);
        Path file = ota.downloadTo(offered, dir.resolve("fw-2.0.0.bin"), null).block(T);
        assertThat(Files.readAllBytes(file)).isEqualTo(firmware);
        JsonNode served = api("QueryOTAFirmware", Map.of("FirmwareId", firmwareId)).path("Data");
        assertThat(served.path("Downloads").asInt()).as("cut once, resumed once").isEqualTo(2);
        assertThat(served.path("ResumedDownloads").asInt()).isEqualTo(1);
        ota.reportProgress(100, "flashed", null).block(T);
        ota.reportVersion("2.0.0", null).block(T);
        awaitTask(jobId, "SUCCEEDED");
    }

    @Test
    void otaCorruptedFileFailsVerificationAndReportsMinus3() throws Exception {
        var ota = services.ota();
        byte[] firmware = new byte[100 * 1024];
        new Random(23).nextBytes(firmware);
        String firmwareId = createFirmware("3.0.0", firmware, "MD5");
        api("InjectOTADownloadFault", Map.of("FirmwareId", firmwareId, "Fault", "corrupt"));
        String jobId =
                api(
                                "CreateOTAStaticUpgradeJob",
                                Map.of(
                                        "FirmwareId", firmwareId,
                                        "ProductKey", PK,
                                        "TargetDeviceName", List.of(DN)))
                        .path("Data")
                        .path("JobId")
                        .asText();
        OtaFirmware offered = ota.query(null).block(T);
        assertThat(offered.version()).isEqualTo("3.0.0");
        assertThatThrownBy(
                        () -> ota.downloadTo(offered, dir.resolve("fw-3.0.0.bin"), null).block(T))
                .isInstanceOf(FirmwareVerificationException.class);
        JsonNode task = awaitTask(jobId, "FAILED");
        assertThat(task.path("Progress").asText()).isEqualTo("-3");
        assertThat(Files.exists(dir.resolve("fw-3.0.0.bin"))).isFalse();
    }

    @Test
    void httpsDynamicRegistrationWithAndWithoutPreRegistration() throws Exception {
        URI endpoint =
                URI.create(
                        "https://localhost:" + emulator.adminTlsAddress().orElseThrow().getPort());
        JsonNode registered =
                api("RegisterDevice", Map.of("ProductKey", PK, "DeviceName", "dyn-dev-1"));
        assertThat(registered.path("Success").asBoolean()).as(registered.toString()).isTrue();
        RegistrationResult secret =
                HttpsDynamicRegistration.register(
                                http, endpoint, PK, "dyn-dev-1", PRODUCT_SECRET, true)
                        .block(T);
        assertThat(secret)
                .isInstanceOfSatisfying(
                        RegistrationResult.DeviceSecret.class,
                        s ->
                                assertThat(s.deviceSecret())
                                        .isEqualTo(
                                                registered
                                                        .path("Data")
                                                        .path("DeviceSecret")
                                                        .asText()));
        RegistrationResult token =
                HttpsDynamicRegistration.register(
                                http, endpoint, PK, "dyn-dev-2", PRODUCT_SECRET, false)
                        .block(T);
        assertThat(token).isInstanceOf(RegistrationResult.DeviceToken.class);
        RegistrationResult.DeviceToken t = (RegistrationResult.DeviceToken) token;
        // the token connects the device (authType=connwl, password = token)
        AliyunDevice tokenDevice =
                AliyunDevice.create(
                        NettyMqttLink.create(
                                MqttClientOptions.builder(
                                                "127.0.0.1", emulator.mqttAddress().getPort())
                                        .clientId(t.clientId() + "|securemode=-2,authType=connwl|")
                                        .credentials("dyn-dev-2&" + PK, t.deviceToken())
                                        .build(),
                                resources),
                        PK,
                        "dyn-dev-2",
                        AliyunDeviceOptions.defaults());
        tokenDevice.connect().block(T);
        tokenDevice.disconnect().block(T);
        assertThatThrownBy(
                        () ->
                                HttpsDynamicRegistration.register(
                                                http, endpoint, PK, "dyn-dev-1", "wrong", true)
                                        .block(T))
                .hasMessageContaining("6600");
    }

    static String createFirmware(String version, byte[] bytes, String signMethod) throws Exception {
        JsonNode created =
                api(
                        "CreateOTAFirmware",
                        Map.of(
                                "ProductKey", PK,
                                "DestVersion", version,
                                "FirmwareName", "fw",
                                "SignMethod", signMethod,
                                "FirmwareBase64", Base64.getEncoder().encodeToString(bytes)));
        assertThat(created.path("Success").asBoolean()).as(created.toString()).isTrue();
        return created.path("Data").path("FirmwareId").asText();
    }

    static JsonNode awaitTask(String jobId, String status) throws Exception {
        long deadline = System.nanoTime() + T.toNanos();
        JsonNode task = null;
        while (System.nanoTime() < deadline) {
            task =
                    api("ListOTATaskByJob", Map.of("JobId", jobId))
                            .path("Data")
                            .path("SimpleOTATaskInfo")
                            .get(0);
            if (task.path("TaskStatus").asText().equals(status)) {
                return task;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(20_000_000L); // bounded polling
        }
        throw new AssertionError("task of " + jobId + " is " + task + ", not " + status);
    }
}
