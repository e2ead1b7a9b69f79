package io.thingflux.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.thingflux.aliyun.AliyunDeviceIdentity;
import io.thingflux.emulator.ec600s.Ec600sEmulator;
import io.thingflux.emulator.ec600s.Pty;
import io.thingflux.emulator.platform.AliyunPlatformEmulator;
import io.thingflux.emulator.platform.DeviceStatus;
import io.thingflux.emulator.platform.EmulatorOptions;
import io.thingflux.link.outbox.FileOutboxOptions;
import io.thingflux.link.outbox.OutboxStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code thingflux ec600s} run from the jar on the pseudo-terminal of an EC600S emulator (in this
 * JVM, its MQTT links made with the Netty client) against the Aliyun platform emulator: the
 * contract of {@code thingflux device} through the module.
 */
class Ec600sCommandIT {

    private static final String PK = "a1CliProduct";
    private static final String DN = "ec600s-device-1";
    private static final String SECRET = "ec600sSecret0123456789abcdef";

    private AliyunPlatformEmulator platform;
    private NettyEmulatorLinks links;
    private Ec600sEmulator module;
    private Pty pty;

    @BeforeEach
    void start() throws Exception {
        platform =
                AliyunPlatformEmulator.start(
                        EmulatorOptions.builder()
                                .host("127.0.0.1")
                                .port(0)
                                .device(new AliyunDeviceIdentity(PK, DN, SECRET))
                                .build());
        links = new NettyEmulatorLinks();
        module =
                Ec600sEmulator.builder(links)
                        .broker("127.0.0.1", platform.mqttAddress().getPort())
                        .build();
        pty = module.attachPty(null);
    }

    @AfterEach
    void stop() {
        module.close();
        links.close();
        platform.close();
    }

    @Test
    void postsStdinLinesAnswersPropertySetsAndExitsZeroOnEof() throws Exception {
        try (CliProcess device =
                CliProcess.start(
                        "ec600s",
                        "--serial",
                        pty.devicePath(),
                        "--product-key",
                        PK,
                        "--device-name",
                        DN,
                        "--device-secret",
                        SECRET)) {
            device.writeLine("{\"PowerSwitch\":1}");
            JsonNode reply =
                    device.awaitJson(
                            n -> n.path("type").asText().equals("reply"), "with the post's reply");
            assertThat(reply.path("line").asInt()).isEqualTo(1);
            assertThat(reply.path("code").asInt()).isEqualTo(200);
            assertThat(platform.properties(PK, DN)).containsKey("PowerSwitch");

            // the reply came on a subscription made after the one to property/set, so that one is
            // in place
            String messageId = platform.setProperties(PK, DN, "{\"PowerSwitch\":0}");
            JsonNode set =
                    device.awaitJson(
                            n -> n.path("type").asText().equals("property_set"),
                            "with the property set");
            assertThat(set.path("id").asText()).isEqualTo(messageId);
            assertThat(set.path("params").path("PowerSwitch").asInt(-1)).isZero();
            assertThat(platform.awaitReply(PK, DN, messageId, CliProcess.TIMEOUT).block())
                    .contains("\"code\":200");

            device.closeStdin();
            assertThat(device.awaitExit()).isZero();
            long end = System.nanoTime() + CliProcess.TIMEOUT.toNanos();
            while (platform.deviceStatus(PK, DN) != DeviceStatus.OFFLINE) {
                assertThat(System.nanoTime()).as("device offline in time").isLessThan(end);
                Thread.sleep(20);
            }
            assertThat(String.join("\n", device.err())).doesNotContain(SECRET);
            assertThat(String.join("\n", device.out())).doesNotContain(SECRET);
        }
    }

    @Test
    void withOutboxPostsThroughTheFileLogAndALockedOutboxExitsOne(@TempDir Path dir)
            throws Exception {
        String[] args = {
            "ec600s",
            "--serial",
            pty.devicePath(),
            "--product-key",
            PK,
            "--device-name",
            DN,
            "--device-secret",
            SECRET,
            "--qos",
            "1",
            "--outbox",
            dir.toString(),
            "--outbox-fsync",
            "always"
        };
        try (CliProcess device = CliProcess.start(args)) {
            device.writeLine("{\"PowerSwitch\":1}");
            JsonNode reply =
                    device.awaitJson(
                            n -> n.path("type").asText().equals("reply"), "with the post's reply");
            assertThat(reply.path("code").asInt()).isEqualTo(200);
            device.closeStdin();
            assertThat(device.awaitExit()).isZero();
        }
        // the link kept its outbox in a directory of its client id (PK.DN) under DIR
        try (Stream<Path> entries = Files.list(dir)) {
            assertThat(entries.toList()).hasSize(1);
        }

        // another holder of that directory (here this JVM) refuses the next process
        try (OutboxStore held = FileOutboxOptions.in(dir).open(PK + "." + DN);
                CliProcess device = CliProcess.start(args)) {
            assertThat(device.awaitExit()).isEqualTo(1);
            assertThat(String.join("\n", device.err()))
                    .contains("thingflux ec600s:")
                    .contains("in use by another process");
        }
    }

    @Test
    void missingSerialPortExitsOneWithAReason() throws Exception {
        try (CliProcess device =
                CliProcess.start(
                        "ec600s",
                        "--serial",
                        "/dev/thingflux-no-such-port",
                        "--product-key",
                        PK,
                        "--device-name",
                        DN,
                        "--device-secret",
                        SECRET)) {
            assertThat(device.awaitExit()).isEqualTo(1);
            assertThat(String.join("\n", device.err()))
                    .contains("thingflux ec600s:")
                    .contains("/dev/thingflux-no-such-port");
        }
    }
}
