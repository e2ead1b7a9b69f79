package io.thingflux.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.handler.ssl.util.SelfSignedCertificate;
import io.thingflux.aliyun.AliyunDeviceIdentity;
import io.thingflux.emulator.platform.AliyunPlatformEmulator;
import io.thingflux.emulator.platform.DeviceStatus;
import io.thingflux.emulator.platform.EmulatorOptions;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code thingflux device} run from the jar against the Aliyun platform emulator started in this
 * JVM.
 */
class DeviceCommandIT {

    private static final String PK = "a1CliProduct";
    private static final String DN = "cli-device-1";
    private static final String SECRET = "cliSecret0123456789abcdef";
    private static final ObjectMapper JSON = new ObjectMapper();

    private AliyunPlatformEmulator emulator;

    @BeforeEach
    void startEmulator() {
        emulator =
                AliyunPlatformEmulator.start(
                        EmulatorOptions.builder()
                                .port(0)
                                .adminPort(0)
                                .device(new AliyunDeviceIdentity(PK, DN, SECRET))
                                .build());
    }

    @AfterEach
    void stopEmulator() {
        emulator.close();
    }

    private CliProcess startDevice(String secret, String... extra) {
        List<String> args =
                new java.util.ArrayList<>(
                        List.of(
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
                                secret));
        args.addAll(List.of(extra));
        return CliProcess.start(args.toArray(String[]::new));
    }

    private void awaitStatus(DeviceStatus status) throws InterruptedException {
        long end = System.nanoTime() + CliProcess.TIMEOUT.toNanos();
        while (emulator.deviceStatus(PK, DN) != status) {
            assertThat(System.nanoTime()).as("device status %s in time", status).isLessThan(end);
            Thread.sleep(20);
        }
    }

