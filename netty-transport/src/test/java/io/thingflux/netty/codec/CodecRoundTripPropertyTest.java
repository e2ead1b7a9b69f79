package io.thingflux.netty.codec;

import static io.thingflux.netty.testing.SeededCases.between;
import static io.thingflux.netty.testing.SeededCases.bytes;
import static io.thingflux.netty.testing.SeededCases.list;
import static io.thingflux.netty.testing.SeededCases.oneOf;
import static io.thingflux.netty.testing.SeededCases.weighted;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
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
import io.thingflux.mqtt.PubComp;
import io.thingflux.mqtt.PubRec;
import io.thingflux.mqtt.PubRel;
import io.thingflux.mqtt.Publish;
import io.thingflux.mqtt.SubAck;
import io.thingflux.mqtt.SubAckReturnCode;
import io.thingflux.mqtt.Subscribe;
import io.thingflux.mqtt.Subscription;
import io.thingflux.mqtt.UnsubAck;
import io.thingflux.mqtt.Unsubscribe;
import io.thingflux.mqtt.Will;
import io.thingflux.netty.testing.SeededCases;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Random valid packets of all fourteen types (non-ASCII and supplementary-plane topics, payloads
 * from empty to ~70 KB across the {@link MqttEncoder#WRAP_THRESHOLD}, every QoS and flag, wills and
 * credentials) come back equal after the encoder and the decoder. Cases come from fixed seeds
 * ({@link SeededCases}); the Netty leak extension checks every test for leaked buffers.
 */
class CodecRoundTripPropertyTest {

    @Test
    void packetEncodedByTheEncoderHandlerDecodesToAnEqualPacket() {
        SeededCases.check(
                0x5EED_0001L,
                1000,
                CodecRoundTripPropertyTest::packet,
                CodecRoundTripPropertyTest::encoderHandlerRoundTrip);
    }

    private static void encoderHandlerRoundTrip(MqttPacket packet) {
        EmbeddedChannel encoder = new EmbeddedChannel(MqttEncoder.INSTANCE);
        EmbeddedChannel decoder = new EmbeddedChannel(new MqttDecoder());
        List<ByteBuf> written = new ArrayList<>();
        try {
            encoder.writeOutbound(packet);
            for (Object o = encoder.readOutbound(); o != null; o = encoder.readOutbound()) {
                written.add((ByteBuf) o);
            }
            boolean wrapped =
                    packet instanceof Publish p && p.payloadLength() >= MqttEncoder.WRAP_THRESHOLD;
            assertThat(written).hasSize(wrapped ? 2 : 1);

            byte[] handlerBytes = new byte[0];
            for (ByteBuf buf : written) {
                handlerBytes = WireBytes.concat(handlerBytes, ByteBufUtil.getBytes(buf));
            }
            assertThat(handlerBytes)
                    .as("handler and static encode agree")
                    .isEqualTo(WireBytes.drain(MqttEncoder.encode(WireBytes.TRACKED, packet)));

            for (ByteBuf buf : written) {
                decoder.writeInbound(
                        buf.retain()); // header and wrapped payload arrive as separate reads
            }
            assertThat((Object) decoder.readInbound()).isEqualTo(packet);
            assertThat((Object) decoder.readInbound()).isNull();
            assertThat(decoder.isOpen()).isTrue();
        } finally {
            written.forEach(ByteBuf::release);
            encoder.finishAndReleaseAll();
            decoder.finishAndReleaseAll();
        }
    }

    /** Packets of one stream and the seed of the places it is cut at. */
    record CutStream(List<MqttPacket> packets, long cutSeed) {}

    @Test
    void packetsInOneStreamCutAtRandomPlacesDecodeInOrder() {
        SeededCases.check(
                0x5EED_0002L,
                200,
                r -> new CutStream(packetStream(r), r.nextLong()),
                stream -> cutStreamDecodesInOrder(stream.packets(), stream.cutSeed()));
    }

    private static void cutStreamDecodesInOrder(List<MqttPacket> packets, long cutSeed) {
        byte[] stream = new byte[0];
        for (MqttPacket p : packets) {
            stream =
                    WireBytes.concat(
                            stream, WireBytes.drain(MqttEncoder.encode(WireBytes.TRACKED, p)));
        }
        Random cuts = new Random(cutSeed);
        EmbeddedChannel decoder = new EmbeddedChannel(new MqttDecoder());
        try {
            List<Object> decoded = new ArrayList<>();
            for (int from = 0; from < stream.length; ) {
                int to =
                        Math.min(
                                stream.length,
                                from + 1 + cuts.nextInt(cuts.nextBoolean() ? 8 : 4096));
                decoder.writeInbound(WireBytes.buffer(stream, from, to));
                for (Object o = decoder.readInbound(); o != null; o = decoder.readInbound()) {
                    decoded.add(o);
                }
                from = to;
            }
            assertThat(decoded).containsExactlyElementsOf(packets);
        } finally {
            decoder.finishAndReleaseAll();
        }
    }

    /**
     * A heap buffer is decoded from its own array, a direct one through one copy of the body (the
     * topic and packet id only for a PUBLISH above 4 KiB): every packet, small or large, decodes
     * alike from a heap buffer, a direct buffer, and a direct buffer holding the frame after other
     * bytes.
     */
    @Test
    void aFrameDecodesAlikeFromHeapAndDirectBuffersSmallOrLarge() {
        SeededCases.check(
                0x5EED_0003L,
                300,
                CodecRoundTripPropertyTest::smallOrLargePacket,
                CodecRoundTripPropertyTest::decodesAlikeFromHeapAndDirect);
    }

    private static void decodesAlikeFromHeapAndDirect(MqttPacket packet) {
        byte[] frame = WireBytes.drain(MqttEncoder.encode(WireBytes.TRACKED, packet));
        ByteBuf atOffset = WireBytes.TRACKED_DIRECT.directBuffer(frame.length + 7);
        atOffset.writeBytes(new byte[7]).writeBytes(frame).skipBytes(7);
        for (ByteBuf in :
                List.of(WireBytes.buffer(frame), WireBytes.directBuffer(frame), atOffset)) {
            EmbeddedChannel decoder =
                    new EmbeddedChannel(new MqttDecoder(MqttDecoder.PROTOCOL_MAX_PACKET_SIZE));
            try {
                decoder.writeInbound(in);
                assertThat((Object) decoder.readInbound())
                        .as(in.isDirect() ? "direct" : "heap")
                        .isEqualTo(packet);
                assertThat(in.refCnt()).isZero();
            } finally {
                decoder.finishAndReleaseAll();
            }
        }
    }

    // ---- generators

    private static MqttPacket smallOrLargePacket(SplittableRandom r) {
        // large: a topic or filters of several KiB (a PUBLISH's topic alone can exceed the
        // decoder's scratch array)
        switch (weighted(r, 3, 1, 1)) {
            case 0 -> {
                return packet(r);
            }
            case 1 -> {
                String topic = letters(r, 3_000, 6_000);
                MqttQos qos = qos(r);
                int id = packetId(r);
                byte[] payload = payload(r, 20_000);
                return qos == MqttQos.AT_MOST_ONCE
                        ? new Publish(topic, qos, false, false, 0, payload)
                        : new Publish(topic, qos, false, false, id, payload);
            }
            default -> {
                int id = packetId(r);
                return new Subscribe(
                        id,
                        list(
                                r,
                                1,
                                3,
                                g ->
                                        new Subscription(
                                                letters(g, 3_000, 6_000), MqttQos.AT_LEAST_ONCE)));
            }
        }
    }

    private static List<MqttPacket> packetStream(SplittableRandom r) {
        // PUBLISH-heavy, so that one decoder sees topics repeat and look alike
        return list(r, 1, 6, g -> weighted(g, 1, 2) == 0 ? packet(g) : publish(g));
    }

    private static MqttPacket packet(SplittableRandom r) {
        return switch (r.nextInt(16)) {
            case 0 -> connect(r);
            case 1 -> connAck(r);
            case 2, 3, 4 -> publish(r);
            case 5 -> new PubAck(packetId(r));
            case 6 -> new PubRec(packetId(r));
            case 7 -> new PubRel(packetId(r));
            case 8 -> new PubComp(packetId(r));
            case 9 -> subscribe(r);
            case 10 -> subAck(r);
            case 11 -> unsubscribe(r);
            case 12 -> new UnsubAck(packetId(r));
            case 13 -> PingReq.INSTANCE;
            case 14 -> PingResp.INSTANCE;
            default -> Disconnect.INSTANCE;
        };
    }

    // ---- fields

    private static int packetId(SplittableRandom r) {
        return between(r, 1, 65_535);
    }

    private static MqttQos qos(SplittableRandom r) {
        return oneOf(r, MqttQos.values());
    }

    /**
     * Pieces strings are made of: ASCII, Latin-1, CJK (3 bytes) and a supplementary character (4
     * bytes, two chars).
     */
    private static final String[] PIECES = {
        "a",
        "b",
        "z",
        "Q",
        "0",
        "9",
        " ",
        "-",
        "_",
        "$",
        ".",
        "|",
        "&",
        "=",
        "é",
        "ß",
        "ü",
        "中",
        "温",
        "度",
        "😀",
        "𝄞",
        "\u007F",
        "\u0080",
        "\u07FF",
        "\u0800",
        "\uFFFD",
        // allowed although discouraged (MQTT-1.5.3-3: a U+FEFF must not be stripped), and the last
        // BMP code points
        "\u0001",
        "\u001F",
        "\u009F",
        "\uFEFF",
        "\uFFFF",
        "\uDBFF\uDFFF"
    };

    private static String text(SplittableRandom r, int minPieces, int maxPieces) {
        return String.join("", list(r, minPieces, maxPieces, g -> oneOf(g, PIECES)));
    }

    /** {@code min..max} characters from {@code first..last}. */
    private static String chars(SplittableRandom r, char first, char last, int min, int max) {
        char[] c = new char[between(r, min, max)];
        for (int i = 0; i < c.length; i++) {
            c[i] = (char) r.nextInt(first, last + 1);
        }
        return new String(c);
    }

    private static String letters(SplittableRandom r, int min, int max) {
        return chars(r, 'a', 'z', min, max);
    }

    /**
     * Mostly short, now and then thousands of characters (up to 3 * 12_000 + ... bytes, under
     * 65535).
     */
    private static String string(SplittableRandom r, int minPieces) {
        return switch (weighted(r, 12, 1, 1)) {
            case 0 -> text(r, minPieces, 12);
            case 1 -> letters(r, Math.max(minPieces, 1000), 20_000);
            default -> chars(r, '\u4e00', '\u4fff', Math.max(minPieces, 100), 21_845);
        };
    }

    private static String topicName(SplittableRandom r) {
        String t;
        do {
            t = String.join("/", list(r, 1, 6, g -> text(g, 0, 6)));
        } while (t.isEmpty());
        return t;
    }

    private static String topicFilter(SplittableRandom r) {
        String f;
        do {
            List<String> levels = list(r, 1, 6, g -> weighted(g, 5, 1) == 0 ? text(g, 0, 6) : "+");
            boolean multi = r.nextBoolean();
            f = String.join("/", levels);
            f = multi ? (f.isEmpty() ? "#" : f + "/#") : f;
        } while (f.isEmpty());
        return f;
    }

    private static final int[] PAYLOAD_EDGES = {
        0, 1, 127, 128, 1022, 1023, 1024, 1025, 16_383, 16_384, 65_535
    };

    /**
     * Sizes biased to the edges that matter: empty, around the wrap threshold, the varint steps,
     * ~70 KB.
     */
    private static int payloadSize(SplittableRandom r, int max) {
        return switch (weighted(r, 4, 4, 2, 2)) {
            case 0 -> between(r, 0, max);
            case 1 -> between(r, 0, 200);
            case 2 -> {
                int[] edges = Arrays.stream(PAYLOAD_EDGES).filter(n -> n <= max).toArray();
                yield edges[r.nextInt(edges.length)];
            }
            default -> between(r, 900, 1200);
        };
    }

    private static byte[] payload(SplittableRandom r, int max) {
        return bytes(r, payloadSize(r, max));
    }

    // ---- packets

    /**
     * Topics of one length that differ in a single byte, so a stream repeats and confuses them if
     * it can.
     */
    private static final String[] LOOKALIKE_TOPICS = {
        "/sys/a1wFylTxYeD/co_0001/thing/event/property/post",
        "/sys/a1wFylTxYeD/co_0001/thing/event/property/posT",
        "/sys/a1wFylTxYeD/co_0002/thing/event/property/post",
        "+sys/a1wFylTxYeD/co_0001/thing/event/property/post".replace('+', 'X'),
        "/sys/a1wFylTxYeD/co_0001/thing/event/propertY/post",
        "温度/1",
        "温度/2"
    };

    private static Publish publish(SplittableRandom r) {
        String topic = weighted(r, 3, 2) == 0 ? topicName(r) : oneOf(r, LOOKALIKE_TOPICS);
        MqttQos qos = qos(r);
        boolean dup = r.nextBoolean();
        boolean retain = r.nextBoolean();
        int id = packetId(r);
        byte[] payload = payload(r, 70_000);
        return qos == MqttQos.AT_MOST_ONCE
                ? new Publish(topic, qos, false, retain, 0, payload)
                : new Publish(topic, qos, dup, retain, id, payload);
    }

    private static Will will(SplittableRandom r) {
        return new Will(topicName(r), payload(r, 65_535), qos(r), r.nextBoolean());
    }

    private static Connect connect(SplittableRandom r) {
        int level = r.nextBoolean() ? Connect.MQTT_3_1_1 : Connect.MQTT_3_1;
        String clientId = string(r, 0);
        boolean clean = r.nextBoolean();
        int keepAlive = between(r, 0, 65_535);
        Will will = r.nextDouble() < 0.4 ? null : will(r);
        String username = r.nextDouble() < 0.3 ? null : string(r, 0);
        byte[] password = r.nextDouble() < 0.3 ? null : payload(r, 300);
        return new Connect(
                level,
                clientId,
                clean,
                keepAlive,
                will,
                username,
                username == null ? null : password);
    }

    private static ConnAck connAck(SplittableRandom r) {
        boolean session = r.nextBoolean();
        ConnectReturnCode code = oneOf(r, ConnectReturnCode.values());
        return new ConnAck(session && code == ConnectReturnCode.ACCEPTED, code);
    }

    private static Subscribe subscribe(SplittableRandom r) {
        int id = packetId(r);
        return new Subscribe(id, list(r, 1, 8, g -> new Subscription(topicFilter(g), qos(g))));
    }

    private static SubAck subAck(SplittableRandom r) {
        int id = packetId(r);
        return new SubAck(id, list(r, 1, 8, g -> oneOf(g, SubAckReturnCode.values())));
    }

    private static Unsubscribe unsubscribe(SplittableRandom r) {
        int id = packetId(r);
        return new Unsubscribe(id, list(r, 1, 8, CodecRoundTripPropertyTest::topicFilter));
    }
}
