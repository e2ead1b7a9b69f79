package io.thingflux.netty.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.thingflux.mqtt.ConnAck;
import io.thingflux.mqtt.Connect;
import io.thingflux.mqtt.ConnectReturnCode;
import io.thingflux.mqtt.Disconnect;
import io.thingflux.mqtt.MqttPacket;
import io.thingflux.mqtt.MqttQos;
import io.thingflux.mqtt.PingReq;
import io.thingflux.mqtt.PingResp;
import io.thingflux.mqtt.PubAck;
import io.thingflux.mqtt.Publish;
import io.thingflux.mqtt.SubAck;
import io.thingflux.mqtt.SubAckReturnCode;
import io.thingflux.mqtt.Subscribe;
import io.thingflux.mqtt.Subscription;
import io.thingflux.mqtt.UnsubAck;
import io.thingflux.mqtt.Unsubscribe;
import io.thingflux.netty.testing.SeedFrames;
import io.thingflux.netty.testing.SeedFrames.Frame;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every real frame of {@code shared/vectors/mqtt-frames.txt} decodes to exactly what its {@code
 * meaning} line says, field by field, and encodes back to the same bytes.
 */
class SeedFrameMeaningTest {

    private static final String PROPERTY_SET =
            "/sys/a1wFylTxYeD/co_0001/thing/service/property/set";
    private static final String PROPERTY_POST =
            "/sys/a1wFylTxYeD/co_0001/thing/event/property/post";
    private static final String PROPERTY_SET_PAYLOAD =
            "{\"method\":\"thing.service.property.set\",\"id\":\"765951545\",\"params\":{\"PowerSwitch_1\":0},\"version\":\"1.0.0\"}";
    private static final String POST_PAYLOAD_1 =
            "{\"method\":\"thing.event.property.post\",\"id\":\"123456789\",\"params\":{\"PowerSwitch_1\":1},\"version\":\"1.0.0\"}";
    private static final String POST_PAYLOAD_0 =
            POST_PAYLOAD_1.replace("\"PowerSwitch_1\":1", "\"PowerSwitch_1\":0");

    /** What each frame's meaning says, written out as assertions on the decoded packet. */
    private static final Map<String, Consumer<MqttPacket>> MEANINGS = new LinkedHashMap<>();

    static {
        MEANINGS.put(
                "connect",
                p -> {
                    Connect c = as(p, Connect.class);
                    assertThat(c.protocolName()).isEqualTo("MQTT");
                    assertThat(c.protocolLevel()).isEqualTo(4);
                    assertThat(c.cleanSession()).isTrue();
                    assertThat(c.will()).isNull();
                    assertThat(c.keepAliveSeconds()).isEqualTo(300);
                    assertThat(c.clientId()).isEqualTo("co_0001|securemode=3,signmethod=hmacsha1|");
                    assertThat(c.username()).isEqualTo("co_0001&a1wFylTxYeD");
                    assertThat(new String(c.password(), StandardCharsets.UTF_8))
                            .isEqualTo("e782b5e55b37655c27812a60c307b0a7575d8f6d");
                });
        MEANINGS.put(
                "connack-accepted",
                p -> {
                    ConnAck a = as(p, ConnAck.class);
                    assertThat(a.sessionPresent()).isFalse();
                    assertThat(a.returnCode()).isEqualTo(ConnectReturnCode.ACCEPTED);
                });
        MEANINGS.put(
                "connack-bad-credentials",
                p -> {
                    ConnAck a = as(p, ConnAck.class);
                    assertThat(a.sessionPresent()).isFalse();
                    assertThat(a.returnCode())
                            .isEqualTo(ConnectReturnCode.BAD_USERNAME_OR_PASSWORD);
                    assertThat(a.returnCode().code()).isEqualTo(4);
                });
        MEANINGS.put("disconnect", p -> assertThat(p).isSameAs(Disconnect.INSTANCE));
        MEANINGS.put("pingreq", p -> assertThat(p).isSameAs(PingReq.INSTANCE));
        MEANINGS.put("pingresp", p -> assertThat(p).isSameAs(PingResp.INSTANCE));
        MEANINGS.put(
                "subscribe-property-set-qos0",
                p -> {
                    Subscribe s = as(p, Subscribe.class);
                    assertThat(s.packetId()).isEqualTo(3);
                    assertThat(s.subscriptions())
                            .containsExactly(new Subscription(PROPERTY_SET, MqttQos.AT_MOST_ONCE));
                });
        MEANINGS.put(
                "subscribe-property-set-qos1",
                p -> {
                    Subscribe s = as(p, Subscribe.class);
                    assertThat(s.packetId()).isEqualTo(3);
                    assertThat(s.subscriptions())
                            .containsExactly(new Subscription(PROPERTY_SET, MqttQos.AT_LEAST_ONCE));
                });
        MEANINGS.put(
                "subscribe-property-post-qos0",
                p -> {
                    Subscribe s = as(p, Subscribe.class);
                    assertThat(s.packetId()).isEqualTo(4);
                    assertThat(s.subscriptions())
                            .containsExactly(new Subscription(PROPERTY_POST, MqttQos.AT_MOST_ONCE));
                });
        MEANINGS.put(
                "suback-qos1",
                p -> {
                    SubAck s = as(p, SubAck.class);
                    assertThat(s.packetId()).isEqualTo(3);
                    assertThat(s.returnCodes()).containsExactly(SubAckReturnCode.GRANTED_QOS_1);
                });
        MEANINGS.put(
                "suback-failure",
                p -> {
                    SubAck s = as(p, SubAck.class);
                    assertThat(s.packetId()).isEqualTo(3);
                    assertThat(s.returnCodes()).containsExactly(SubAckReturnCode.FAILURE);
                    assertThat(s.returnCodes().get(0).code()).isEqualTo(0x80);
                });
        MEANINGS.put(
                "unsubscribe-property-set",
                p -> {
                    Unsubscribe u = as(p, Unsubscribe.class);
                    assertThat(u.packetId()).isEqualTo(3);
                    assertThat(u.filters()).containsExactly(PROPERTY_SET);
                });
        MEANINGS.put("unsuback", p -> assertThat(as(p, UnsubAck.class).packetId()).isEqualTo(3));
        MEANINGS.put(
                "publish-property-set-down",
                p -> {
                    assertPublish(p, PROPERTY_SET, MqttQos.AT_MOST_ONCE, 0, PROPERTY_SET_PAYLOAD);
                });
        MEANINGS.put(
                "publish-property-post-up-1",
                p -> {
                    assertPublish(p, PROPERTY_POST, MqttQos.AT_MOST_ONCE, 0, POST_PAYLOAD_1);
                });
        MEANINGS.put(
                "publish-property-post-up-0",
                p -> {
                    assertPublish(p, PROPERTY_POST, MqttQos.AT_MOST_ONCE, 0, POST_PAYLOAD_0);
                });
        MEANINGS.put(
                "publish-qos1-missing-packet-id",
                p -> {
                    // the sender left out the packet id: '{"' becomes id 0x7B22 and the payload
                    // starts at 'm'
                    assertPublish(
                            p,
                            PROPERTY_POST,
                            MqttQos.AT_LEAST_ONCE,
                            0x7B22,
                            POST_PAYLOAD_1.substring(2));
                    assertThat(((Publish) p).payloadAsString()).startsWith("method\"");
                });
        MEANINGS.put(
                "puback-7b22", p -> assertThat(as(p, PubAck.class).packetId()).isEqualTo(0x7B22));
    }

