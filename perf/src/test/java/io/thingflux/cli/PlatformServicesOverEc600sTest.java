package io.thingflux.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.thingflux.alink.AliyunDevice;
import io.thingflux.alink.AliyunDeviceOptions;
import io.thingflux.alink.ConfigFile;
import io.thingflux.alink.FirmwareChunk;
import io.thingflux.alink.OtaFirmware;
import io.thingflux.alink.PlatformServices;
import io.thingflux.alink.ShadowException;
import io.thingflux.alink.ThingMessage;
import io.thingflux.aliyun.AliyunDeviceIdentity;
import io.thingflux.emulator.ec600s.Ec600sEmulator;
import io.thingflux.emulator.ec600s.Pty;
import io.thingflux.emulator.platform.AliyunPlatformEmulator;
import io.thingflux.emulator.platform.EmulatorOptions;
import io.thingflux.serial.Ec600sLink;
import io.thingflux.serial.Ec600sOptions;
import io.thingflux.serial.at.JSerialCommTransport;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * End to end over the EC600S: {@link PlatformServices} on an {@link Ec600sLink} driving the EC600S
 * emulator over a pseudo-terminal, against the platform emulator: a synchronous service, shadow
 * (control pushes, stale version refused), tags, remote config, and OTA with the platform's MQTT
 * download (blocks through the module's {@code +QMTRECV}). One emulator, module and device for the
 * class.
 */
class PlatformServicesOverEc600sTest {

    static final Duration T = Duration.ofSeconds(30);
    static final ObjectMapper JSON = new ObjectMapper();
    static final AliyunDeviceIdentity DEVICE =
            new AliyunDeviceIdentity("a1wFylTxYeD", "co_0001", "7ab0c4b3532b5783df5fdc58a2895d7a");
    static final String PK = DEVICE.productKey();
    static final String DN = DEVICE.deviceName();

    static AliyunPlatformEmulator platform;
    static NettyEmulatorLinks links;
    static Ec600sEmulator module;
    static AliyunDevice device;
    static PlatformServices services;
    static HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        platform =
                AliyunPlatformEmulator.start(
                        EmulatorOptions.builder()
                                .host("127.0.0.1")
                                .port(0)
                                .adminPort(0)
                                .device(DEVICE)
                                .syncService(PK + "/Sum")
                                .build());
        links = new NettyEmulatorLinks();
        module =
                Ec600sEmulator.builder(links)
                        .broker("127.0.0.1", platform.mqttAddress().getPort())
                        .build();
        Pty pty = module.attachPty(null);
        Ec600sLink link =
                Ec600sLink.open(
                        JSerialCommTransport.open(pty.devicePath(), 115_200),
                        Ec600sOptions.builder()
                                .aliyunDevice(DEVICE)
                                .clientId("clientExample_0")
                                .build());
        AliyunDeviceOptions.Builder b = AliyunDeviceOptions.builder();
        PlatformServices.subscribe(b, PK, DN);
        device = AliyunDevice.create(link, DEVICE, b.build());
        device.connect().block(T);
        services = PlatformServices.of(device, http);
    }

    @AfterAll
    static void stop() {
        if (device != null) {
            device.disconnect().onErrorResume(e -> reactor.core.publisher.Mono.empty()).block(T);
        }
        if (module != null) {
            module.close();
        }
        if (links != null) {
            links.close();
        }
        if (platform != null) {
            platform.close();
        }
    }

    static JsonNode api(String action, Map<String, ?> params) throws Exception {
        HttpResponse<String> r =
                http.send(
                        HttpRequest.newBuilder(
                                        URI.create(
                                                "http://127.0.0.1:"
                                                        + platform.adminAddress()
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

    @Test
    void synchronousServiceOverTheModule() throws Exception {
        device.messages()
                .ofType(ThingMessage.ServiceCall.class)
                .filter(c -> c.serviceId().equals("Sum"))
                .next()
                .flatMap(c -> device.reply(c, 200, Map.of("sum", 5)))
                .subscribe();
        JsonNode answer =
                api(
                        "InvokeThingService",
                        Map.of("ProductKey", PK, "DeviceName", DN, "Identifier", "Sum"));
        assertThat(answer.path("Success").asBoolean()).as(answer.toString()).isTrue();
        assertThat(answer.path("Data").path("Result").asText()).contains("\"sum\":5");
    }

    @Test
    void shadowTagsAndConfigOverTheModule() throws Exception {
        var shadow = services.shadow();
        shadow.report(Map.of("mode", "eco")).block(T);
        CompletableFuture<ThingMessage.ShadowMessage> control = shadow.controls().next().toFuture();
        api(
                "UpdateDeviceShadow",
                Map.of(
                        "ProductKey",
                        PK,
                        "DeviceName",
                        DN,
                        "ShadowMessage",
                        "{\"method\":\"update\",\"state\":{\"desired\":{\"mode\":\"boost\"}},\"version\":"
                                + (shadow.version() + 1)
                                + "}"));
        assertThat(control.get(T.toSeconds(), TimeUnit.SECONDS).desired())
                .containsEntry("mode", "boost");
        assertThatThrownBy(() -> shadow.report(Map.of("mode", "x"), 1).block(T))
                .isInstanceOf(ShadowException.class);

        services.tags().update(Map.of("site", "lab")).block(T);
        assertThat(
                        api("QueryDeviceProp", Map.of("ProductKey", PK, "DeviceName", DN))
                                .path("Props")
                                .asText())
                .contains("\"site\":\"lab\"");

        CompletableFuture<ConfigFile> push = services.config().pushes().next().toFuture();
        api("PublishProductConfig", Map.of("ProductKey", PK, "Content", "rate=5"));
        ConfigFile pushed = push.get(T.toSeconds(), TimeUnit.SECONDS);
        assertThat(services.config().get().block(T).configId()).isEqualTo(pushed.configId());
    }

    @Test
    void otaOverTheMqttDownload() throws Exception {
        byte[] firmware = new byte[40 * 1024 + 123];
        new Random(600).nextBytes(firmware);
        JsonNode created =
                api(
                        "CreateOTAFirmware",
                        Map.of(
                                "ProductKey",
                                PK,
                                "DestVersion",
                                "9.1",
                                "SignMethod",
                                "SHA256",
                                "FirmwareBase64",
                                Base64.getEncoder().encodeToString(firmware)));
        CompletableFuture<OtaFirmware> notice = services.ota().upgrades().next().toFuture();
        String jobId =
                api(
                                "CreateOTAStaticUpgradeJob",
                                Map.of(
                                        "FirmwareId",
                                        created.path("Data").path("FirmwareId").asText(),
                                        "ProductKey",
                                        PK,
                                        "DownloadProtocol",
                                        "MQTT",
                                        "TargetDeviceName",
                                        List.of(DN)))
                        .path("Data")
                        .path("JobId")
                        .asText();
        OtaFirmware offered = notice.get(T.toSeconds(), TimeUnit.SECONDS);
        assertThat(offered.overMqtt()).isTrue();
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        services.ota()
                .download(offered)
                .map(FirmwareChunk::bytes)
                .doOnNext(received::writeBytes)
                .blockLast(T);
        assertThat(received.toByteArray()).isEqualTo(firmware);
        services.ota().reportProgress(100, "done", null).block(T);
        services.ota().reportVersion("9.1", null).block(T);
        long deadline = System.nanoTime() + T.toNanos();
        String status = "";
        while (System.nanoTime() < deadline && !status.equals("SUCCEEDED")) {
            status =
                    api("ListOTATaskByJob", Map.of("JobId", jobId))
                            .path("Data")
                            .path("SimpleOTATaskInfo")
                            .get(0)
                            .path("TaskStatus")
                            .asText();
            java.util.concurrent.locks.LockSupport.parkNanos(20_000_000L); // bounded polling
        }
        assertThat(status).isEqualTo("SUCCEEDED");
    }
}
