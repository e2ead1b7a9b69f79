package io.thingflux.netty.codec;

import static io.thingflux.netty.codec.WireBytes.concat;
import static io.thingflux.netty.codec.WireBytes.field;
import static io.thingflux.netty.codec.WireBytes.frame;
import static io.thingflux.netty.codec.WireBytes.hex;
import static io.thingflux.netty.codec.WireBytes.str;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.thingflux.mqtt.ConnAck;
import io.thingflux.mqtt.ConnectReturnCode;
import io.thingflux.mqtt.MqttPacket;
import io.thingflux.mqtt.MqttProtocolException;
import io.thingflux.mqtt.MqttProtocolException.Reason;
import io.thingflux.mqtt.PingReq;
import io.thingflux.mqtt.PubAck;
import io.thingflux.mqtt.Publish;
import io.thingflux.netty.testing.SeedFrames;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Malformed input, one frame per rule: each is refused with the {@link Reason} of the rule it
 * breaks, the typed exception reaches the next handler's {@code exceptionCaught}, the channel
 * closes, nothing else escapes, no buffer leaks, and the bytes that follow are discarded rather
 * than decoded as garbage.
 *
 * <p>The cases run as dynamic tests of one factory: the leak check runs once after all of them, and
 * each case also checks that its own buffers were released.
 */
class MalformedFrameTest {

    private static final byte[] PINGREQ = hex("C0 00");

    /** One malformed frame and the rule it breaks. */
    record Case(String rule, byte[] bytes, Reason reason, int maxPacketSize, boolean headerOnly) {
        Case(String rule, byte[] bytes, Reason reason) {
            this(rule, bytes, reason, MqttDecoder.DEFAULT_MAX_PACKET_SIZE, false);
        }
    }

    /**
     * A CONNECT with the given protocol name, level and flags; {@code rest} follows the client id
     * "c1".
     */
    private static byte[] connect(String name, int level, int flags, String... rest) {
        String[] body = new String[5 + rest.length];
        body[0] = str(name);
        body[1] = String.format("%02x", level);
        body[2] = String.format("%02x", flags);
        body[3] = "003C";
        body[4] = str("c1");
        System.arraycopy(rest, 0, body, 5, rest.length);
        return frame(0x10, body);
    }

    /** A QoS 0 PUBLISH whose topic field holds exactly {@code topicBytes}. */
    private static byte[] publishWithTopicBytes(String topicBytesHex) {
        return frame(0x30, field(hex(topicBytesHex)), "6869");
    }

