package io.thingflux.netty.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.thingflux.emulator.platform.AliyunPlatformEmulator;
import io.thingflux.emulator.platform.AuthMode;
import io.thingflux.emulator.platform.EmulatorOptions;
import io.thingflux.link.LinkState;
import io.thingflux.link.ReconnectPolicy;
import io.thingflux.mqtt.MqttQos;
import io.thingflux.netty.client.MqttClient;
import io.thingflux.netty.client.MqttClientOptions;
import io.thingflux.netty.client.MqttClientResources;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

/**
 * The client refuses to send a packet above its configured maximum packet size. Without that check
 * a QoS 1 publish the broker cannot take is a poison message: the broker closes the connection, the
 * client reconnects and resends it with DUP, and round it goes for ever.
 */
class OutboundPacketSizeTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    private final MqttClientResources resources = MqttClientResources.create(1);

    @AfterEach
    void disposeResources() {
        resources.disposeLater().block(Duration.ofSeconds(10));
    }

    @Test
    void publishAboveTheConfiguredMaximumFailsBeforeAnythingIsSentAndTheConnectionStays() {
        int limit = 1024;
        try (AliyunPlatformEmulator broker =
                AliyunPlatformEmulator.start(
                        EmulatorOptions.builder()
                                .port(0)
                                .authMode(AuthMode.NONE)
                                .maxPacketSize(limit)
                                .build())) {
            MqttClient client =
                    MqttClient.create(
                            MqttClientOptions.builder("127.0.0.1", broker.mqttAddress().getPort())
                                    .clientId("sender")
                                    .maxPacketSize(limit)
                                    .reconnect(
                                            ReconnectPolicy.exponential()
                                                    .withDelays(
                                                            Duration.ofMillis(50),
                                                            Duration.ofMillis(100)))
                                    .build(),
                            resources);
            List<LinkState> states = new CopyOnWriteArrayList<>();
            client.states().subscribe(states::add);
            client.connect().block(WAIT);

            // whole frame: fixed header 3 bytes (remaining length 128..16383) + topic "t/x" (2 + 3)
            // + packet id (2)
            int fitting = limit - 3 - (2 + 3) - 2;
            assertThat(
                            client.publish("t/x", new byte[fitting], MqttQos.AT_LEAST_ONCE)
                                    .block(WAIT)
                                    .isSuccess())
                    .isTrue();
            StepVerifier.create(client.publish("t/x", new byte[fitting + 1], MqttQos.AT_LEAST_ONCE))
                    .expectErrorSatisfies(
                            e ->
                                    assertThat(e)
                                            .isInstanceOf(IllegalArgumentException.class)
                                            .hasMessageContaining("maximum packet size"))
                    .verify(WAIT);
            StepVerifier.create(client.publish("t/x", new byte[4096], MqttQos.AT_MOST_ONCE))
                    .expectError(IllegalArgumentException.class)
                    .verify(WAIT);

            assertThat(
                            client.publish("t/x", new byte[10], MqttQos.AT_LEAST_ONCE)
                                    .block(WAIT)
                                    .isSuccess())
                    .isTrue();
            assertThat(broker.stats().protocolErrors())
                    .as("the broker never saw an oversized packet")
                    .isZero();
            assertThat(broker.stats().connectsAccepted())
                    .as("the connection never dropped")
                    .isEqualTo(1);
            assertThat(states).doesNotContain(LinkState.RECONNECTING);
            client.disconnect().block(WAIT);
        }
    }
}
