package io.thingflux.serial;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.thingflux.aliyun.AliyunDeviceIdentity;
import io.thingflux.link.LinkState;
import io.thingflux.mqtt.MqttQos;
import io.thingflux.serial.at.InMemoryByteTransport;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Security checklist, AT injection: a topic, filter, client id, user name, password or device
 * secret holding a quote, CR, LF or NUL (any of which could end the AT string parameter and start a
 * command of the attacker's choosing) is refused with {@link IllegalArgumentException} before a
 * byte reaches the module, the message never repeats the secret, and the link carries on.
 */
class SecurityChecklistAtInjectionTest {

    private static final Duration T = Duration.ofSeconds(15);
    private static final List<String> BREAKERS = List.of("\"", "\r", "\n", "\u0000");
    private static final String TOPIC = "/a1Pk/dev1/user/update";

    private ScriptedModem modem;
    private Ec600sLink link;

    @AfterEach
    void tearDown() {
        if (link != null && link.state() != LinkState.CLOSED) {
            link.disconnect().onErrorResume(e -> reactor.core.publisher.Mono.empty()).block(T);
        }
    }

    @Test
    void credentialsWithAQuoteOrLineEndOrNulAreRefusedWhenTheOptionsAreBuiltWithoutEchoingThem() {
        for (String breaker : BREAKERS) {
            String secret = "s3cr3t" + breaker + ",1\r\nAT+QPOWD=1";
            List<Function<String, Ec600sOptions.Builder>> cases =
                    List.of(
                            s ->
                                    Ec600sOptions.builder()
                                            .aliyunDevice(
                                                    new AliyunDeviceIdentity("a1Pk", "dev1", s))
                                            .clientId("c"),
                            s ->
                                    Ec600sOptions.builder()
                                            .broker("b.example", 1883)
                                            .clientId("c")
                                            .credentials("user", s),
                            s ->
                                    Ec600sOptions.builder()
                                            .broker("b.example", 1883)
                                            .clientId("c")
                                            .credentials(s, "pw"),
                            s -> Ec600sOptions.builder().broker("b.example", 1883).clientId(s));
            for (Function<String, Ec600sOptions.Builder> builder : cases) {
                assertThatThrownBy(() -> builder.apply(secret).build())
                        .isInstanceOf(IllegalArgumentException.class)
                        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("s3cr3t"));
            }
        }
    }

    @Test
    void topicsAndFiltersWithAQuoteOrLineEndOrNulAreRefusedBeforeAnythingIsWritten() {
        InMemoryByteTransport[] pair = InMemoryByteTransport.pair();
        modem = new ScriptedModem(pair[1]);
        link =
                Ec600sLink.open(
                        pair[0],
                        Ec600sOptions.builder()
                                .aliyunDevice(new AliyunDeviceIdentity("a1Pk", "dev1", "secret"))
                                .clientId("c")
                                .build());
        link.connect().block(T);
        int commandsBefore = modem.commands.size();
        int dataBefore = modem.data.size();
        for (String breaker : BREAKERS) {
            String topic = TOPIC + breaker + ",0\r\nAT+QMTDISC=0";
            assertThatThrownBy(
                            () ->
                                    link.publish(
                                                    topic,
                                                    "x".getBytes(StandardCharsets.UTF_8),
                                                    MqttQos.AT_LEAST_ONCE)
                                            .block(T))
                    .as("publish to a topic with %s", printable(breaker))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> link.subscribe(topic, MqttQos.AT_MOST_ONCE).blockFirst(T))
                    .as("subscribe to a filter with %s", printable(breaker))
                    .isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(modem.commands).as("nothing reached the module").hasSize(commandsBefore);
        assertThat(modem.data).hasSize(dataBefore);
        assertThat(link.state()).isEqualTo(LinkState.CONNECTED);

        // payload bytes are counted, not quoted: quotes and line ends in a payload are fine
        byte[] payload = "{\"a\":\"b\r\n\"}".getBytes(StandardCharsets.UTF_8);
        link.publish(TOPIC, payload, MqttQos.AT_LEAST_ONCE).block(T);
        assertThat(modem.commands.subList(commandsBefore, modem.commands.size()))
                .containsExactly("AT+QMTPUBEX=0,1,1,0,\"" + TOPIC + "\"," + payload.length);
        assertThat(modem.data.get(modem.data.size() - 1)).isEqualTo(payload);
    }

    private static String printable(String breaker) {
        return breaker.equals("\"")
                ? "a quote"
                : breaker.equals("\r") ? "CR" : breaker.equals("\n") ? "LF" : "NUL";
    }
}
