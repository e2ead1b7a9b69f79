package io.thingflux.emulator.platform;

import static org.assertj.core.api.Assertions.assertThat;

import io.thingflux.aliyun.AliyunDeviceIdentity;
import io.thingflux.mqtt.ConnAck;
import io.thingflux.mqtt.Connect;
import io.thingflux.mqtt.MqttPacket;
import io.thingflux.mqtt.MqttQos;
import io.thingflux.mqtt.PubAck;
import io.thingflux.mqtt.Publish;
import io.thingflux.mqtt.SubAck;
import io.thingflux.mqtt.SubAckReturnCode;
import io.thingflux.mqtt.Subscribe;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Sessions, takeover, ACL enforcement on PUBLISH, QoS rules and the isolation of a bad connection.
 */
class EmulatorConnectionsTest {

    static final AliyunDeviceIdentity DEVICE = new AliyunDeviceIdentity("pk1", "dn1", "secret1");
    static final AliyunDeviceIdentity OTHER = new AliyunDeviceIdentity("pk1", "dn2", "secret2");
    static final String SET_TOPIC = "/sys/pk1/dn1/thing/service/property/set";

    private AliyunPlatformEmulator emulator;

    private void start(int offlineQueueLimit) {
        emulator =
                AliyunPlatformEmulator.start(
                        EmulatorOptions.builder()
                                .port(0)
                                .device(DEVICE)
                                .device(OTHER)
                                .app("watcher", "watcher-password")
                                .offlineQueueLimit(offlineQueueLimit)
                                .build());
    }

    @AfterEach
    void stop() {
        if (emulator != null) {
            emulator.close();
        }
    }

    private static void subscribe(TestSocket s, String filter, MqttQos qos) {
        s.send(Subscribe.of(1, filter, qos));
        MqttPacket p = s.read();
        assertThat(p).isInstanceOf(SubAck.class);
        assertThat(((SubAck) p).returnCodes()).containsExactly(SubAckReturnCode.GRANTED_QOS_1);
    }

    private static Publish readPublish(TestSocket s) {
        MqttPacket p = s.read();
        assertThat(p).isInstanceOf(Publish.class);
        return (Publish) p;
    }

    private void awaitOffline(AliyunDeviceIdentity d) {
        Awaiting.until(
                Duration.ofSeconds(10),
                () ->
                        emulator.deviceStatus(d.productKey(), d.deviceName())
                                == DeviceStatus.OFFLINE);
    }

    @Test
    void aPersistentSessionKeepsSubscriptionsAndQueuesQos1WhileOffline() {
        start(100);
        try (TestSocket s = TestSocket.device(emulator.mqttAddress(), DEVICE, false)) {
            subscribe(s, SET_TOPIC, MqttQos.AT_LEAST_ONCE);
        }
        awaitOffline(DEVICE);
        for (int i = 1; i <= 3; i++) {
            emulator.publish(
                    SET_TOPIC, ("m" + i).getBytes(StandardCharsets.UTF_8), MqttQos.AT_LEAST_ONCE);
        }
        emulator.publish(
                SET_TOPIC,
                "qos0 is not kept".getBytes(StandardCharsets.UTF_8),
                MqttQos.AT_MOST_ONCE);
        try (TestSocket s = new TestSocket(emulator.mqttAddress())) {
            s.send(TestSocket.connect(DEVICE, false, 60));
            assertThat(HexFormat.of().formatHex(s.readFrame()))
                    .isEqualTo("20020100"); // session present
            for (int i = 1; i <= 3; i++) {
                Publish p = readPublish(s);
                assertThat(p.topic()).isEqualTo(SET_TOPIC);
                assertThat(p.qos()).isEqualTo(MqttQos.AT_LEAST_ONCE);
                assertThat(p.payloadAsString()).isEqualTo("m" + i);
                s.send(new PubAck(p.packetId()));
            }
            assertThat(s.quietFor(300)).isTrue();
            // the subscription survived: a new message arrives without subscribing again
            emulator.publish(
                    SET_TOPIC, "live".getBytes(StandardCharsets.UTF_8), MqttQos.AT_MOST_ONCE);
            assertThat(readPublish(s).payloadAsString()).isEqualTo("live");
        }
    }