    static List<Case> cases() {
        List<Case> c = new ArrayList<>();
        // framing (§2.2)
        c.add(
                new Case(
                        "remaining length of five bytes",
                        hex("30 FF FF FF FF 01"),
                        Reason.MALFORMED_REMAINING_LENGTH));
        c.add(
                new Case(
                        "frame over the configured maximum, refused from its three header bytes alone",
                        hex("30 FF 7F"),
                        Reason.PACKET_TOO_LARGE,
                        1024,
                        true));
        c.add(
                new Case(
                        "frame announcing 256 MB, refused by the default maximum from its header alone",
                        hex("30 FF FF FF 7F"),
                        Reason.PACKET_TOO_LARGE,
                        MqttDecoder.DEFAULT_MAX_PACKET_SIZE,
                        true));
        c.add(new Case("reserved packet type 0", hex("00 00"), Reason.RESERVED_PACKET_TYPE));
        c.add(new Case("reserved packet type 15", hex("F0 00"), Reason.RESERVED_PACKET_TYPE));
        // fixed-header flags (§2.2.2): SUBSCRIBE, UNSUBSCRIBE and PUBREL carry 0010 ...
        c.add(
                new Case(
                        "SUBSCRIBE with flags 0000",
                        frame(0x80, "0001", str("a"), "00"),
                        Reason.INVALID_FIXED_HEADER_FLAGS));
        c.add(
                new Case(
                        "SUBSCRIBE with flags 0011",
                        frame(0x83, "0001", str("a"), "00"),
                        Reason.INVALID_FIXED_HEADER_FLAGS));
        c.add(
                new Case(
                        "UNSUBSCRIBE with flags 0000",
                        frame(0xA0, "0001", str("a")),
                        Reason.INVALID_FIXED_HEADER_FLAGS));
        c.add(
                new Case(
                        "UNSUBSCRIBE with flags 0110",
                        frame(0xA6, "0001", str("a")),
                        Reason.INVALID_FIXED_HEADER_FLAGS));
        c.add(
                new Case(
                        "PUBREL with flags 0000",
                        frame(0x60, "0001"),
                        Reason.INVALID_FIXED_HEADER_FLAGS));
        c.add(
                new Case(
                        "PUBREL with flags 1010",
                        frame(0x6A, "0001"),
                        Reason.INVALID_FIXED_HEADER_FLAGS));
        // ... every other type but PUBLISH carries 0000
        c.add(
                new Case(
                        "CONNECT with flags 0010",
                        concat(hex("12"), tail(connect("MQTT", 4, 0x02))),
                        Reason.INVALID_FIXED_HEADER_FLAGS));
        c.add(
                new Case(
                        "CONNACK with flags 0001",
                        frame(0x21, "0000"),
                        Reason.INVALID_FIXED_HEADER_FLAGS));
        c.add(
                new Case(
                        "PUBACK with flags 0010",
                        frame(0x42, "0001"),
                        Reason.INVALID_FIXED_HEADER_FLAGS));
        c.add(
                new Case(
                        "PUBREC with flags 0010",
                        frame(0x52, "0001"),
                        Reason.INVALID_FIXED_HEADER_FLAGS));
        c.add(
                new Case(
                        "PUBCOMP with flags 0001",
                        frame(0x71, "0001"),
                        Reason.INVALID_FIXED_HEADER_FLAGS));
        c.add(
                new Case(
                        "SUBACK with flags 1000",
                        frame(0x98, "0001", "00"),
                        Reason.INVALID_FIXED_HEADER_FLAGS));
        c.add(
                new Case(
                        "UNSUBACK with flags 0010",
                        frame(0xB2, "0001"),
                        Reason.INVALID_FIXED_HEADER_FLAGS));
        c.add(new Case("PINGREQ with flags 0001", hex("C1 00"), Reason.INVALID_FIXED_HEADER_FLAGS));
        c.add(
                new Case(
                        "PINGRESP with flags 0100",
                        hex("D4 00"),
                        Reason.INVALID_FIXED_HEADER_FLAGS));
        c.add(
                new Case(
                        "DISCONNECT with flags 1000",
                        hex("E8 00"),
                        Reason.INVALID_FIXED_HEADER_FLAGS));
        // PUBLISH flags (§3.3.1)
        c.add(
                new Case(
                        "DUP on a QoS 0 PUBLISH",
                        frame(0x38, str("a/b"), "6869"),
                        Reason.INVALID_FIXED_HEADER_FLAGS));
        c.add(
                new Case(
                        "PUBLISH with QoS 3",
                        frame(0x36, str("a/b"), "0001", "6869"),
                        Reason.INVALID_QOS));
        // CONNECT (§3.1.2)
        c.add(
                new Case(
                        "protocol name MQTX",
                        connect("MQTX", 4, 0x02),
                        Reason.INVALID_PROTOCOL_NAME));
        c.add(
                new Case(
                        "protocol name in lower case",
                        connect("mqtt", 4, 0x02),
                        Reason.INVALID_PROTOCOL_NAME));
        c.add(
                new Case(
                        "protocol MQTT level 5",
                        connect("MQTT", 5, 0x02),
                        Reason.UNSUPPORTED_PROTOCOL_LEVEL));
        c.add(
                new Case(
                        "protocol MQTT with the 3.1 level 3",
                        connect("MQTT", 3, 0x02),
                        Reason.UNSUPPORTED_PROTOCOL_LEVEL));
        c.add(
                new Case(
                        "protocol MQIsdp with level 4",
                        connect("MQIsdp", 4, 0x02),
                        Reason.UNSUPPORTED_PROTOCOL_LEVEL));
        c.add(
                new Case(
                        "reserved CONNECT flag set",
                        connect("MQTT", 4, 0x03),
                        Reason.RESERVED_CONNECT_FLAG));
        c.add(
                new Case(
                        "will QoS 1 without the will flag",
                        connect("MQTT", 4, 0x0A),
                        Reason.INVALID_WILL_FLAGS));
        c.add(
                new Case(
                        "will retain without the will flag",
                        connect("MQTT", 4, 0x22),
                        Reason.INVALID_WILL_FLAGS));
        c.add(
                new Case(
                        "will QoS 3",
                        connect("MQTT", 4, 0x1E, str("w"), field(hex("6279"))),
                        Reason.INVALID_WILL_FLAGS));
        c.add(
                new Case(
                        "password without user name",
                        connect("MQTT", 4, 0x42, field(hex("7077"))),
                        Reason.PASSWORD_WITHOUT_USERNAME));
        c.add(
                new Case(
                        "will topic with a wildcard",
                        connect("MQTT", 4, 0x06, str("a/#"), field(hex("6279"))),
                        Reason.INVALID_TOPIC_NAME));
        // packet identifier 0 (MQTT-2.3.1-1)
        c.add(
                new Case(
                        "QoS 1 PUBLISH with packet id 0",
                        frame(0x32, str("a/b"), "0000", "6869"),
                        Reason.ZERO_PACKET_ID));
        c.add(
                new Case(
                        "QoS 2 PUBLISH with packet id 0",
                        frame(0x34, str("a/b"), "0000", "6869"),
                        Reason.ZERO_PACKET_ID));
        c.add(new Case("PUBACK with packet id 0", frame(0x40, "0000"), Reason.ZERO_PACKET_ID));
        c.add(new Case("PUBREC with packet id 0", frame(0x50, "0000"), Reason.ZERO_PACKET_ID));
        c.add(new Case("PUBREL with packet id 0", frame(0x62, "0000"), Reason.ZERO_PACKET_ID));
        c.add(new Case("PUBCOMP with packet id 0", frame(0x70, "0000"), Reason.ZERO_PACKET_ID));
        c.add(
                new Case(
                        "SUBSCRIBE with packet id 0",
                        frame(0x82, "0000", str("a"), "00"),
                        Reason.ZERO_PACKET_ID));
        c.add(
                new Case(
                        "SUBACK with packet id 0",
                        frame(0x90, "0000", "00"),
                        Reason.ZERO_PACKET_ID));
        c.add(
                new Case(
                        "UNSUBSCRIBE with packet id 0",
                        frame(0xA2, "0000", str("a")),
                        Reason.ZERO_PACKET_ID));
        c.add(new Case("UNSUBACK with packet id 0", frame(0xB0, "0000"), Reason.ZERO_PACKET_ID));
        // UTF-8 strings (§1.5.3)
        c.add(
                new Case(
                        "topic with byte FF",
                        publishWithTopicBytes("61 FF"),
                        Reason.MALFORMED_UTF8));
        c.add(
                new Case(
                        "topic with a lone continuation byte",
                        publishWithTopicBytes("61 80 62"),
                        Reason.MALFORMED_UTF8));
        c.add(
                new Case(
                        "topic ending inside a three-byte sequence",
                        publishWithTopicBytes("61 E4 B8"),
                        Reason.MALFORMED_UTF8));
        c.add(
                new Case(
                        "topic with a lead byte followed by ASCII",
                        publishWithTopicBytes("C3 28"),
                        Reason.MALFORMED_UTF8));
        c.add(
                new Case(
                        "topic with an encoded high surrogate U+D800",
                        publishWithTopicBytes("61 ED A0 80"),
                        Reason.MALFORMED_UTF8));
        c.add(
                new Case(
                        "topic with an encoded low surrogate U+DC00",
                        publishWithTopicBytes("ED B0 80"),
                        Reason.MALFORMED_UTF8));
        c.add(
                new Case(
                        "topic with an overlong two-byte '/'",
                        publishWithTopicBytes("61 C0 AF 62"),
                        Reason.MALFORMED_UTF8));
        c.add(
                new Case(
                        "topic with an overlong three-byte '/'",
                        publishWithTopicBytes("61 E0 80 AF"),
                        Reason.MALFORMED_UTF8));
        c.add(
                new Case(
                        "topic with an overlong four-byte '/'",
                        publishWithTopicBytes("F0 80 80 AF"),
                        Reason.MALFORMED_UTF8));
        c.add(
                new Case(
                        "topic with a code point above U+10FFFF",
                        publishWithTopicBytes("F4 90 80 80"),
                        Reason.MALFORMED_UTF8));
        c.add(
                new Case(
                        "topic with C1, an overlong two-byte lead",
                        publishWithTopicBytes("C1 BF"),
                        Reason.MALFORMED_UTF8));
        c.add(
                new Case(
                        "topic with an overlong U+07FF in three bytes",
                        publishWithTopicBytes("E0 9F BF"),
                        Reason.MALFORMED_UTF8));
        c.add(
                new Case(
                        "topic with an overlong U+FFFF in four bytes",
                        publishWithTopicBytes("F0 8F BF BF"),
                        Reason.MALFORMED_UTF8));
        c.add(
                new Case(
                        "topic with lead byte F5",
                        publishWithTopicBytes("F5 80 80 80"),
                        Reason.MALFORMED_UTF8));
        c.add(
                new Case(
                        "topic with ASCII as a third byte",
                        publishWithTopicBytes("E1 80 41"),
                        Reason.MALFORMED_UTF8));
        c.add(
                new Case(
                        "topic with ASCII as a fourth byte",
                        publishWithTopicBytes("F1 80 80 41"),
                        Reason.MALFORMED_UTF8));
        c.add(
                new Case(
                        "topic containing U+0000",
                        publishWithTopicBytes("61 00 62"),
                        Reason.MALFORMED_UTF8));
        c.add(
                new Case(
                        "non-ASCII topic containing U+0000",
                        publishWithTopicBytes("C3 A9 00"),
                        Reason.MALFORMED_UTF8));
        c.add(
                new Case(
                        "client id containing U+0000",
                        frame(0x10, str("MQTT"), "04", "02", "003C", field(hex("63 00 31"))),
                        Reason.MALFORMED_UTF8));
        c.add(
                new Case(
                        "user name with an encoded surrogate",
                        connect("MQTT", 4, 0x82, field(hex("75 ED BF BF"))),
                        Reason.MALFORMED_UTF8));
        c.add(
                new Case(
                        "subscription filter with the modified-UTF-8 NUL C0 80",
                        frame(0x82, "0001", field(hex("61 C0 80")), "00"),
                        Reason.MALFORMED_UTF8));
        // topic names and filters (§4.7)
        c.add(
                new Case(
                        "'+' in a PUBLISH topic",
                        frame(0x30, str("a/+/c"), "6869"),
                        Reason.INVALID_TOPIC_NAME));
        c.add(
                new Case(
                        "'#' in a PUBLISH topic",
                        frame(0x32, str("a/#"), "0001", "6869"),
                        Reason.INVALID_TOPIC_NAME));
        c.add(
                new Case(
                        "empty PUBLISH topic",
                        frame(0x30, "0000", "6869"),
                        Reason.INVALID_TOPIC_NAME));
        c.add(
                new Case(
                        "SUBSCRIBE filter with '#' not last",
                        frame(0x82, "0001", str("a/#/b"), "00"),
                        Reason.INVALID_TOPIC_FILTER));
        c.add(
                new Case(
                        "SUBSCRIBE filter with '+' sharing its level",
                        frame(0x82, "0001", str("a+"), "00"),
                        Reason.INVALID_TOPIC_FILTER));
        c.add(
                new Case(
                        "SUBSCRIBE with an empty filter",
                        frame(0x82, "0001", "0000", "00"),
                        Reason.INVALID_TOPIC_FILTER));
        c.add(
                new Case(
                        "second SUBSCRIBE filter invalid",
                        frame(0x82, "0001", str("a/b"), "01", str("sport#"), "00"),
                        Reason.INVALID_TOPIC_FILTER));
        c.add(
                new Case(
                        "UNSUBSCRIBE filter with '#' sharing its level",
                        frame(0xA2, "0001", str("sport#")),
                        Reason.INVALID_TOPIC_FILTER));
        // SUBSCRIBE / UNSUBSCRIBE / SUBACK (§3.8-3.10)
        c.add(
                new Case(
                        "SUBSCRIBE without a filter",
                        frame(0x82, "0001"),
                        Reason.EMPTY_SUBSCRIPTION_LIST));
        c.add(
                new Case(
                        "UNSUBSCRIBE without a filter",
                        frame(0xA2, "0001"),
                        Reason.EMPTY_SUBSCRIPTION_LIST));
        c.add(
                new Case(
                        "reserved bits in the requested QoS byte",
                        frame(0x82, "0001", str("a"), "04"),
                        Reason.RESERVED_SUBSCRIPTION_BITS));
        c.add(
                new Case(
                        "reserved high bit in the requested QoS byte",
                        frame(0x82, "0001", str("a"), "81"),
                        Reason.RESERVED_SUBSCRIPTION_BITS));
        c.add(
                new Case(
                        "subscription with QoS 3",
                        frame(0x82, "0001", str("a"), "03"),
                        Reason.INVALID_QOS));
        c.add(
                new Case(
                        "SUBACK without a return code",
                        frame(0x90, "0001"),
                        Reason.EMPTY_SUBSCRIPTION_LIST));
        c.add(
                new Case(
                        "SUBACK return code 0x03",
                        frame(0x90, "0001", "03"),
                        Reason.INVALID_SUBACK_RETURN_CODE));
        c.add(
                new Case(
                        "SUBACK return code 0x81 after a valid one",
                        frame(0x90, "0001", "01", "81"),
                        Reason.INVALID_SUBACK_RETURN_CODE));
        // CONNACK (§3.2.2)
        c.add(
                new Case(
                        "CONNACK with reserved flag bits",
                        frame(0x20, "0200"),
                        Reason.INVALID_CONNACK));
        c.add(
                new Case(
                        "CONNACK with reserved return code 6",
                        frame(0x20, "0006"),
                        Reason.INVALID_CONNACK));
        c.add(
                new Case(
                        "CONNACK with session present on a refusal",
                        frame(0x20, "0105"),
                        Reason.INVALID_CONNACK));
        // fields cut short by the remaining length
        c.add(new Case("CONNECT with an empty body", hex("10 00"), Reason.TRUNCATED));
        c.add(
                new Case(
                        "CONNECT whose client id runs past the frame",
                        frame(0x10, str("MQTT"), "04", "02", "003C", "0005 6162"),
                        Reason.TRUNCATED));
        c.add(
                new Case(
                        "CONNECT with the password flag but no password",
                        connect("MQTT", 4, 0xC2, str("u")),
                        Reason.TRUNCATED));
        c.add(
                new Case(
                        "CONNECT with the will flag but no will message",
                        connect("MQTT", 4, 0x06, str("w")),
                        Reason.TRUNCATED));
        c.add(new Case("CONNACK of one byte", hex("20 01 00"), Reason.TRUNCATED));
        c.add(new Case("PUBLISH of one byte", hex("30 01 00"), Reason.TRUNCATED));
        c.add(
                new Case(
                        "PUBLISH whose topic runs past the frame",
                        frame(0x30, "0005", "6162"),
                        Reason.TRUNCATED));
        c.add(
                new Case(
                        "QoS 1 PUBLISH without room for its packet id",
                        frame(0x32, str("a/b"), "00"),
                        Reason.TRUNCATED));
        c.add(new Case("PUBACK of one byte", hex("40 01 00"), Reason.TRUNCATED));
        c.add(new Case("PUBREL without a body", hex("62 00"), Reason.TRUNCATED));
        c.add(
                new Case(
                        "SUBSCRIBE filter without its QoS byte",
                        frame(0x82, "0001", str("a")),
                        Reason.TRUNCATED));
        c.add(
                new Case(
                        "UNSUBSCRIBE filter cut short",
                        frame(0xA2, "0001", "0003", "61"),
                        Reason.TRUNCATED));
        c.add(
                new Case(
                        "PUBLISH of over 4 KiB whose topic runs past its body (a large frame's topic is read first)",
                        frame(0x32, "1770", "61".repeat(5000)),
                        Reason.TRUNCATED));
        c.add(
                new Case(
                        "SUBSCRIBE of over 4 KiB whose last filter runs past its body",
                        frame(0x82, "0001", str("a".repeat(5000)), "01", "0005 6162"),
                        Reason.TRUNCATED));
        // bytes after the last field
        c.add(new Case("PINGREQ with a body", hex("C0 01 00"), Reason.TRAILING_BYTES));
        c.add(new Case("PINGRESP with a body", hex("D0 02 00 00"), Reason.TRAILING_BYTES));
        c.add(new Case("DISCONNECT with a body", hex("E0 01 00"), Reason.TRAILING_BYTES));
        c.add(new Case("PUBACK of three bytes", hex("40 03 00 01 00"), Reason.TRAILING_BYTES));
        c.add(new Case("PUBCOMP of four bytes", hex("70 04 00 01 00 01"), Reason.TRAILING_BYTES));
        c.add(new Case("CONNACK of three bytes", hex("20 03 00 00 00"), Reason.TRAILING_BYTES));
        c.add(new Case("UNSUBACK of three bytes", hex("B0 03 00 01 00"), Reason.TRAILING_BYTES));
        c.add(
                new Case(
                        "CONNECT with a byte after its last field",
                        connect("MQTT", 4, 0x02, "00"),
                        Reason.TRAILING_BYTES));
        return c;
    }

