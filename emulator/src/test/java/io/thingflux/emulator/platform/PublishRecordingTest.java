package io.thingflux.emulator.platform;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.thingflux.aliyun.AliyunDeviceIdentity;
import io.thingflux.mqtt.MqttQos;
import io.thingflux.mqtt.PubAck;
import io.thingflux.mqtt.Publish;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PublishRecordingTest {

    static final AliyunDeviceIdentity DEVICE =
            new AliyunDeviceIdentity("pk1", "dn1", "very-secret-1");
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir Path dir;

    private static List<String> lines(Path file) {
        try {
            return Files.exists(file)
                    ? Files.readAllLines(file, StandardCharsets.UTF_8)
                    : List.of();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void everyReceivedPublishIsAppendedAsOneJsonLineWithoutSecrets() throws Exception {
        Path file = dir.resolve("rec/publishes.jsonl");
        try (AliyunPlatformEmulator emulator =
                        AliyunPlatformEmulator.start(
                                EmulatorOptions.builder()
                                        .port(0)
                                        .device(DEVICE)
                                        .recordFile(file)
                                        .build());
                TestSocket d = TestSocket.device(emulator.mqttAddress(), DEVICE, true)) {
            d.send(Publish.qos0("/pk1/dn1/user/text", "héllo"));
            d.send(
                    new Publish(
                            "/pk1/dn1/user/bin",
                            MqttQos.AT_LEAST_ONCE,
                            false,
                            false,
                            4,
                            new byte[] {(byte) 0xC3, 0x28, 0}));
            assertThat(d.read()).isEqualTo(new PubAck(4));
            // flushed per message: both lines are on disk while the broker still runs
            Awaiting.until(Duration.ofSeconds(10), () -> lines(file).size() == 2);
        }
        List<String> lines = lines(file);
        JsonNode text = JSON.readTree(lines.get(0));
        assertThat(text.get("ts").asLong()).isPositive();
        assertThat(text.get("clientId").asText()).startsWith("pk1.dn1|");
        assertThat(text.get("productKey").asText()).isEqualTo("pk1");
        assertThat(text.get("deviceName").asText()).isEqualTo("dn1");
        assertThat(text.get("topic").asText()).isEqualTo("/pk1/dn1/user/text");
        assertThat(text.get("qos").asInt()).isZero();
        assertThat(text.get("payload").asText()).isEqualTo("héllo");
        assertThat(text.has("encoding")).isFalse();

        JsonNode bin = JSON.readTree(lines.get(1));
        assertThat(bin.get("qos").asInt()).isEqualTo(1);
        assertThat(bin.get("encoding").asText()).isEqualTo("base64");
        assertThat(Base64.getDecoder().decode(bin.get("payload").asText()))
                .containsExactly(0xC3, 0x28, 0);

        String all = String.join("\n", lines);
        assertThat(all).doesNotContain("very-secret-1");
    }

    @Test
    void aRestartedBrokerAppendsToTheRecording() {
        Path file = dir.resolve("publishes.jsonl");
        for (int run = 1; run <= 2; run++) {
            try (AliyunPlatformEmulator emulator =
                            AliyunPlatformEmulator.start(
                                    EmulatorOptions.builder()
                                            .port(0)
                                            .device(DEVICE)
                                            .recordFile(file)
                                            .build());
                    TestSocket d = TestSocket.device(emulator.mqttAddress(), DEVICE, true)) {
                d.send(Publish.qos0("/pk1/dn1/user/run", "run " + run));
                int expected = run;
                Awaiting.until(Duration.ofSeconds(10), () -> lines(file).size() == expected);
            }
        }
        assertThat(lines(file)).hasSize(2);
        assertThat(lines(file).get(0)).contains("run 1");
        assertThat(lines(file).get(1)).contains("run 2");
    }
}