    static List<Frame> frames() {
        return SeedFrames.all();
    }

    @Test
    void everyFrameOfTheVectorFileHasItsMeaningWrittenOut() {
        assertThat(SeedFrames.all())
                .extracting(Frame::name)
                .containsExactlyElementsOf(MEANINGS.keySet());
    }

    /** One dynamic test per frame; the leak check runs once after all of them. */
    @TestFactory
    Stream<DynamicTest> frameDecodesToWhatItsMeaningSaysAndEncodesBackToTheSameBytes() {
        return frames().stream()
                .map(f -> DynamicTest.dynamicTest(f.name(), () -> assertMeaningAndReEncoding(f)));
    }

    private static void assertMeaningAndReEncoding(Frame frame) {
        MqttPacket packet = decodeOne(frame.bytes());
        assertThat(MEANINGS).as("expectation for %s", frame.name()).containsKey(frame.name());
        MEANINGS.get(frame.name()).accept(packet);
        assertThat(WireBytes.drain(MqttEncoder.encode(UnpooledByteBufAllocator.DEFAULT, packet)))
                .isEqualTo(frame.bytes());
    }

    @Test
    void publishRemainingLengthsAreTheTwoByteVarintsTheMeaningNames() {
        byte[] down = SeedFrames.bytes("publish-property-set-down");
        assertThat(new byte[] {down[1], down[2]}).isEqualTo(WireBytes.hex("9C 01"));
        assertThat(down.length - 3).isEqualTo(156);
        byte[] up = SeedFrames.bytes("publish-property-post-up-1");
        assertThat(new byte[] {up[1], up[2]}).isEqualTo(WireBytes.hex("9A 01"));
        assertThat(up.length - 3).isEqualTo(154);
    }

    @Test
    void connectCarriesFlagsC2() {
        assertThat(SeedFrames.bytes("connect")[9] & 0xFF).isEqualTo(0xC2);
        Connect c = (Connect) decodeOne(SeedFrames.bytes("connect"));
        ByteBuf encoded = MqttEncoder.encode(UnpooledByteBufAllocator.DEFAULT, c);
        try {
            assertThat(encoded.getUnsignedByte(9)).isEqualTo((short) 0xC2);
        } finally {
            encoded.release();
        }
    }

    @Test
    void theBrokenQos1PublishIsAnsweredWithPubAck7B22() {
        Publish broken = (Publish) decodeOne(SeedFrames.bytes("publish-qos1-missing-packet-id"));
        assertThat(
                        WireBytes.drain(
                                MqttEncoder.encode(
                                        UnpooledByteBufAllocator.DEFAULT,
                                        new PubAck(broken.packetId()))))
                .isEqualTo(SeedFrames.bytes("puback-7b22"));
    }

    private static void assertPublish(
            MqttPacket p, String topic, MqttQos qos, int packetId, String payload) {
        Publish pub = as(p, Publish.class);
        assertThat(pub.topic()).isEqualTo(topic);
        assertThat(pub.qos()).isEqualTo(qos);
        assertThat(pub.packetId()).isEqualTo(packetId);
        assertThat(pub.dup()).isFalse();
        assertThat(pub.retain()).isFalse();
        assertThat(pub.payloadAsString()).isEqualTo(payload);
    }

    private static <T extends MqttPacket> T as(MqttPacket p, Class<T> type) {
        assertThat(p).isInstanceOf(type);
        return type.cast(p);
    }

    static MqttPacket decodeOne(byte[] bytes) {
        EmbeddedChannel ch = new EmbeddedChannel(new MqttDecoder());
        try {
            ch.writeInbound(WireBytes.buffer(bytes));
            MqttPacket packet = ch.readInbound();
            assertThat(packet).isNotNull();
            assertThat((Object) ch.readInbound()).isNull();
            assertThat(ch.isOpen()).isTrue();
            return packet;
        } finally {
            ch.finishAndReleaseAll();
        }
    }
}