    /** {@code bytes} without their first byte. */
    private static byte[] tail(byte[] bytes) {
        byte[] t = new byte[bytes.length - 1];
        System.arraycopy(bytes, 1, t, 0, t.length);
        return t;
    }

    @Test
    void everyReasonTheDecoderCanRaiseHasACase() {
        Set<Reason> covered =
                cases().stream()
                        .map(Case::reason)
                        .collect(Collectors.toCollection(() -> EnumSet.noneOf(Reason.class)));
        // UNEXPECTED_PACKET is a flow rule of the handlers; MALFORMED_PACKET only backs up the
        // named reasons
        assertThat(covered)
                .containsAll(
                        EnumSet.complementOf(
                                EnumSet.of(Reason.UNEXPECTED_PACKET, Reason.MALFORMED_PACKET)));
        assertThat(cases()).hasSizeGreaterThanOrEqualTo(30);
        assertThat(cases()).extracting(Case::rule).doesNotHaveDuplicates();
    }

    @TestFactory
    Stream<DynamicTest> malformedFrameIsRefusedWithTheReasonOfTheRuleItBreaks() {
        // a heap buffer is decoded from its own array, a direct one through a copy: both must
        // refuse alike
        return cases().stream()
                .flatMap(
                        c ->
                                Stream.of(
                                        DynamicTest.dynamicTest(
                                                c.rule() + " -> " + c.reason(),
                                                () -> assertRefused(c, WireBytes::buffer)),
                                        DynamicTest.dynamicTest(
                                                c.rule() + " (direct buffer) -> " + c.reason(),
                                                () -> assertRefused(c, WireBytes::directBuffer))));
    }

