package io.thingflux.interop.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.thingflux.mqtt.Connect;
import io.thingflux.mqtt.MqttPacket;
import io.thingflux.mqtt.MqttProtocolException;
import io.thingflux.mqtt.MqttProtocolException.Reason;
import io.thingflux.mqtt.MqttQos;
import io.thingflux.mqtt.Will;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Where Netty codec-mqtt 4.2.18 and thingflux disagree, and why thingflux is the one following MQTT
 * 3.1.1.
 *
 * <p>Netty's decoder is built for MQTT 5 and 3.1.1 at once and leaves most content rules to the
 * application: it accepts frames the 3.1.1 specification calls malformed (a server must close the
 * connection on them). thingflux refuses each with a typed {@link MqttProtocolException} naming the
 * rule. These cases pin both behaviours: if a later Netty tightens a rule, its case fails here and
 * this list of differences needs updating.
 */
class SpecDifferencesTest {

    static Stream<Arguments> framesNettyAcceptsButMqtt311Forbids() {
        return Stream.of(
                Arguments.of(
                        "PUBLISH QoS 0 with DUP set (MQTT-3.3.1-2)",
                        frame(0x38, str("a/b"), bytes('x')),
                        Reason.INVALID_FIXED_HEADER_FLAGS),
                Arguments.of(
                        "PUBLISH with an empty topic name (MQTT-4.7.3-1)",
                        frame(0x30, str(""), bytes('x')),
                        Reason.INVALID_TOPIC_NAME),
                Arguments.of(
                        "SUBSCRIBE without a topic filter (MQTT-3.8.3-3)",
                        frame(0x82, bytes(0, 1)),
                        Reason.EMPTY_SUBSCRIPTION_LIST),
                Arguments.of(
                        "SUBSCRIBE with reserved option bits; Netty reads them as MQTT 5 options (MQTT-3.8.3-4)",
                        frame(0x82, bytes(0, 1), str("a"), bytes(0x04)),
                        Reason.RESERVED_SUBSCRIPTION_BITS),
                Arguments.of(
                        "SUBSCRIBE with '#' not last (MQTT-4.7.1-2)",
                        frame(0x82, bytes(0, 1), str("a/#/b"), bytes(0)),
                        Reason.INVALID_TOPIC_FILTER),
                Arguments.of(
                        "SUBACK return code 0x03 (MQTT-3.9.3-2)",
                        frame(0x90, bytes(0, 1, 3)),
                        Reason.INVALID_SUBACK_RETURN_CODE),
                Arguments.of(
                        "SUBACK without a return code",
                        frame(0x90, bytes(0, 1)),
                        Reason.EMPTY_SUBSCRIPTION_LIST),
                Arguments.of(
                        "UNSUBSCRIBE without a topic filter (MQTT-3.10.3-2)",
                        frame(0xA2, bytes(0, 1)),
                        Reason.EMPTY_SUBSCRIPTION_LIST),
                Arguments.of(
                        "PUBACK with a byte after the packet id; Netty reads an MQTT 5 reason code",
                        frame(0x40, bytes(0, 1, 0)),
                        Reason.TRAILING_BYTES),
                Arguments.of(
                        "CONNACK with reserved acknowledge flag bits (MQTT-3.2.2-1)",
                        frame(0x20, bytes(0x02, 0)),
                        Reason.INVALID_CONNACK),
                Arguments.of(
                        "CONNACK with session present and a refusal (MQTT-3.2.2-4)",
                        frame(0x20, bytes(0x01, 4)),
                        Reason.INVALID_CONNACK),
                Arguments.of(
                        "CONNECT with will QoS but no will flag (MQTT-3.1.2-13)",
                        frame(0x10, str("MQTT"), bytes(4, 0x0A, 0, 60), str("c")),
                        Reason.INVALID_WILL_FLAGS),
                Arguments.of(
                        "CONNECT with a password but no user name (MQTT-3.1.2-22)",
                        frame(0x10, str("MQTT"), bytes(4, 0x42, 0, 60), str("c"), str("pw")),
                        Reason.PASSWORD_WITHOUT_USERNAME));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("framesNettyAcceptsButMqtt311Forbids")
    void thingfluxRefusesWithTheRuleWhereNettyIsLenient(
            String description, byte[] frame, Reason reason) {
        MqttProtocolException refusal = CodecRunner.thingfluxRefusal(frame);

        assertThat(refusal).as("thingflux refusal").isNotNull();
        assertThat(refusal.reason()).isEqualTo(reason);
        assertThat(CodecRunner.nettyAccepts(frame))
                .as("Netty 4.2.18 accepts it (documented leniency)")
                .isTrue();
    }

    static Stream<Arguments> framesBothRefuse() {
        return Stream.of(
                Arguments.of(
                        "PUBLISH topic containing U+0000 (MQTT-1.5.3-2)",
                        frame(0x30, bytes(0, 3, 'a', 0, 'b'), bytes('x')),
                        Reason.MALFORMED_UTF8),
                Arguments.of(
                        "PUBLISH topic that is not well-formed UTF-8 (MQTT-1.5.3-1)",
                        frame(0x30, bytes(0, 2, 0xC3, 0x28), bytes('x')),
                        Reason.MALFORMED_UTF8),
                Arguments.of(
                        "PUBLISH with QoS 3 (MQTT-3.3.1-4)",
                        frame(0x36, str("a"), bytes(0, 1)),
                        Reason.INVALID_QOS),
                Arguments.of(
                        "PUBLISH topic with a wildcard (MQTT-3.3.2-2)",
                        frame(0x30, str("a/+"), bytes('x')),
                        Reason.INVALID_TOPIC_NAME),
                Arguments.of(
                        "PUBACK with packet id 0 (MQTT-2.3.1-1)",
                        frame(0x40, bytes(0, 0)),
                        Reason.ZERO_PACKET_ID),
                Arguments.of(
                        "SUBSCRIBE with fixed-header flags 0000 (MQTT-3.8.1-1)",
                        frame(0x80, bytes(0, 1), str("a"), bytes(0)),
                        Reason.INVALID_FIXED_HEADER_FLAGS),
                Arguments.of(
                        "PINGREQ with fixed-header flags 0001",
                        frame(0xC1),
                        Reason.INVALID_FIXED_HEADER_FLAGS),
                Arguments.of(
                        "remaining length of five bytes (§2.2.3)",
                        bytes(0x30, 0xFF, 0xFF, 0xFF, 0xFF, 0x01),
                        Reason.MALFORMED_REMAINING_LENGTH),
                Arguments.of(
                        "CONNECT with the reserved flag set (MQTT-3.1.2-3)",
                        frame(0x10, str("MQTT"), bytes(4, 0x03, 0, 60), str("c")),
                        Reason.RESERVED_CONNECT_FLAG),
                Arguments.of(
                        "CONNECT with protocol level 6 (MQTT-3.1.2-2)",
                        frame(0x10, str("MQTT"), bytes(6, 0x02, 0, 60), str("c")),
                        Reason.UNSUPPORTED_PROTOCOL_LEVEL),
                Arguments.of(
                        "CONNECT with an unknown protocol name (MQTT-3.1.2-1)",
                        frame(0x10, str("MQTX"), bytes(4, 0x02, 0, 60), str("c")),
                        Reason.INVALID_PROTOCOL_NAME));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("framesBothRefuse")
    void bothCodecsRefuseMalformedFrames(String description, byte[] frame, Reason reason) {
        MqttProtocolException refusal = CodecRunner.thingfluxRefusal(frame);

        assertThat(refusal).as("thingflux refusal").isNotNull();
        assertThat(refusal.reason()).isEqualTo(reason);
        assertThat(CodecRunner.nettyAccepts(frame)).as("Netty refuses it too").isFalse();
    }

    /**
     * A will topic may be up to 65535 bytes like any MQTT string, but Netty's decoder reads it with
     * a limit of 32767 and silently yields {@code null} for a longer one (the frame still decodes
     * "successfully"). thingflux keeps it.
     */
    @Test
    void willTopicLongerThan32767BytesIsKeptByThingfluxAndLostByNetty() {
        String longTopic = "w/" + "t".repeat(40_000);
        Connect connect =
                new Connect(
                        Connect.MQTT_3_1_1,
                        "c",
                        true,
                        60,
                        new Will(
                                longTopic,
                                "gone".getBytes(StandardCharsets.UTF_8),
                                MqttQos.AT_LEAST_ONCE,
                                false),
                        null,
                        null);
        byte[] wire = CodecRunner.thingfluxEncode(connect);

        MqttPacket ours = CodecRunner.thingfluxDecode(wire);
        String nettyWillTopic =
                CodecRunner.withNettyMessage(
                        wire,
                        m -> {
                            assertThat(m.decoderResult().isSuccess()).isTrue();
                            return ((MqttConnectMessage) m).payload().willTopic();
                        });

        assertThat(ours).isEqualTo(connect);
        assertThat(nettyWillTopic).isNull();
    }

    /**
     * MQTT 3.1 limited client ids to 23 characters; a 3.1.1 server "MAY" refuse longer ones with
     * CONNACK 0x02, which is a broker decision, not a malformed packet. Netty's decoder refuses a
     * longer 3.1 client id itself; thingflux decodes it and leaves the answer to the broker's
     * CONNECT handler.
     */
    @Test
    void mqtt31ClientIdLongerThan23CharactersIsLeftToTheBrokerByThingfluxAndRefusedByNetty() {
        Connect connect =
                new Connect(
                        Connect.MQTT_3_1,
                        "a-client-id-of-30-characters!!",
                        true,
                        60,
                        null,
                        null,
                        null);
        byte[] wire = CodecRunner.thingfluxEncode(connect);

        assertThat(CodecRunner.thingfluxDecode(wire)).isEqualTo(connect);
        assertThat(CodecRunner.nettyAccepts(wire)).isFalse();
    }

    /** The same frame's bytes; {@code parts} are concatenated after the fixed header. */
    static byte[] frame(int firstByte, byte[]... parts) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            body.writeBytes(part);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(firstByte);
        int remaining = body.size();
        do {
            int digit = remaining & 0x7F;
            remaining >>>= 7;
            out.write(remaining > 0 ? digit | 0x80 : digit);
        } while (remaining > 0);
        out.writeBytes(body.toByteArray());
        return out.toByteArray();
    }

    static byte[] str(String s) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[utf8.length + 2];
        out[0] = (byte) (utf8.length >>> 8);
        out[1] = (byte) utf8.length;
        System.arraycopy(utf8, 0, out, 2, utf8.length);
        return out;
    }

    static byte[] bytes(int... values) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (byte) values[i];
        }
        return out;
    }
}
