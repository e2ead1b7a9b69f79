package io.thingflux.netty.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.thingflux.aliyun.AliyunDeviceIdentity;
import io.thingflux.aliyun.AliyunSigner;
import io.thingflux.emulator.platform.AliyunPlatformEmulator;
import io.thingflux.emulator.platform.EmulatorOptions;
import io.thingflux.emulator.platform.ReceivedPublish;
import io.thingflux.link.ConnectRefusedException;
import io.thingflux.link.LinkMessage;
import io.thingflux.link.LinkState;
import io.thingflux.mqtt.ConnectReturnCode;
import io.thingflux.mqtt.MqttQos;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

/**
 * The client signed in with an Aliyun identity against the project's Aliyun IoT Platform emulator.
 */
class MqttClientAgainstEmulatorTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final AliyunDeviceIdentity DEVICE =
            new AliyunDeviceIdentity("a1ClientPk", "dev_01", "0123456789abcdef0123456789abcdef");

    private AliyunPlatformEmulator emulator;
    private MqttClientResources resources;

    @BeforeEach
    void start() {
        emulator =
                AliyunPlatformEmulator.start(
                        EmulatorOptions.builder().port(0).device(DEVICE).build());
        resources = MqttClientResources.create(1);
    }

    @AfterEach
    void stop() {
        resources.dispose();
        emulator.close();
    }

    private MqttClient client(AliyunDeviceIdentity identity) {
        return MqttClient.create(
                MqttClientOptions.builder("127.0.0.1", emulator.mqttAddress().getPort())
                        .aliyun(
                                identity,
                                AliyunSigner.builder()
                                        .timestamp(System.currentTimeMillis())
                                        .build())
                        .aliyunLimits(true)
                        .keepAliveSeconds(60)
                        .build(),
                resources);
    }

    @Test
    void signedDevicePublishesAndReceivesItsDownlinkThroughTheEmulator() {
        MqttClient client = client(DEVICE);
        StepVerifier.create(client.connect()).expectNextCount(1).expectComplete().verify(WAIT);

        List<ReceivedPublish> received = new CopyOnWriteArrayList<>();
        emulator.addPublishListener(received::add);
        String up = "/" + DEVICE.productKey() + "/" + DEVICE.deviceName() + "/user/update";
        StepVerifier.create(
                        client.publish(
                                up,
                                "{\"v\":1}".getBytes(StandardCharsets.UTF_8),
                                MqttQos.AT_LEAST_ONCE))
                .expectNextCount(1)
                .expectComplete()
                .verify(WAIT);
        ClientTestSupport.await(() -> received.size() == 1, "the emulator received the publish");
        assertThat(received.get(0).payloadAsString()).isEqualTo("{\"v\":1}");

        String down = "/" + DEVICE.productKey() + "/" + DEVICE.deviceName() + "/user/get";
        List<List<?>> subAcks = new CopyOnWriteArrayList<>();
        StepVerifier.create(
                        client.subscribe(down, MqttQos.AT_LEAST_ONCE)
                                .doOnSubAck(subAcks::add)
                                .take(1))
                .then(
                        () -> {
                            ClientTestSupport.await(() -> subAcks.size() == 1, "SUBACK");
                            emulator.publish(
                                    down,
                                    "cmd".getBytes(StandardCharsets.UTF_8),
                                    MqttQos.AT_LEAST_ONCE);
                        })
                .assertNext(
                        m ->
                                assertThat(m)
                                        .extracting(
                                                LinkMessage::topic, LinkMessage::payloadAsString)
                                        .containsExactly(down, "cmd"))
                .expectComplete()
                .verify(WAIT);
        StepVerifier.create(client.disconnect()).expectComplete().verify(WAIT);
    }

    @Test
    void wrongDeviceSecretIsRefusedForGood() {
        MqttClient client =
                client(
                        new AliyunDeviceIdentity(
                                DEVICE.productKey(), DEVICE.deviceName(), "wrong-secret"));
        StepVerifier.create(client.connect())
                .expectErrorSatisfies(
                        e -> {
                            assertThat(e).isInstanceOf(ConnectRefusedException.class);
                            assertThat(((ConnectRefusedException) e).returnCode())
                                    .isIn(
                                            ConnectReturnCode.BAD_USERNAME_OR_PASSWORD,
                                            ConnectReturnCode.NOT_AUTHORIZED);
                            assertThat(e.getMessage()).doesNotContain("wrong-secret");
                        })
                .verify(WAIT);
        assertThat(client.state()).isEqualTo(LinkState.CLOSED);
    }
}
