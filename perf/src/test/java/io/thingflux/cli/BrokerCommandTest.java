package io.thingflux.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.thingflux.emulator.platform.AuthMode;
import io.thingflux.emulator.platform.EmulatorOptions;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class BrokerCommandTest {

    @TempDir Path dir;

    private static EmulatorOptions parse(String... args) {
        BrokerCommand command = new BrokerCommand();
        new CommandLine(command).parseArgs(args);
        return command.options();
    }

    @Test
    void optionsMapOntoTheEmulatorOptions() throws Exception {
        Path csv = dir.resolve("devices.csv");
        Files.writeString(csv, "# pk,dn,secret\npk1,dn1,s1\n\npk1,dn2,s2\n");
        EmulatorOptions o =
                parse(
                        "--host",
                        "0.0.0.0",
                        "--port",
                        "0",
                        "--tls-port",
                        "8883",
                        "--admin-port",
                        "0",
                        "--admin-token",
                        "t",
                        "--admin-tls-port",
                        "8443",
                        "--device",
                        "pk2,dn9,s9",
                        "--devices-file",
                        csv.toString(),
                        "--product",
                        "pk3,productSecret",
                        "--app",
                        "tool:pw",
                        "--access-key",
                        "LTAIkey1:akSecret1",
                        "--access-key",
                        "LTAIkey2:akSecret2",
                        "--sync-service",
                        "pk3/Sum",
                        "--record",
                        "rec.jsonl",
                        "--dedup-view",
                        "1000",
                        "--offline-queue-limit",
                        "5",
                        "--max-packet-size",
                        "4096");
        assertThat(o.host()).isEqualTo("0.0.0.0");
        assertThat(o.port()).isZero();
        assertThat(o.tlsPort()).isEqualTo(8883);
        assertThat(o.adminPort()).isZero();
        assertThat(o.adminToken()).isEqualTo("t");
        assertThat(o.adminTlsPort()).isEqualTo(8443);
        assertThat(o.authMode()).isEqualTo(AuthMode.ALIYUN);
        assertThat(o.devices())
                .extracting(d -> d.productKey() + "/" + d.deviceName())
                .containsExactly("pk2/dn9", "pk1/dn1", "pk1/dn2");
        assertThat(o.products()).containsEntry("pk3", "productSecret");
        assertThat(o.apps()).containsEntry("tool", "pw");
        assertThat(o.accessKeys())
                .containsEntry("LTAIkey1", "akSecret1")
                .containsEntry("LTAIkey2", "akSecret2");
        assertThat(o.syncServices()).containsExactly("pk3/Sum");
        assertThat(o.recordFile()).isEqualTo(Paths.get("rec.jsonl"));
        assertThat(o.dedupViewLimit()).isEqualTo(1000);
        assertThat(o.offlineQueueLimit()).isEqualTo(5);
        assertThat(o.maxPacketSize()).isEqualTo(4096);
        assertThat(o.toString())
                .doesNotContain("s9")
                .doesNotContain("productSecret")
                .doesNotContain(":pw")
                .doesNotContain("akSecret");
    }

    @Test
    void aliyunModeWithoutAnyIdentityAndAMalformedDeviceAreRejected() {
        assertThatThrownBy(() -> parse("--port", "0")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> parse("--device", "pk,dn"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(parse("--auth", "none").authMode()).isEqualTo(AuthMode.NONE);
    }

    /**
     * The process's output so far, polled until {@code expectedLines} lines are there (at most 30
     * s).
     */
    private static java.util.List<String> awaitLines(Path file, int expectedLines)
            throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            java.util.List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            if (lines.size() >= expectedLines || System.nanoTime() > end) {
                return lines;
            }
            Thread.sleep(20);
        }
    }

    @Test
    void theBrokerProcessPrintsItsAddressesServesAndStopsOnSigterm() throws Exception {
        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        // surefire runs tests from a manifest-only jar; the real class path is in
        // surefire.test.class.path
        String classPath =
                System.getProperty(
                        "surefire.test.class.path", System.getProperty("java.class.path"));
        Path output = dir.resolve("broker.out");
        Process process =
                new ProcessBuilder(
                                java,
                                "-cp",
                                classPath,
                                ThingfluxCli.class.getName(),
                                "broker",
                                "--port",
                                "0",
                                "--admin-port",
                                "0",
                                "--auth",
                                "none")
                        .redirectOutput(output.toFile())
                        .redirectError(ProcessBuilder.Redirect.DISCARD)
                        .start();
        try {
            String ready = awaitLines(output, 1).get(0);
            assertThat(ready)
                    .startsWith("thingflux broker ready mqtt=127.0.0.1:")
                    .contains("admin=http://127.0.0.1:");
            Matcher m = Pattern.compile("mqtt=127\\.0\\.0\\.1:(\\d+)").matcher(ready);
            assertThat(m.find()).isTrue();
            try (Socket s = new Socket("127.0.0.1", Integer.parseInt(m.group(1)))) {
                s.setSoTimeout(10_000);
                OutputStream o = s.getOutputStream();
                o.write(
                        HexFormat.of()
                                // CONNECT "x", clean, 30 s
                                .parseHex("100d00044d5154540402001e000178"));
                o.flush();
                InputStream in = s.getInputStream();
                assertThat(in.readNBytes(4)).isEqualTo(HexFormat.of().parseHex("20020000"));
            }
            process.destroy(); // SIGTERM
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(awaitLines(output, 2)).element(1).isEqualTo("thingflux broker stopped");
        } finally {
            process.destroyForcibly();
        }
    }
}
