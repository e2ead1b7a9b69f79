package io.thingflux.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.thingflux.aliyun.AliyunDeviceIdentity;
import io.thingflux.emulator.ec600s.Ec600sEmulator;
import io.thingflux.emulator.ec600s.Pty;
import io.thingflux.emulator.platform.AliyunPlatformEmulator;
import io.thingflux.emulator.platform.EmulatorOptions;
import io.thingflux.emulator.platform.ReceivedPublish;
import io.thingflux.link.ConnectRefusedException;
import io.thingflux.link.LinkMessage;
import io.thingflux.link.LinkState;
import io.thingflux.mqtt.ConnectReturnCode;
import io.thingflux.mqtt.MqttQos;
import io.thingflux.serial.Ec600sLink;
import io.thingflux.serial.Ec600sOptions;
import io.thingflux.serial.at.JSerialCommTransport;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * End to end: the EC600S driver over a real pseudo-terminal, the EC600S emulator doing its MQTT
 * work with the Netty client, and the Aliyun IoT Platform emulator checking the module's aliauth
 * signature.
 */
class Ec600sEndToEndTest {

    private static final Duration T = Duration.ofSeconds(20);
    private static final AliyunDeviceIdentity DEVICE =
            new AliyunDeviceIdentity("a1wFylTxYeD", "co_0001", "7ab0c4b3532b5783df5fdc58a2895d7a");
    private static final String PREFIX = "/sys/a1wFylTxYeD/co_0001/thing/";

    private AliyunPlatformEmulator platform;
    private NettyEmulatorLinks links;
    private Ec600sEmulator module;
    private Ec600sLink link;

    @BeforeEach
    void setUp() throws Exception {
        platform =
                AliyunPlatformEmulator.start(
                        EmulatorOptions.builder().host("127.0.0.1").port(0).device(DEVICE).build());
        links = new NettyEmulatorLinks();
        module =
                Ec600sEmulator.builder(links)
                        .broker("127.0.0.1", platform.mqttAddress().getPort())
                        .build();
    }

    @AfterEach
    void tearDown() {
        if (link != null && link.state() != LinkState.CLOSED) {
            link.disconnect().onErrorResume(e -> reactor.core.publisher.Mono.empty()).block(T);
        }
        module.close();
        links.close();
        platform.close();
    }

    private Ec600sLink open(AliyunDeviceIdentity device) throws Exception {
        Pty pty = module.attachPty(null);
        link =
                Ec600sLink.open(
                        JSerialCommTransport.open(pty.devicePath(), 115_200),
                        Ec600sOptions.builder()
                                .aliyunDevice(device)
                                .clientId("clientExample_0")
                                .build());
        return link;
    }

    @Test
    void propertySetReachesTheDeviceAndItsPostReachesThePlatform() throws Exception {
        open(DEVICE).connect().block(T);
        CompletableFuture<LinkMessage> set =
                link.subscribe(PREFIX + "service/property/set", MqttQos.AT_MOST_ONCE)
                        .next()
                        .toFuture();
        CompletableFuture<LinkMessage> postReply =
                link.subscribe(PREFIX + "event/property/post_reply", MqttQos.AT_MOST_ONCE)
                        .next()
                        .toFuture();
        CompletableFuture<ReceivedPublish> received =
                platform.publishes()
                        .filter(p -> p.topic().equals(PREFIX + "event/property/post"))
                        .next()
                        .toFuture();
        // the module subscribes in the background (MqttLink.subscribe has no "subscribed" signal):
        // repeat until seen
        LinkMessage msg =
                repeatUntilDone(
                        set,
                        () ->
                                platform.setProperties(
                                        DEVICE.productKey(),
                                        DEVICE.deviceName(),
                                        "{\"PowerSwitch_1\":1}"));
        assertThat(msg.topic()).isEqualTo(PREFIX + "service/property/set");
        assertThat(msg.payloadAsString())
                .contains("thing.service.property.set")
                .contains("\"PowerSwitch_1\":1");

        String post =
                "{\"method\":\"thing.event.property.post\",\"id\":\"1142523359\",\"params\":{\"PowerSwitch_1\":1},\"version\":\"1.0.0\"}";
        LinkMessage reply =
                repeatUntilDone(
                        postReply,
                        () ->
                                link.publish(
                                                PREFIX + "event/property/post",
                                                post.getBytes(StandardCharsets.UTF_8),
                                                MqttQos.AT_MOST_ONCE)
                                        .block(T));
        assertThat(reply.payloadAsString()).contains("1142523359");
        assertThat(
                        new String(
                                received.get(T.toSeconds(), TimeUnit.SECONDS).payload(),
                                StandardCharsets.UTF_8))
                .isEqualTo(post);
    }

    private static <V> V repeatUntilDone(CompletableFuture<V> future, Runnable action)
            throws Exception {
        long deadline = System.nanoTime() + T.toNanos();
        while (true) {
            action.run();
            try {
                return future.get(300, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
            }
        }
    }

    @Test
    void thingModelDeviceWorksOverTheModuleUnchanged() throws Exception {
        io.thingflux.alink.AliyunDevice device =
                io.thingflux.alink.AliyunDevice.create(open(DEVICE), DEVICE);
        device.connect().block(T);
        CompletableFuture<io.thingflux.alink.ThingMessage> set =
                device.messages()
                        .filter(m -> m instanceof io.thingflux.alink.ThingMessage.PropertySet)
                        .next()
                        .toFuture();
        io.thingflux.alink.ThingMessage msg =
                repeatUntilDone(
                        set,
                        () ->
                                platform.setProperties(
                                        DEVICE.productKey(),
                                        DEVICE.deviceName(),
                                        "{\"PowerSwitch_1\":1}"));
        assertThat(((io.thingflux.alink.ThingMessage.PropertySet) msg).request().toString())
                .contains("PowerSwitch_1");
        io.thingflux.alink.AlinkReply reply =
                device.postProperties(java.util.Map.of("PowerSwitch_1", 0)).block(T);
        assertThat(reply.isSuccess()).isTrue();
        assertThat(platform.properties(DEVICE.productKey(), DEVICE.deviceName()))
                .containsKey("PowerSwitch_1");
        device.disconnect().block(T);
        assertThat(link.state()).isEqualTo(LinkState.CLOSED);
    }

    @Test
    void wrongSecretIsRefusedWithATypedError() throws Exception {
        open(
                new AliyunDeviceIdentity(
                        DEVICE.productKey(),
                        DEVICE.deviceName(),
                        "0000000000000000000000000000000"));
        assertThatThrownBy(() -> link.connect().block(T))
                .isInstanceOf(ConnectRefusedException.class)
                .extracting(e -> ((ConnectRefusedException) e).returnCode())
                .isEqualTo(ConnectReturnCode.BAD_USERNAME_OR_PASSWORD);
    }
}
