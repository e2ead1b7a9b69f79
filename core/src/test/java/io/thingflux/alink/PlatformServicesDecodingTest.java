package io.thingflux.alink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.thingflux.link.LinkMessage;
import io.thingflux.mqtt.MqttQos;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The pure parts of the platform services: synchronous services and shadow messages decoded by
 * topic, tag key rules, digests and the MQTT download's CRC and frames, firmware notices.
 */
class PlatformServicesDecodingTest {

    private final AlinkTopics topics = new AlinkTopics("a1wFylTxYeD", "co_0001");
    private final ThingMessageDecoder decoder = new ThingMessageDecoder(topics, () -> 1L);

    private ThingMessage decode(String topic, String payload) {
        return decoder.decode(
                new LinkMessage(
                        topic,
                        payload.getBytes(StandardCharsets.UTF_8),
                        MqttQos.AT_MOST_ONCE,
                        false));
    }

    @Test
    void aServiceCallOverSystemRrpcIsAServiceCallAnsweredOnTheResponseTopic() {
        ThingMessage m =
                decode(
                        topics.rrpcRequestPrefix() + "1234",
                        "{\"id\":\"7\",\"version\":\"1.0\",\"params\":{\"a\":1},\"method\":\"thing.service.Sum\"}");
        assertThat(m)
                .isInstanceOfSatisfying(
                        ThingMessage.ServiceCall.class,
                        c -> {
                            assertThat(c.serviceId()).isEqualTo("Sum");
                            assertThat(c.id()).isEqualTo("7");
                            assertThat(c.synchronous()).isTrue();
                            assertThat(c.replyTopic()).isEqualTo(topics.rrpcResponse("1234"));
                        });
        // an asynchronous call is not synchronous; a raw RRPC stays raw
        assertThat(
                        ((ThingMessage.ServiceCall)
                                        decode(
                                                topics.service("Sum"),
                                                "{\"id\":\"8\",\"params\":{},\"method\":\"thing.service.Sum\"}"))
                                .synchronous())
                .isFalse();
        assertThat(decode(topics.rrpcRequestPrefix() + "9", "ping"))
                .isInstanceOf(ThingMessage.RrpcCall.class);
        assertThat(decode(topics.rrpcRequestPrefix() + "9", "{\"id\":\"1\",\"method\":\"other\"}"))
                .isInstanceOf(ThingMessage.RrpcCall.class);
    }

    @Test
    void shadowMessagesAreDecodedWithTheirVersionAndState() {
        ThingMessage m =
                decode(
                        topics.shadowGet(),
                        "{\"method\":\"control\",\"payload\":{\"status\":\"success\",\"state\":{\"desired\":{\"color\":\"red\"}}},\"version\":3,\"timestamp\":9}");
        assertThat(m)
                .isInstanceOfSatisfying(
                        ThingMessage.ShadowMessage.class,
                        s -> {
                            assertThat(s.isControl()).isTrue();
                            assertThat(s.version()).isEqualTo(3);
                            assertThat(s.desired()).containsEntry("color", "red");
                        });
        ThingMessage.ShadowMessage error =
                (ThingMessage.ShadowMessage)
                        decode(
                                topics.shadowGet(),
                                "{\"method\":\"reply\",\"payload\":{\"status\":\"error\",\"content\":{\"errorcode\":\"409\",\"errormessage\":\"version conflict\"}},\"timestamp\":1}");
        assertThat(error.errorCode()).isEqualTo(409);
        assertThat(error.version()).isEqualTo(-1);
    }

    @Test
    void tagKeysFollowThePlatformRules() {
        assertThat(DeviceTags.isValidKey("room")).isTrue();
        assertThat(DeviceTags.isValidKey("_a1")).isTrue();
        assertThat(DeviceTags.isValidKey("a")).isFalse();
        assertThat(DeviceTags.isValidKey("1room")).isFalse();
        assertThat(DeviceTags.isValidKey("a".repeat(33))).isFalse();
        assertThat(DeviceTags.isValidKey("a-b")).isFalse();
    }

    @Test
    void crc16IsArcAndFramesRoundTrip() {
        byte[] check = "123456789".getBytes(StandardCharsets.US_ASCII);
        assertThat(MqttFileDownload.crc16(check, 0, check.length)).isEqualTo(0xBB3D);
        byte[] frame =
                MqttFileDownload.encodeFrame(
                        MqttFileDownload.header("5", 200, 9, 9, 0), check, 0, check.length);
        assertThat(frame[frame.length - 2] & 0xFF).isEqualTo(0xBB);
        assertThat(frame[frame.length - 1] & 0xFF).isEqualTo(0x3D);
    }

    @Test
    void digestsCheckSizeMd5AndSign() {
        byte[] body = "hello".getBytes(StandardCharsets.US_ASCII);
        String md5 = "5d41402abc4b2a76b9719d911017c592";
        String sha = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";
        assertThat(FirmwareDigests.check(body, 5, sha, "Sha256")).isNull();
        assertThat(FirmwareDigests.check(body, 5, md5, "MD5")).isNull();
        assertThat(FirmwareDigests.check(body, 6, sha, "SHA256")).contains("size");
        assertThat(FirmwareDigests.check(body, 5, md5.replace('5', '6'), "MD5"))
                .contains("does not match");
    }

    @Test
    void firmwareNoticesReadBothDownloadForms() {
        OtaFirmware https =
                OtaFirmware.of(
                        Map.of(
                                "size", 10,
                                "version", "2.0",
                                "url", "https://x/y?Signature=s",
                                "md5", "m",
                                "module", "MCU"));
        assertThat(https.overMqtt()).isFalse();
        assertThat(https.module()).isEqualTo("MCU");
        assertThat(https.toString()).doesNotContain("Signature");
        OtaFirmware mqtt =
                OtaFirmware.of(
                        Map.of(
                                "size", 10,
                                "version", "2.0",
                                "dProtocol", "mqtt",
                                "streamId", 1397345,
                                "streamFileId", 1));
        assertThat(mqtt.overMqtt()).isTrue();
        assertThat(mqtt.module()).isEqualTo(OtaFirmware.DEFAULT_MODULE);
    }

    @Test
    void progressStepsOutsideTheRulesAreRefusedBeforeSending() {
        AliyunDevice device =
                AliyunDevice.create(
                        new io.thingflux.link.testing.ScriptedMqttLink(),
                        "a1wFylTxYeD",
                        "co_0001",
                        AliyunDeviceOptions.defaults());
        DeviceOta ota = PlatformServices.of(device).ota();
        assertThatThrownBy(() -> ota.reportProgress(0, "", null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ota.reportProgress(-5, "", null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PlatformServices.of(device).tags().update(Map.of("9x", "v")))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
