package io.thingflux.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.thingflux.aliyun.AliyunDeviceIdentity;
import io.thingflux.aliyun.AliyunProducts;
import io.thingflux.emulator.platform.AliyunPlatformEmulator;
import io.thingflux.emulator.platform.DeviceStatus;
import io.thingflux.emulator.platform.EmulatorOptions;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code thingflux gateway} against the platform emulator: sub-devices from a CSV added and logged
 * in, stdin lines posted per sub-device, JSON lines out, secrets never printed.
 */
class GatewayCommandTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final AliyunDeviceIdentity GW = new AliyunDeviceIdentity("a1GwCli", "gw", "gw-secret-9");

    @Test
    void logsInTheCsvsSubDevicesAndPostsStdinLinesForThem(@TempDir Path dir) throws Exception {
        try (AliyunPlatformEmulator platform =
                AliyunPlatformEmulator.start(
                        EmulatorOptions.builder()
                                .host("127.0.0.1")
                                .port(0)
                                .device(GW)
                                .product("a1SubCli", "sub-cli-product-secret")
                                .build())) {
            StringBuilder csv = new StringBuilder("# productKey,deviceName,deviceSecret\n");
            for (int i = 0; i < 60; i++) { // two login batches
                AliyunDeviceIdentity d =
                        AliyunProducts.deriveDevice("a1SubCli", "sub-cli-product-secret", "s" + i);
                csv.append(d.productKey())
                        .append(',')
                        .append(d.deviceName())
                        .append(',')
                        .append(d.deviceSecret())
                        .append('\n');
            }
            Path file = Files.writeString(dir.resolve("subs.csv"), csv);
            GatewayCommand command = new GatewayCommand();
            command.stdin =
                    new ByteArrayInputStream(
                            ("{\"deviceName\":\"s3\",\"properties\":{\"Temp\":20.5}}\n"
                                            + "{\"deviceName\":\"nobody\",\"properties\":{\"A\":1}}\n"
                                            + "{\"deviceName\":\"gw\",\"properties\":{\"Up\":1}}\n")
                                    .getBytes(StandardCharsets.UTF_8));
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            CommandLine cli = new CommandLine(command);
            cli.setOut(new PrintWriter(out, true));
            cli.setErr(new PrintWriter(err, true));
            int code =
                    cli.execute(
                            "--host",
                            "127.0.0.1",
                            "--port",
                            Integer.toString(platform.mqttAddress().getPort()),
                            "--product-key",
                            GW.productKey(),
                            "--device-name",
                            GW.deviceName(),
                            "--device-secret",
                            GW.deviceSecret(),
                            "--sub-devices",
                            file.toString());
            assertThat(code).as(err.toString()).isZero();
            List<JsonNode> lines = new ArrayList<>();
            for (String l : out.toString().split("\n")) {
                if (!l.isBlank()) {
                    lines.add(JSON.readTree(l));
                }
            }
            assertThat(lines.stream().filter(n -> n.path("type").asText().equals("login")))
                    .hasSize(60);
            JsonNode reply =
                    lines.stream()
                            .filter(n -> n.path("line").asInt() == 1)
                            .findFirst()
                            .orElseThrow();
            assertThat(reply.path("type").asText()).isEqualTo("reply");
            assertThat(reply.path("code").asInt()).isEqualTo(200);
            assertThat(reply.path("deviceName").asText()).isEqualTo("s3");
            JsonNode unknown =
                    lines.stream()
                            .filter(n -> n.path("line").asInt() == 2)
                            .findFirst()
                            .orElseThrow();
            assertThat(unknown.path("type").asText()).isEqualTo("error");
            assertThat(unknown.path("error").asText()).contains("nobody");
            assertThat(
                            lines.stream()
                                    .filter(n -> n.path("line").asInt() == 3)
                                    .findFirst()
                                    .orElseThrow()
                                    .path("code")
                                    .asInt())
                    .isEqualTo(200);
            assertThat(platform.properties("a1SubCli", "s3").get("Temp").valueJson())
                    .isEqualTo("20.5");
            assertThat(out.toString() + err).doesNotContain("gw-secret-9");
            // the gateway disconnected at EOF: its sub-devices went offline with it
            assertThat(platform.deviceStatus("a1SubCli", "s3")).isEqualTo(DeviceStatus.OFFLINE);
        }
    }

    @Test
    void aMalformedCsvLineIsAParameterErrorWithoutItsSecret(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("bad.csv"), "pk,dn,secret\npk,only-two\n");
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new GatewayCommand());
        cli.setErr(new PrintWriter(err, true));
        int code =
                cli.execute(
                        "--product-key",
                        "pk",
                        "--device-name",
                        "gw",
                        "--device-secret",
                        "s",
                        "--sub-devices",
                        file.toString());
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("line 2").doesNotContain("secret\n");
    }
}