    @Test
    void theOfflineQueueDropsTheOldestWhenFullAndCountsIt() {
        start(2);
        try (TestSocket s = TestSocket.device(emulator.mqttAddress(), DEVICE, false)) {
            subscribe(s, SET_TOPIC, MqttQos.AT_MOST_ONCE);
        }
        awaitOffline(DEVICE);
        for (int i = 1; i <= 3; i++) {
            emulator.publish(
                    SET_TOPIC, ("m" + i).getBytes(StandardCharsets.UTF_8), MqttQos.AT_LEAST_ONCE);
        }
        assertThat(emulator.stats().offlineMessagesDropped()).isEqualTo(1);
        try (TestSocket s = TestSocket.device(emulator.mqttAddress(), DEVICE, false)) {
            assertThat(readPublish(s).payloadAsString()).isEqualTo("m2");
            assertThat(readPublish(s).payloadAsString()).isEqualTo("m3");
        }
    }

    @Test
    void aCleanSessionForgetsThePreviousSession() {
        start(100);
        try (TestSocket s = TestSocket.device(emulator.mqttAddress(), DEVICE, false)) {
            subscribe(s, SET_TOPIC, MqttQos.AT_LEAST_ONCE);
        }
        awaitOffline(DEVICE);
        emulator.publish(
                SET_TOPIC, "queued".getBytes(StandardCharsets.UTF_8), MqttQos.AT_LEAST_ONCE);
        try (TestSocket s = new TestSocket(emulator.mqttAddress())) {
            s.send(TestSocket.connect(DEVICE, true, 60));
            assertThat(HexFormat.of().formatHex(s.readFrame())).isEqualTo("20020000");
            assertThat(s.quietFor(300)).isTrue();
            emulator.publish(
                    SET_TOPIC, "after".getBytes(StandardCharsets.UTF_8), MqttQos.AT_MOST_ONCE);
            assertThat(s.quietFor(300)).isTrue(); // no subscription left
        }
    }

    @Test
    void aSecondConnectionOfTheSameDeviceClosesTheFirst() {
        start(100);
        try (TestSocket first = TestSocket.device(emulator.mqttAddress(), DEVICE, true);
                TestSocket second = TestSocket.device(emulator.mqttAddress(), DEVICE, true)) {
            assertThat(first.awaitClosed()).isTrue();
            subscribe(second, SET_TOPIC, MqttQos.AT_MOST_ONCE);
            emulator.publish(
                    SET_TOPIC,
                    "to the second".getBytes(StandardCharsets.UTF_8),
                    MqttQos.AT_MOST_ONCE);
            assertThat(readPublish(second).payloadAsString()).isEqualTo("to the second");
            assertThat(emulator.deviceStatus("pk1", "dn1")).isEqualTo(DeviceStatus.ONLINE);
        }
    }

    @Test
    void aForbiddenPublishClosesThatConnectionOnly() {
        start(100);
        try (TestSocket bad = TestSocket.device(emulator.mqttAddress(), DEVICE, true);
                TestSocket good = TestSocket.device(emulator.mqttAddress(), OTHER, true)) {
            bad.send(Publish.qos0("/sys/pk1/dn2/thing/event/property/post", "{}"));
            assertThat(bad.awaitClosed()).isTrue();
            assertThat(emulator.stats().aclViolations()).isEqualTo(1);
            good.send(
                    new Publish(
                            "/pk1/dn2/user/data",
                            MqttQos.AT_LEAST_ONCE,
                            false,
                            false,
                            9,
                            "x".getBytes(StandardCharsets.UTF_8)));
            assertThat(good.read()).isEqualTo(new PubAck(9));
        }
    }

    @Test
    void aQos2PublishClosesTheConnectionInAliyunMode() {
        start(100);
        try (TestSocket s = TestSocket.device(emulator.mqttAddress(), DEVICE, true)) {
            s.send(
                    new Publish(
                            "/pk1/dn1/user/data",
                            MqttQos.EXACTLY_ONCE,
                            false,
                            false,
                            1,
                            new byte[] {1}));
            assertThat(s.awaitClosed()).isTrue();
        }
    }

    @Test
    void aMalformedFrameClosesThatConnectionWhileOthersCarryOn() {
        start(100);
        try (TestSocket bad = TestSocket.device(emulator.mqttAddress(), DEVICE, true);
                TestSocket good = TestSocket.device(emulator.mqttAddress(), OTHER, true)) {
            bad.sendRaw(new byte[] {(byte) 0xF0, 0x00}); // reserved packet type 15
            assertThat(bad.awaitClosed()).isTrue();
            good.sendRaw(new byte[] {(byte) 0xC0, 0x00});
            assertThat(HexFormat.of().formatHex(good.readFrame())).isEqualTo("d000");
            assertThat(emulator.stats().protocolErrors()).isEqualTo(1);
        }
    }

