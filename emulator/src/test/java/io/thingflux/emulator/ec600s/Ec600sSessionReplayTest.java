package io.thingflux.emulator.ec600s;

import static org.assertj.core.api.Assertions.assertThat;

import io.thingflux.link.LinkMessage;
import io.thingflux.mqtt.MqttQos;
import io.thingflux.netty.testing.SeedFrames;
import io.thingflux.serial.at.JSerialCommTransport;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The emulator reproduces the recorded EC600S session ({@code shared/vectors/ec600s-session.txt})
 * line for line, over a real pseudo-terminal opened through jSerialComm, with an in-memory broker
 * behind it.
 */
class Ec600sSessionReplayTest {

    static final Path SESSION = SeedFrames.vectorsDir().resolve("ec600s-session.txt");
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Pattern QMTRECV =
            Pattern.compile("^\\+QMTRECV: \\d+,\\d+,\"([^\"]*)\",(\\d+),\"(.*)\"$");

    private final FakeBroker broker = new FakeBroker();
    private Ec600sEmulator emulator;
    private HostSide host;

    @AfterEach
    void tearDown() {
        if (host != null) {
            host.close();
        }
        if (emulator != null) {
            emulator.close();
        }
    }

    @Test
    void reproducesTheRecordedSessionLineForLineWithEchoOn() throws Exception {
        emulator = Ec600sEmulator.builder(broker).broker("127.0.0.1", 1883).build();
        Pty pty = emulator.attachPty(null);
        host = new HostSide(JSerialCommTransport.open(pty.devicePath(), 115_200));

        List<String> lines = Files.readAllLines(SESSION, StandardCharsets.UTF_8);
        // the command whose echo comes next (echo is on: the session never sends ATE0)
        String echoDue = null;
        boolean promptSeen = false;
        int checked = 0;
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i);
            if (l.startsWith("H: ")) {
                String text = l.substring(3);
                if (promptSeen) {
                    host.sendRaw(
                            text.getBytes(
                                    StandardCharsets.UTF_8)); // the counted payload: no line end
                    promptSeen = false;
                } else {
                    host.sendCommand(text);
                    echoDue = text;
                }
            } else if (l.startsWith("M: ") || l.equals("M:")) {
                String expected = l.length() > 3 ? l.substring(3) : "";
                if (expected.isBlank() && !expected.equals("> ")) {
                    continue; // empty lines carry nothing
                }
                if (echoDue != null) { // exactly one echo, before the command's first response line
                    assertThat(host.next(WAIT))
                            .as("echo of the command before line %d", i + 1)
                            .isEqualTo(echoDue);
                    echoDue = null;
                }
                String actual = host.next(WAIT);
                assertThat(actual).as("line %d of the session", i + 1).isNotNull();
                if (expected.startsWith("+QIACT: ")) {
                    assertThat(actual).matches("\\+QIACT: 1,1,1,\"[0-9.]+\"");
                } else {
                    assertThat(actual).as("line %d of the session", i + 1).isEqualTo(expected);
                }
                promptSeen = expected.equals("> ");
                checked++;
            } else if (l.startsWith("wait: ")) {
                // the cloud publishes what the next module line delivers
                Matcher m = QMTRECV.matcher(lines.get(i + 1).substring(3));
                assertThat(m.matches()).isTrue();
                byte[] payload = m.group(3).getBytes(StandardCharsets.UTF_8);
                assertThat(payload).hasSize(Integer.parseInt(m.group(2)));
                broker.publish(m.group(1), payload, MqttQos.AT_MOST_ONCE);
            }
        }
        assertThat(checked).isGreaterThan(40);
        assertThat(host.next(Duration.ofMillis(300))).as("nothing after the session").isNull();

        // the device's publish reached the broker byte for byte
        assertThat(broker.published).hasSize(1);
        LinkMessage up = broker.published.get(0);
        assertThat(up.topic()).isEqualTo("/sys/a1wFylTxYeD/co_0001/thing/event/property/post");
        assertThat(up.payloadAsString())
                .isEqualTo(
                        "{\"method\":\"thing.event.property.post\",\"id\":\"1142523359\",\"params\":{\"PowerSwitch_1\":0},\"version\":\"1.0.0\"}");

        // QMTOPEN's host was redirected; aliauth signed the CONNECT with the QMTCONN client id
        MqttConnectRequest c = broker.connects.get(0);
        assertThat(c.requestedHost()).isEqualTo("iot-as-mqtt.cn-shanghai.aliyuncs.com");
        assertThat(c.host()).isEqualTo("127.0.0.1");
        assertThat(c.clientId()).isEqualTo("clientExample_0|securemode=3,signmethod=hmacsha256|");
        assertThat(c.username()).isEqualTo("co_0001&a1wFylTxYeD");
        // printf 'clientIdclientExample_0deviceNameco_0001productKeya1wFylTxYeD' \
        //     | openssl dgst -sha256 -hmac 7ab0c4b3532b5783df5fdc58a2895d7a
        assertThat(c.password())
                .isEqualTo("a16797d302eddbe94dcb7b15e5819b2126847a7ce4ef6044c116912d33b3a4b5");
        assertThat(c.toString()).doesNotContain(c.password());
    }
}
