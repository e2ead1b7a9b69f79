package io.thingflux.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.thingflux.aliyun.AliyunDeviceIdentity;
import io.thingflux.emulator.platform.AliyunPlatformEmulator;
import io.thingflux.emulator.platform.DeviceStatus;
import io.thingflux.emulator.platform.EmulatorOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code device} command with the platform services: a shadow control push, a config push and
 * an OTA notice are printed as JSON lines, and {@code --ota-dir} downloads the offered firmware,
 * reporting progress to the platform and on stderr.
 */
class DevicePlatformCommandIT {

    private static final String PK = "a1CliOtaProduct";
    private static final String DN = "cli-ota-1";
    private static final String SECRET = "cliSecret0123456789abcdef";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir Path dir;

    @Test
    void shadowConfigAndOtaArePrintedAndTheFirmwareIsDownloaded() throws Exception {
        try (AliyunPlatformEmulator emulator =
                        AliyunPlatformEmulator.start(
                                EmulatorOptions.builder()
                                        .port(0)
                                        .adminPort(0)
                                        .device(new AliyunDeviceIdentity(PK, DN, SECRET))
                                        .build());
                CliProcess device =
                        CliProcess.start(
                                "device",
                                "--host",
                                "127.0.0.1",
                                "--port",
                                Integer.toString(emulator.mqttAddress().getPort()),
                                "--product-key",
                                PK,
                                "--device-name",
                                DN,
                                "--device-secret",
                                SECRET,
                                "--ota-dir",
                                dir.toString(),
                                "--sync-time")) {
            // the NTP request left after the device's SUBSCRIBE: its subscriptions are in place
            device.awaitJson(n -> n.path("type").asText().equals("ntp_response"), "NTP");
            assertThat(emulator.deviceStatus(PK, DN)).isEqualTo(DeviceStatus.ONLINE);

            admin(
                    emulator,
                    "UpdateDeviceShadow",
                    Map.of(
                            "ProductKey",
                            PK,
                            "DeviceName",
                            DN,
                            "ShadowMessage",
                            "{\"method\":\"update\",\"state\":{\"desired\":{\"led\":\"on\"}},\"version\":5}"));
            JsonNode control =
                    device.awaitJson(
                            n -> n.path("type").asText().equals("shadow_control"), "shadow");
            assertThat(control.path("payload").path("state").path("desired").path("led").asText())
                    .isEqualTo("on");

            admin(emulator, "PublishProductConfig", Map.of("ProductKey", PK, "Content", "x=1"));
            JsonNode push =
                    device.awaitJson(n -> n.path("type").asText().equals("config_push"), "config");
            assertThat(push.path("params").path("configSize").asInt()).isEqualTo(3);

            byte[] firmware = new byte[256 * 1024];
            new Random(7).nextBytes(firmware);
            String firmwareId =
                    admin(
                                    emulator,
                                    "CreateOTAFirmware",
                                    Map.of(
                                            "ProductKey",
                                            PK,
                                            "DestVersion",
                                            "4.2",
                                            "FirmwareBase64",
                                            Base64.getEncoder().encodeToString(firmware)))
                            .path("Data")
                            .path("FirmwareId")
                            .asText();
            String jobId =
                    admin(
                                    emulator,
                                    "CreateOTAStaticUpgradeJob",
                                    Map.of(
                                            "FirmwareId",
                                            firmwareId,
                                            "ProductKey",
                                            PK,
                                            "TargetDeviceName",
                                            List.of(DN)))
                            .path("Data")
                            .path("JobId")
                            .asText();
            device.awaitJson(n -> n.path("type").asText().equals("ota_upgrade"), "OTA notice");
            JsonNode done =
                    device.awaitJson(
                            n -> n.path("type").asText().equals("ota_downloaded"), "download");
            assertThat(Files.readAllBytes(Path.of(done.path("file").asText()))).isEqualTo(firmware);
            device.awaitErr("ota 4.2: 100%");
            JsonNode task =
                    admin(emulator, "ListOTATaskByJob", Map.of("JobId", jobId))
                            .path("Data")
                            .path("SimpleOTATaskInfo")
                            .get(0);
            assertThat(task.path("Progress").asText()).isEqualTo("100");
            device.closeStdin();
            assertThat(device.awaitExit()).isZero();
        }
    }

    private static JsonNode admin(
            AliyunPlatformEmulator emulator, String action, Map<String, ?> body) throws Exception {
        HttpResponse<String> response =
                HttpClient.newHttpClient()
                        .send(
                                HttpRequest.newBuilder(
                                                URI.create(
                                                        "http://127.0.0.1:"
                                                                + emulator.adminAddress()
                                                                        .orElseThrow()
                                                                        .getPort()
                                                                + "/api/"
                                                                + action))
                                        .timeout(Duration.ofSeconds(30))
                                        .POST(
                                                HttpRequest.BodyPublishers.ofString(
                                                        JSON.writeValueAsString(body)))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
        JsonNode answer = JSON.readTree(response.body());
        assertThat(answer.path("Success").asBoolean()).as(response.body()).isTrue();
        return answer;
    }
}