    @Test
    void aFrameLargerThanTheMaximumPacketSizeClosesTheConnection() {
        emulator =
                AliyunPlatformEmulator.start(
                        EmulatorOptions.builder()
                                .port(0)
                                .device(DEVICE)
                                .maxPacketSize(1024)
                                .build());
        try (TestSocket s = TestSocket.device(emulator.mqttAddress(), DEVICE, true)) {
            s.send(Publish.qos0("/pk1/dn1/user/data", "x".repeat(2000)));
            assertThat(s.awaitClosed()).isTrue();
        }
        assertThat(emulator.stats().publishesReceived()).isZero();
    }

    @Test
    void aPacketBeforeConnectClosesTheConnection() {
        start(100);
        try (TestSocket s = new TestSocket(emulator.mqttAddress())) {
            s.sendRaw(new byte[] {(byte) 0xC0, 0x00});
            assertThat(s.awaitClosed()).isTrue();
        }
    }

    @Test
    void anApplicationSeesDeviceTrafficAndReachesDevicesWhileDevicesDoNotReachEachOther() {
        start(100);
        try (TestSocket app = new TestSocket(emulator.mqttAddress());
                TestSocket device = TestSocket.device(emulator.mqttAddress(), DEVICE, true);
                TestSocket other = TestSocket.device(emulator.mqttAddress(), OTHER, true)) {
            app.send(
                    new Connect(
                            Connect.MQTT_3_1_1,
                            "watch-tool",
                            true,
                            0,
                            null,
                            "watcher",
                            "watcher-password".getBytes(StandardCharsets.UTF_8)));
            assertThat(app.read()).isEqualTo(ConnAck.accepted(false));
            subscribe(app, "#", MqttQos.AT_MOST_ONCE);
            subscribe(device, "/pk1/dn1/user/#", MqttQos.AT_MOST_ONCE);

            other.send(Publish.qos0("/pk1/dn2/user/hello", "from dn2"));
            Publish seen = readPublish(app);
            assertThat(seen.topic()).isEqualTo("/pk1/dn2/user/hello");

            device.send(Publish.qos0("/pk1/dn1/user/echo", "not echoed to devices"));
            assertThat(readPublish(app).topic()).isEqualTo("/pk1/dn1/user/echo");
            assertThat(device.quietFor(300)).isTrue();

            app.send(Publish.qos0("/pk1/dn1/user/cmd", "from the app"));
            assertThat(readPublish(device).payloadAsString()).isEqualTo("from the app");
        }
    }

    @Test
    void retainAndWillAreIgnoredInAliyunMode() {
        start(100);
        try (TestSocket app = new TestSocket(emulator.mqttAddress())) {
            app.send(
                    new Connect(
                            Connect.MQTT_3_1_1,
                            "watch-tool",
                            true,
                            0,
                            null,
                            "watcher",
                            "watcher-password".getBytes(StandardCharsets.UTF_8)));
            app.read();
            subscribe(app, "#", MqttQos.AT_MOST_ONCE);
            try (TestSocket device = new TestSocket(emulator.mqttAddress())) {
                Connect signed = TestSocket.connect(DEVICE, true, 60);
                device.send(
                        new Connect(
                                Connect.MQTT_3_1_1,
                                signed.clientId(),
                                true,
                                60,
                                new io.thingflux.mqtt.Will(
                                        "/pk1/dn1/user/will",
                                        "dead".getBytes(StandardCharsets.UTF_8),
                                        MqttQos.AT_MOST_ONCE,
                                        false),
                                signed.username(),
                                signed.password()));
                assertThat(device.read()).isEqualTo(ConnAck.accepted(false));
                device.send(
                        new Publish(
                                "/pk1/dn1/user/state",
                                MqttQos.AT_MOST_ONCE,
                                false,
                                true,
                                0,
                                "on".getBytes(StandardCharsets.UTF_8)));
                Publish forwarded = readPublish(app);
                assertThat(forwarded.retain()).isFalse();
            } // vanishes without DISCONNECT: no will
            assertThat(app.quietFor(400)).isTrue();
            app.send(Subscribe.of(2, "/pk1/dn1/user/#", MqttQos.AT_MOST_ONCE));
            assertThat(app.read()).isInstanceOf(SubAck.class);
            assertThat(app.quietFor(300)).isTrue(); // nothing was retained
        }
    }
}