    private static void assertRefused(Case c, Function<byte[], ByteBuf> buffers) {
        ExceptionRecorder recorder = new ExceptionRecorder();
        EmbeddedChannel ch = new EmbeddedChannel(new MqttDecoder(c.maxPacketSize()), recorder);
        // a valid PINGREQ follows the bad frame in the same read: it must be discarded, not decoded
        ByteBuf in = buffers.apply(c.headerOnly() ? c.bytes() : concat(c.bytes(), PINGREQ));
        ch.writeInbound(in);

        assertThat(recorder.errors).as("exceptions seen after the decoder").hasSize(1);
        Throwable error = recorder.errors.get(0);
        assertThat(error).isInstanceOf(MqttProtocolException.class);
        assertThat(((MqttProtocolException) error).reason()).isEqualTo(c.reason());
        assertThat(ch.isOpen()).as("channel open after a malformed frame").isFalse();
        assertThat((Object) ch.readInbound())
                .as("packet decoded from or after the malformed frame")
                .isNull();
        assertThat(in.refCnt()).as("input buffer released").isZero();

        ch.checkException(); // nothing reached the end of the pipeline
        assertThat(ch.finishAndReleaseAll()).isFalse();

        assertLaterReadsAreDiscarded(c);
    }

    /**
     * A close takes effect later on a real event loop, and more reads may already be queued: keep
     * the channel open by holding back the close, and check the decoder drops what arrives after
     * the malformed frame.
     */
    private static void assertLaterReadsAreDiscarded(Case c) {
        CloseHolder closeHolder = new CloseHolder();
        ExceptionRecorder recorder = new ExceptionRecorder();
        EmbeddedChannel ch =
                new EmbeddedChannel(closeHolder, new MqttDecoder(c.maxPacketSize()), recorder);
        ch.writeInbound(WireBytes.buffer(c.bytes()));
        assertThat(closeHolder.closeRequested).as("decoder asked to close").isTrue();
        ByteBuf later = WireBytes.buffer(concat(PINGREQ, SeedFrames.bytes("puback-7b22")));
        ch.writeInbound(later);
        assertThat((Object) ch.readInbound())
                .as("packet decoded after the malformed frame")
                .isNull();
        assertThat(later.refCnt()).isZero();
        assertThat(recorder.errors).hasSize(1);
        ch.checkException();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    /** Notes a close request and holds it back, as if the close were still on its way. */
    static final class CloseHolder extends ChannelOutboundHandlerAdapter {
        boolean closeRequested;

        @Override
        public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
            closeRequested = true;
        }
    }

