package io.thingflux.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.thingflux.emulator.platform.AliyunPlatformEmulator;
import io.thingflux.emulator.platform.AuthMode;
import io.thingflux.emulator.platform.EmulatorOptions;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code thingflux sub} and {@code pub} run from the jar against the emulator in plain-broker mode.
 */
class SubPubCommandIT {

    /** Not valid UTF-8: 0xFF and 0xFE never occur in it. */
    private static final byte[] BINARY = {(byte) 0xFF, (byte) 0xFE, 0x00, 0x41};

    private AliyunPlatformEmulator broker;

    @BeforeEach
    void startBroker() {
        broker =
                AliyunPlatformEmulator.start(
                        EmulatorOptions.builder()
                                .port(0)
                                .authMode(AuthMode.NONE)
                                .app("tool", "toolPassword")
                                .build());
    }

    @AfterEach
    void stopBroker() {
        broker.close();
    }

    private String port() {
        return Integer.toString(broker.mqttAddress().getPort());
    }

    @Test
    void subPrintsWhatPubPublishesTextAsTextAndBinaryAsBase64() throws Exception {
        try (CliProcess sub =
                CliProcess.start(
                        "sub",
                        "--host",
                        "127.0.0.1",
                        "--port",
                        port(),
                        "--topic",
                        "cli/text",
                        "--topic",
                        "cli/bin/#",
                        "--qos",
                        "2",
                        "--count",
                        "2")) {
            sub.awaitErr("subscribed to");

            try (CliProcess pub =
                    CliProcess.run(
                            "pub",
                            "--host",
                            "127.0.0.1",
                            "--port",
                            port(),
                            "--topic",
                            "cli/text",
                            "--message",
                            "héllo {\"a\":1}",
                            "--qos",
                            "1")) {
                assertThat(pub.awaitExit()).as(String.join("\n", pub.err())).isZero();
            }
            try (CliProcess pub =
                    CliProcess.run(
                            "pub",
                            "--host",
                            "127.0.0.1",
                            "--port",
                            port(),
                            "--topic",
                            "cli/bin/x",
                            "--message-base64",
                            Base64.getEncoder().encodeToString(BINARY),
                            "--qos",
                            "2")) {
                assertThat(pub.awaitExit()).as(String.join("\n", pub.err())).isZero();
            }

            assertThat(sub.awaitExit()).as(String.join("\n", sub.err())).isZero();
            List<JsonNode> lines = sub.jsonLines();
            assertThat(lines).hasSize(2);
            JsonNode text = lines.get(0);
            assertThat(text.path("topic").asText()).isEqualTo("cli/text");
            assertThat(text.path("payload").asText()).isEqualTo("héllo {\"a\":1}");
            assertThat(text.path("qos").asInt()).isEqualTo(1);
            assertThat(text.path("retain").asBoolean(true)).isFalse();
            assertThat(text.has("encoding")).isFalse();
            JsonNode bin = lines.get(1);
            assertThat(bin.path("topic").asText()).isEqualTo("cli/bin/x");
            assertThat(bin.path("encoding").asText()).isEqualTo("base64");
            assertThat(Base64.getDecoder().decode(bin.path("payload").asText()))
                    .containsExactly(BINARY);
            assertThat(bin.path("qos").asInt()).isEqualTo(2);
        }
    }

    @Test
    void retainedMessageReachesALaterSubscriberFlaggedRetainedWithUserCredentials()
            throws Exception {
        try (CliProcess pub =
                CliProcess.run(
                        "pub",
                        "--host",
                        "127.0.0.1",
                        "--port",
                        port(),
                        "--username",
                        "tool",
                        "--password",
                        "toolPassword",
                        "--topic",
                        "cli/state",
                        "--message",
                        "on",
                        "--qos",
                        "1",
                        "--retain")) {
            assertThat(pub.awaitExit()).as(String.join("\n", pub.err())).isZero();
        }
        try (CliProcess sub =
                CliProcess.start(
                        "sub",
                        "--host",
                        "127.0.0.1",
                        "--port",
                        port(),
                        "--username",
                        "tool",
                        "--password",
                        "toolPassword",
                        "--topic",
                        "cli/#",
                        "--count",
                        "1")) {
            assertThat(sub.awaitExit()).as(String.join("\n", sub.err())).isZero();
            JsonNode m = sub.jsonLines().get(0);
            assertThat(m.path("topic").asText()).isEqualTo("cli/state");
            assertThat(m.path("payload").asText()).isEqualTo("on");
            assertThat(m.path("retain").asBoolean()).isTrue();
            assertThat(String.join("\n", sub.err())).doesNotContain("toolPassword");
        }
    }

    @Test
    void pubToAnUnreachableBrokerExitsNonZeroWithAOneLineReason() throws Exception {
        int port;
        try (var s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        try (CliProcess pub =
                CliProcess.run(
                        "pub",
                        "--host",
                        "127.0.0.1",
                        "--port",
                        Integer.toString(port),
                        "--topic",
                        "t",
                        "--message",
                        "m")) {
            assertThat(pub.awaitExit()).isNotZero();
            assertThat(
                            pub.err().stream()
                                    .filter(l -> l.startsWith("thingflux pub: cannot connect")))
                    .hasSize(1);
        }
    }
}
