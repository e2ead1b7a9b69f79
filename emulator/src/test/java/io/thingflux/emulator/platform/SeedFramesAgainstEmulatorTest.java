package io.thingflux.emulator.platform;

import static org.assertj.core.api.Assertions.assertThat;

import io.thingflux.aliyun.AliyunDeviceIdentity;
import io.thingflux.mqtt.MqttQos;
import io.thingflux.netty.testing.SeedFrames;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The real frames exchanged with the platform, written to a plain socket, get the platform's
 * answers byte for byte.
 */
class SeedFramesAgainstEmulatorTest {

    static final AliyunDeviceIdentity SEED_DEVICE =
            new AliyunDeviceIdentity("a1wFylTxYeD", "co_0001", "7ab0c4b3532b5783df5fdc58a2895d7a");

    private AliyunPlatformEmulator emulator;

    @BeforeEach
    void start() {
        emulator =
                AliyunPlatformEmulator.start(
                        EmulatorOptions.builder().port(0).device(SEED_DEVICE).build());
    }

    @AfterEach
    void stop() {
        emulator.close();
    }

    private TestSocket connected() {
        TestSocket s = new TestSocket(emulator.mqttAddress());
        s.sendRaw(SeedFrames.bytes("connect"));
        assertThat(s.readFrame()).isEqualTo(SeedFrames.bytes("connack-accepted"));
        return s;
    }

    @Test
    void seedConnectIsAcceptedWithConnAck0() {
        assertThat(emulator.deviceStatus("a1wFylTxYeD", "co_0001"))
                .isEqualTo(DeviceStatus.UNACTIVE);
        try (TestSocket s = connected()) {
            assertThat(emulator.deviceStatus("a1wFylTxYeD", "co_0001"))
                    .isEqualTo(DeviceStatus.ONLINE);
            assertThat(s.quietFor(200)).isTrue(); // the connection stays open
        }
        assertThat(emulator.stats().connectsAccepted()).isEqualTo(1);
    }

    @Test
    void seedConnectWithAnotherSecretIsRefusedWithConnAck4AndClosed() {
        emulator.close();
        emulator =
                AliyunPlatformEmulator.start(
                        EmulatorOptions.builder()
                                .port(0)
                                .device(
                                        new AliyunDeviceIdentity(
                                                "a1wFylTxYeD", "co_0001", "another-secret"))
                                .build());
        try (TestSocket s = new TestSocket(emulator.mqttAddress())) {
            s.sendRaw(SeedFrames.bytes("connect"));
            assertThat(s.readFrame()).isEqualTo(SeedFrames.bytes("connack-bad-credentials"));
            assertThat(s.awaitClosed()).isTrue();
        }
        assertThat(emulator.stats().refusedByReturnCode()).containsEntry(4, 1L);
    }

    @Test
    void seedConnectOfAnUnknownDeviceIsRefusedWithConnAck4() {
        emulator.close();
        emulator =
                AliyunPlatformEmulator.start(
                        EmulatorOptions.builder()
                                .port(0)
                                .device(
                                        new AliyunDeviceIdentity(
                                                "a1wFylTxYeD",
                                                "co_0002",
                                                "7ab0c4b3532b5783df5fdc58a2895d7a"))
                                .build());
        try (TestSocket s = new TestSocket(emulator.mqttAddress())) {
            s.sendRaw(SeedFrames.bytes("connect"));
            assertThat(s.readFrame()).isEqualTo(SeedFrames.bytes("connack-bad-credentials"));
            assertThat(s.awaitClosed()).isTrue();
        }
    }

    @Test
    void subscribeWithQos0IsGrantedQos1() {
        try (TestSocket s = connected()) {
            s.sendRaw(SeedFrames.bytes("subscribe-property-set-qos0"));
            assertThat(s.readFrame()).isEqualTo(SeedFrames.bytes("suback-qos1"));
            s.sendRaw(SeedFrames.bytes("subscribe-property-set-qos1"));
            assertThat(s.readFrame()).isEqualTo(SeedFrames.bytes("suback-qos1"));
        }
    }

    @Test
    void subscribeToAnotherDevicesTopicGetsFailure0x80() {
        byte[] frame = SeedFrames.bytes("subscribe-property-set-qos0");
        // same frame with the device name co_0001 changed to co_0002: not this device's topic
        String asText =
                new String(frame, StandardCharsets.ISO_8859_1).replace("co_0001", "co_0002");
        try (TestSocket s = connected()) {
            s.sendRaw(asText.getBytes(StandardCharsets.ISO_8859_1));
            assertThat(s.readFrame()).isEqualTo(SeedFrames.bytes("suback-failure"));
            assertThat(s.quietFor(200)).isTrue(); // a refused filter does not close the connection
        }
    }