    @Test
    void packetsBeforeTheMalformedFrameAreDeliveredThoseAfterItAreNot() {
        ExceptionRecorder recorder = new ExceptionRecorder();
        EmbeddedChannel ch = new EmbeddedChannel(new MqttDecoder(), recorder);
        ch.writeInbound(
                WireBytes.buffer(
                        concat(
                                SeedFrames.bytes("puback-7b22"),
                                PINGREQ,
                                hex("40 01 00"),
                                SeedFrames.bytes("pingresp"),
                                SeedFrames.bytes("puback-7b22"))));
        assertThat((Object) ch.readInbound()).isEqualTo(new PubAck(0x7B22));
        assertThat((Object) ch.readInbound()).isSameAs(PingReq.INSTANCE);
        assertThat((Object) ch.readInbound()).isNull();
        assertThat(recorder.errors)
                .singleElement()
                .satisfies(
                        e ->
                                assertThat(((MqttProtocolException) e).reason())
                                        .isEqualTo(Reason.TRUNCATED));
        assertThat(ch.isOpen()).isFalse();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aFrameOfExactlyTheMaximumSizeIsAcceptedOneByteMoreIsRefused() {
        byte[] publish = frame(0x30, str("a"), "68 69 6A"); // 2 + 3 + 3 = 8 bytes
        assertThat(publish).hasSize(8);

        EmbeddedChannel atLimit = new EmbeddedChannel(new MqttDecoder(8));
        atLimit.writeInbound(WireBytes.buffer(publish));
        assertThat((Object) atLimit.readInbound()).isEqualTo(Publish.qos0("a", "hij"));
        assertThat(atLimit.finishAndReleaseAll()).isFalse();

        ExceptionRecorder recorder = new ExceptionRecorder();
        EmbeddedChannel overLimit = new EmbeddedChannel(new MqttDecoder(7), recorder);
        overLimit.writeInbound(WireBytes.buffer(publish, 0, 2)); // the fixed header only
        assertThat(recorder.errors)
                .singleElement()
                .satisfies(
                        e ->
                                assertThat(((MqttProtocolException) e).reason())
                                        .isEqualTo(Reason.PACKET_TOO_LARGE));
        assertThat(overLimit.isOpen()).isFalse();
        assertThat(overLimit.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aHandlerAfterTheDecoderCanAnswerConnAck01BeforeTheChannelCloses() {
        EmbeddedChannel ch =
                new EmbeddedChannel(
                        new MqttDecoder(),
                        MqttEncoder.INSTANCE,
                        new ChannelInboundHandlerAdapter() {
                            @Override
                            public void exceptionCaught(
                                    ChannelHandlerContext ctx, Throwable cause) {
                                if (cause instanceof MqttProtocolException e
                                        && e.reason() == Reason.UNSUPPORTED_PROTOCOL_LEVEL) {
                                    ctx.writeAndFlush(
                                            ConnAck.refused(
                                                    ConnectReturnCode
                                                            .UNACCEPTABLE_PROTOCOL_VERSION));
                                }
                            }
                        });
        ch.writeInbound(WireBytes.buffer(connect("MQTT", 5, 0x02)));
        assertThat(WireBytes.drain(ch.readOutbound())).isEqualTo(hex("20 02 00 01"));
        assertThat(ch.isOpen()).isFalse();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    /** Records what reaches {@code exceptionCaught} after the decoder and stops it there. */
    static final class ExceptionRecorder extends ChannelInboundHandlerAdapter {
        final List<Throwable> errors = new ArrayList<>();

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            errors.add(cause);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof MqttPacket)) {
                errors.add(new AssertionError("decoder emitted " + msg));
            }
            ctx.fireChannelRead(msg);
        }
    }
}