    private JsonNode admin(String action, String body) throws Exception {
        var address = emulator.adminAddress().orElseThrow();
        HttpResponse<String> response =
                HttpClient.newHttpClient()
                        .send(
                                HttpRequest.newBuilder(
                                                URI.create(
                                                        "http://127.0.0.1:"
                                                                + address.getPort()
                                                                + "/api/"
                                                                + action))
                                        .timeout(Duration.ofSeconds(30))
                                        .POST(HttpRequest.BodyPublishers.ofString(body))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    @Test
    void devicePostsStdinLinesAnswersPropertySetsAndRrpcAndExitsZeroOnEof() throws Exception {
        try (CliProcess device = startDevice(SECRET, "--sign-method", "hmacsha1", "--qos", "1")) {
            device.writeLine("{\"Temperature\":21.5,\"PowerSwitch\":1}");

            JsonNode reply =
                    device.awaitJson(
                            n -> n.path("type").asText().equals("reply"), "with the post's reply");
            assertThat(reply.path("line").asInt()).isEqualTo(1);
            assertThat(reply.path("code").asInt()).isEqualTo(200);
            assertThat(reply.path("id").asText()).isNotEmpty();
            assertThat(emulator.properties(PK, DN)).containsKeys("Temperature", "PowerSwitch");
            assertThat(emulator.properties(PK, DN).get("Temperature").valueJson())
                    .isEqualTo("21.5");

            // a property set pushed from the platform side is printed and answered with 200
            String messageId = emulator.setProperties(PK, DN, "{\"PowerSwitch\":0}");
            JsonNode set =
                    device.awaitJson(
                            n -> n.path("type").asText().equals("property_set"),
                            "with the property set");
            assertThat(set.path("id").asText()).isEqualTo(messageId);
            assertThat(set.path("params").path("PowerSwitch").asInt(-1)).isZero();
            assertThat(set.path("topic").asText())
                    .isEqualTo("/sys/" + PK + "/" + DN + "/thing/service/property/set");
            String setReply = emulator.awaitReply(PK, DN, messageId, CliProcess.TIMEOUT).block();
            JsonNode setReplyJson = JSON.readTree(setReply);
            assertThat(setReplyJson.path("id").asText()).isEqualTo(messageId);
            assertThat(setReplyJson.path("code").asInt()).isEqualTo(200);

            // a malformed line gives an error line and the device carries on
            device.writeLine("this is not json");
            device.writeLine("[1, 2]");
            device.writeLine("{\"Humidity\":40}");
            JsonNode malformed =
                    device.awaitJson(
                            n ->
                                    n.path("type").asText().equals("error")
                                            && n.path("line").asInt() == 2,
                            "with the error of line 2");
            assertThat(malformed.path("error").asText()).contains("JSON");
            device.awaitJson(
                    n -> n.path("type").asText().equals("error") && n.path("line").asInt() == 3,
                    "with the error of line 3 (not an object)");
            JsonNode second =
                    device.awaitJson(
                            n ->
                                    n.path("type").asText().equals("reply")
                                            && n.path("line").asInt() == 4,
                            "with the reply to line 4");
            assertThat(second.path("code").asInt()).isEqualTo(200);
            assertThat(emulator.properties(PK, DN)).containsKey("Humidity");

            // RRPC through the admin HTTP API: printed, and answered within the call
            JsonNode rrpc =
                    admin(
                            "RRpc",
                            "{\"ProductKey\":\""
                                    + PK
                                    + "\",\"DeviceName\":\""
                                    + DN
                                    + "\",\"RequestBase64Byte\":\""
                                    + Base64.getEncoder()
                                            .encodeToString("ping".getBytes(StandardCharsets.UTF_8))
                                    + "\",\"Timeout\":8000}");
            assertThat(rrpc.path("RrpcCode").asText()).isEqualTo("SUCCESS");
            JsonNode rrpcAnswer =
                    JSON.readTree(
                            Base64.getDecoder().decode(rrpc.path("PayloadBase64Byte").asText()));
            assertThat(rrpcAnswer.path("code").asInt()).isEqualTo(200);
            JsonNode call =
                    device.awaitJson(
                            n -> n.path("type").asText().equals("rrpc_call"), "with the RRPC call");
            assertThat(call.path("payload").asText()).isEqualTo("ping");

            device.closeStdin();
            assertThat(device.awaitExit()).isZero();
            awaitStatus(DeviceStatus.OFFLINE);
            assertThat(String.join("\n", device.err())).doesNotContain(SECRET);
            assertThat(String.join("\n", device.out())).doesNotContain(SECRET);
        }
    }

    @Test
    void serviceCallIsPrintedAndAnsweredWithTheChosenCodeAndNtpResponseIsPrinted()
            throws Exception {
        try (CliProcess device = startDevice(SECRET, "--reply-code", "460", "--sync-time")) {
            JsonNode ntp =
                    device.awaitJson(
                            n -> n.path("type").asText().equals("ntp_response"),
                            "with the NTP response");
            assertThat(ntp.path("serverTime").asLong()).isPositive();
            awaitStatus(DeviceStatus.ONLINE);
            // the NTP request left after every SUBSCRIBE of the device, so its subscriptions are in
            // place now

            JsonNode invoked =
                    admin(
                            "InvokeThingService",
                            "{\"ProductKey\":\""
                                    + PK
                                    + "\",\"DeviceName\":\""
                                    + DN
                                    + "\",\"Identifier\":\"Reboot\",\"Args\":\"{\\\"delay\\\":3}\"}");
            String messageId = invoked.path("Data").path("MessageId").asText();
            JsonNode call =
                    device.awaitJson(
                            n -> n.path("type").asText().equals("service_call"),
                            "with the service call");
            assertThat(call.path("service").asText()).isEqualTo("Reboot");
            assertThat(call.path("params").path("delay").asInt()).isEqualTo(3);
            JsonNode answer =
                    JSON.readTree(
                            emulator.awaitReply(PK, DN, messageId, CliProcess.TIMEOUT).block());
            assertThat(answer.path("code").asInt()).isEqualTo(460);

            device.terminate(); // SIGTERM: disconnect and exit 0, like SIGINT
            assertThat(device.awaitExit()).isZero();
            awaitStatus(DeviceStatus.OFFLINE);
        }
    }

    @Test
    @SuppressWarnings(
            "deprecation") // SelfSignedCertificate: test material only, as the emulator itself uses
    // it
    void deviceConnectsOverTlsWithSecureMode2TrustingTheGivenPemAndExitsZeroOnSigint()
            throws Exception {
        SelfSignedCertificate certificate = new SelfSignedCertificate("localhost");
        try (AliyunPlatformEmulator tlsEmulator =
                        AliyunPlatformEmulator.start(
                                EmulatorOptions.builder()
                                        .port(0)
                                        .tlsPort(0)
                                        .tlsCertificate(
                                                certificate.certificate().toPath(),
                                                certificate.privateKey().toPath())
                                        .device(new AliyunDeviceIdentity(PK, DN, SECRET))
                                        .build());
                CliProcess device =
                        CliProcess.start(
                                "device",
                                "--host",
                                "localhost",
                                "--port",
                                Integer.toString(tlsEmulator.tlsAddress().orElseThrow().getPort()),
                                "--tls-trust",
                                certificate.certificate().getPath(),
                                "--product-key",
                                PK,
                                "--device-name",
                                DN,
                                "--device-secret",
                                SECRET,
                                "--sign-method",
                                "hmacmd5")) {
            device.writeLine("{\"Voltage\":3.3}");
            JsonNode reply =
                    device.awaitJson(
                            n -> n.path("type").asText().equals("reply"), "with the post's reply");
            assertThat(reply.path("code").asInt()).isEqualTo(200);
            assertThat(tlsEmulator.properties(PK, DN)).containsKey("Voltage");

            // a shell's background job starts with SIGINT ignored, and so does every process it
            // starts (POSIX): there the JVM cannot take SIGINT at all, and only SIGTERM, which the
            // device handles the same way, can end it
            String signal = sigintIgnoredHere() ? "-TERM" : "-INT";
            Process kill = new ProcessBuilder("kill", signal, Long.toString(device.pid())).start();
            assertThat(kill.waitFor()).isZero();
            assertThat(device.awaitExit()).isZero();
            assertThat(device.isAlive()).isFalse();
        } finally {
            certificate.delete();
        }
    }

    @Test
    void wrongSecretExitsNonZeroWithAOneLineReasonOnStderrAndNothingOnStdout() throws Exception {
        String wrong = "notTheSecret987654321";
        CliProcess device =
                CliProcess.run(
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
                        wrong);
        try (device) {
            assertThat(device.awaitExit()).isNotZero();
            assertThat(device.out()).isEmpty();
            List<String> reasons =
                    device.err().stream().filter(l -> l.startsWith("thingflux device:")).toList();
            assertThat(reasons).hasSize(1);
            assertThat(reasons.get(0))
                    .contains("refused")
                    .contains("127.0.0.1:" + emulator.mqttAddress().getPort());
            assertThat(String.join("\n", device.err())).doesNotContain(wrong);
        }
    }

    @Test
    void unreachableBrokerExitsNonZeroWithAOneLineReason() throws Exception {
        int port;
        try (var s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        try (CliProcess device =
                CliProcess.run(
                        "device",
                        "--host",
                        "127.0.0.1",
                        "--port",
                        Integer.toString(port),
                        "--product-key",
                        PK,
                        "--device-name",
                        DN,
                        "--device-secret",
                        SECRET)) {
            assertThat(device.awaitExit()).isNotZero();
            assertThat(
                            device.err().stream()
                                    .filter(l -> l.startsWith("thingflux device: cannot connect")))
                    .hasSize(1);
        }
    }

    /** Whether this JVM (and so the device it starts) was started with SIGINT ignored. */
    private static boolean sigintIgnoredHere() throws IOException {
        Path status = Path.of("/proc/self/status");
        if (!Files.exists(status)) {
            return false;
        }
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("SigIgn:")) {
                long mask = Long.parseUnsignedLong(line.substring(7).trim(), 16);
                return (mask & (1L << (2 - 1))) != 0; // SIGINT is signal 2
            }
        }
        return false;
    }
}