    @Test
    void unsubscribeIsAcknowledged() {
        try (TestSocket s = connected()) {
            s.sendRaw(SeedFrames.bytes("subscribe-property-set-qos0"));
            s.readFrame();
            s.sendRaw(SeedFrames.bytes("unsubscribe-property-set"));
            assertThat(s.readFrame()).isEqualTo(SeedFrames.bytes("unsuback"));
        }
    }

    @Test
    void pingreqGetsPingresp() {
        try (TestSocket s = connected()) {
            s.sendRaw(SeedFrames.bytes("pingreq"));
            assertThat(s.readFrame()).isEqualTo(SeedFrames.bytes("pingresp"));
        }
    }

    @Test
    void aPushOnTheSubscribedTopicArrivesAsTheSeedFrame() {
        byte[] expected = SeedFrames.bytes("publish-property-set-down");
        byte[] payload = Arrays.copyOfRange(expected, 3 + 2 + 0x33, expected.length);
        try (TestSocket s = connected()) {
            s.sendRaw(SeedFrames.bytes("subscribe-property-set-qos0"));
            s.readFrame();
            emulator.publish(
                    "/sys/a1wFylTxYeD/co_0001/thing/service/property/set",
                    payload,
                    MqttQos.AT_MOST_ONCE);
            assertThat(HexFormat.of().formatHex(s.readFrame()))
                    .isEqualTo(HexFormat.of().formatHex(expected));
        }
    }

    @Test
    void propertyPostIsStoredAndAnsweredOnTheReplyTopic() {
        try (TestSocket s = connected()) {
            s.sendRaw(
                    subscribeFrame(5, "/sys/a1wFylTxYeD/co_0001/thing/event/property/post_reply"));
            s.readFrame();
            s.sendRaw(SeedFrames.bytes("publish-property-post-up-1"));
            io.thingflux.mqtt.Publish reply = (io.thingflux.mqtt.Publish) s.read();
            assertThat(reply.topic())
                    .isEqualTo("/sys/a1wFylTxYeD/co_0001/thing/event/property/post_reply");
            assertThat(reply.payloadAsString())
                    .isEqualTo(
                            "{\"id\":\"123456789\",\"code\":200,\"data\":{},"
                                    + "\"message\":\"success\",\"method\":\"thing.event.property.post\",\"version\":\"1.0\"}");
            assertThat(emulator.properties("a1wFylTxYeD", "co_0001"))
                    .hasEntrySatisfying(
                            "PowerSwitch_1", v -> assertThat(v.valueJson()).isEqualTo("1"));
            s.sendRaw(SeedFrames.bytes("publish-property-post-up-0"));
            s.read();
            assertThat(
                            emulator.properties("a1wFylTxYeD", "co_0001")
                                    .get("PowerSwitch_1")
                                    .valueJson())
                    .isEqualTo("0");
        }
    }

    @Test
    void qos1PublishWithoutPacketIdIsAcknowledgedWithTheIdReadFromThePayload() {
        try (TestSocket s = connected()) {
            s.sendRaw(SeedFrames.bytes("publish-qos1-missing-packet-id"));
            assertThat(s.readFrame()).isEqualTo(SeedFrames.bytes("puback-7b22"));
        }
    }

    @Test
    void disconnectEndsTheConnectionAndTheDeviceGoesOffline() {
        try (TestSocket s = connected()) {
            s.sendRaw(SeedFrames.bytes("disconnect"));
            assertThat(s.awaitClosed()).isTrue();
        }
        Awaiting.until(
                Duration.ofSeconds(10),
                () -> emulator.deviceStatus("a1wFylTxYeD", "co_0001") == DeviceStatus.OFFLINE);
    }

    /** A SUBSCRIBE frame for one filter at QoS 0. */
    static byte[] subscribeFrame(int packetId, String filter) {
        byte[] f = filter.getBytes(StandardCharsets.UTF_8);
        int remaining = 2 + 2 + f.length + 1;
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.write(0x82);
        out.write(remaining); // filters used here are short
        out.write(packetId >> 8);
        out.write(packetId & 0xFF);
        out.write(f.length >> 8);
        out.write(f.length & 0xFF);
        out.write(f, 0, f.length);
        out.write(0);
        return out.toByteArray();
    }
}
