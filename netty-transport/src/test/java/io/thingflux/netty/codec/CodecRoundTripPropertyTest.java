package io.thingflux.netty.codec;

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
import io.thingflux.netty.testing.NettyLeakDetectionExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterProperty;

/**
 * Random valid packets of all fourteen types (non-ASCII and supplementary-plane topics, payloads from empty to
 * ~70 KB across the {@link MqttEncoder#WRAP_THRESHOLD}, every QoS and flag, wills and credentials) come back
 * equal after the encoder and the decoder.
 */
class CodecRoundTripPropertyTest {

    @Property
    void packetEncodedByTheEncoderHandlerDecodesToAnEqualPacket(@ForAll("packets") MqttPacket packet) {
        EmbeddedChannel encoder = new EmbeddedChannel(MqttEncoder.INSTANCE);
        EmbeddedChannel decoder = new EmbeddedChannel(new MqttDecoder());
        List<ByteBuf> written = new ArrayList<>();
        try {
            encoder.writeOutbound(packet);
            for (Object o = encoder.readOutbound(); o != null; o = encoder.readOutbound()) {
                written.add((ByteBuf) o);
            }
            boolean wrapped = packet instanceof Publish p && p.payloadLength() >= MqttEncoder.WRAP_THRESHOLD;
            assertThat(written).hasSize(wrapped ? 2 : 1);

            byte[] handlerBytes = new byte[0];
            for (ByteBuf buf : written) {
                handlerBytes = WireBytes.concat(handlerBytes, ByteBufUtil.getBytes(buf));
            }
            assertThat(handlerBytes).as("handler and static encode agree")
                    .isEqualTo(WireBytes.drain(MqttEncoder.encode(WireBytes.TRACKED, packet)));

            for (ByteBuf buf : written) {
                decoder.writeInbound(buf.retain()); // header and wrapped payload arrive as separate reads
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

    @Property(tries = 200)
    void packetsInOneStreamCutAtRandomPlacesDecodeInOrder(@ForAll("packetStreams") List<MqttPacket> packets,
                                                           @ForAll long cutSeed) {
        byte[] stream = new byte[0];
        for (MqttPacket p : packets) {
            stream = WireBytes.concat(stream, WireBytes.drain(MqttEncoder.encode(WireBytes.TRACKED, p)));
        }
        Random cuts = new Random(cutSeed);
        EmbeddedChannel decoder = new EmbeddedChannel(new MqttDecoder());
        try {
            List<Object> decoded = new ArrayList<>();
            for (int from = 0; from < stream.length; ) {
                int to = Math.min(stream.length, from + 1 + cuts.nextInt(cuts.nextBoolean() ? 8 : 4096));
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
     * A heap buffer is decoded from its own array, a direct one through one copy of the body (the topic and packet
     * id only for a PUBLISH above 4 KiB): every packet, small or large, decodes alike from a heap buffer, a direct
     * buffer, and a direct buffer holding the frame after other bytes.
     */
    @Property(tries = 300)
    void aFrameDecodesAlikeFromHeapAndDirectBuffersSmallOrLarge(@ForAll("smallAndLargePackets") MqttPacket packet) {
        byte[] frame = WireBytes.drain(MqttEncoder.encode(WireBytes.TRACKED, packet));
        ByteBuf atOffset = WireBytes.TRACKED_DIRECT.directBuffer(frame.length + 7);
        atOffset.writeBytes(new byte[7]).writeBytes(frame).skipBytes(7);
        for (ByteBuf in : List.of(WireBytes.buffer(frame), WireBytes.directBuffer(frame), atOffset)) {
            EmbeddedChannel decoder = new EmbeddedChannel(new MqttDecoder(MqttDecoder.PROTOCOL_MAX_PACKET_SIZE));
            try {
                decoder.writeInbound(in);
                assertThat((Object) decoder.readInbound()).as(in.isDirect() ? "direct" : "heap").isEqualTo(packet);
                assertThat(in.refCnt()).isZero();
            } finally {
                decoder.finishAndReleaseAll();
            }
        }
    }

    @Provide
    Arbitrary<MqttPacket> smallAndLargePackets() {
        // large: a topic or filters of several KiB (a PUBLISH's topic alone can exceed the decoder's scratch array)
        Arbitrary<String> longNames = Arbitraries.strings().withCharRange('a', 'z').ofMinLength(3_000).ofMaxLength(6_000);
        Arbitrary<Publish> longTopics = Combinators.combine(longNames, Arbitraries.of(MqttQos.class), packetIds(),
                payloads(20_000)).as((topic, qos, id, payload) -> qos == MqttQos.AT_MOST_ONCE
                        ? new Publish(topic, qos, false, false, 0, payload)
                        : new Publish(topic, qos, false, false, id, payload));
        Arbitrary<Subscribe> manyFilters = Combinators.combine(packetIds(),
                longNames.map(f -> new Subscription(f, MqttQos.AT_LEAST_ONCE)).list().ofMinSize(1).ofMaxSize(3))
                .as(Subscribe::new);
        return Arbitraries.frequencyOf(Tuple.of(3, packets()), Tuple.of(1, longTopics), Tuple.of(1, manyFilters));
    }

    @AfterProperty
    void noBufferLeaked() {
        // jqwik is its own engine: the JUnit leak extension does not run here, so check explicitly
        assertThat(NettyLeakDetectionExtension.collectLeaks()).isEmpty();
    }

    @Provide
    Arbitrary<List<MqttPacket>> packetStreams() {
        // PUBLISH-heavy, so that one decoder sees topics repeat and look alike
        return Arbitraries.frequencyOf(Tuple.of(1, packets()), Tuple.of(2, publishes())).list().ofMinSize(1).ofMaxSize(6);
    }

    @Provide
    Arbitrary<MqttPacket> packets() {
        return Arbitraries.oneOf(List.of(
                connects(), connAcks(), publishes(), publishes(), publishes(),
                packetIds().map(PubAck::new), packetIds().map(PubRec::new),
                packetIds().map(PubRel::new), packetIds().map(PubComp::new),
                subscribes(), subAcks(), unsubscribes(), packetIds().map(UnsubAck::new),
                Arbitraries.just(PingReq.INSTANCE), Arbitraries.just(PingResp.INSTANCE),
                Arbitraries.just(Disconnect.INSTANCE)));
    }

    // ---- fields

    private static Arbitrary<Integer> packetIds() {
        return Arbitraries.integers().between(1, 65_535);
    }

    /** Pieces strings are made of: ASCII, Latin-1, CJK (3 bytes) and a supplementary character (4 bytes, two chars). */
    private static final String[] PIECES = {"a", "b", "z", "Q", "0", "9", " ", "-", "_", "$", ".", "|", "&", "=",
        "é", "ß", "ü", "中", "温", "度", "😀", "𝄞", "\u007F", "\u0080", "\u07FF", "\u0800", "\uFFFD",
        // allowed although discouraged (MQTT-1.5.3-3: a U+FEFF must not be stripped), and the last BMP code points
        "\u0001", "\u001F", "\u009F", "\uFEFF", "\uFFFF", "\uDBFF\uDFFF"};

    private static Arbitrary<String> text(int minPieces, int maxPieces) {
        return Arbitraries.of(PIECES).list().ofMinSize(minPieces).ofMaxSize(maxPieces).map(l -> String.join("", l));
    }

    /** Mostly short, now and then thousands of characters (up to 3 * 12_000 + ... bytes, under 65535). */
    private static Arbitrary<String> strings(int minPieces) {
        return Arbitraries.frequencyOf(
                Tuple.of(12, text(minPieces, 12)),
                Tuple.of(1, Arbitraries.strings().withCharRange('a', 'z').ofMinLength(Math.max(minPieces, 1000)).ofMaxLength(20_000)),
                Tuple.of(1, Arbitraries.strings().withCharRange('\u4e00', '\u4fff').ofMinLength(Math.max(minPieces, 100)).ofMaxLength(21_845)));
    }

    private static Arbitrary<String> topicNames() {
        Arbitrary<String> level = text(0, 6);
        return level.list().ofMinSize(1).ofMaxSize(6).map(l -> String.join("/", l))
                .filter(t -> !t.isEmpty());
    }

    private static Arbitrary<String> topicFilters() {
        Arbitrary<String> level = Arbitraries.frequencyOf(Tuple.of(5, text(0, 6)), Tuple.of(1, Arbitraries.just("+")));
        return Combinators.combine(level.list().ofMinSize(1).ofMaxSize(6), Arbitraries.of(true, false))
                .as((levels, multi) -> {
                    String f = String.join("/", levels);
                    return multi ? (f.isEmpty() ? "#" : f + "/#") : f;
                })
                .filter(f -> !f.isEmpty());
    }

    /** Sizes biased to the edges that matter: empty, around the wrap threshold, the varint steps, ~70 KB. */
    private static Arbitrary<Integer> payloadSizes(int max) {
        return Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.integers().between(0, max)),
                Tuple.of(4, Arbitraries.integers().between(0, 200)),
                Tuple.of(2, Arbitraries.of(0, 1, 127, 128, 1022, 1023, 1024, 1025, 16_383, 16_384, 65_535)
                        .filter(n -> n <= max)),
                Tuple.of(2, Arbitraries.integers().between(900, 1200)));
    }

    private static Arbitrary<byte[]> payloads(int max) {
        return Combinators.combine(payloadSizes(max), Arbitraries.longs()).as((size, seed) -> {
            byte[] b = new byte[size];
            new Random(seed).nextBytes(b);
            return b;
        });
    }

    // ---- packets

    /** Topics of one length that differ in a single byte, so a stream repeats and confuses them if it can. */
    private static final String[] LOOKALIKE_TOPICS = {
        "/sys/a1wFylTxYeD/co_0001/thing/event/property/post", "/sys/a1wFylTxYeD/co_0001/thing/event/property/posT",
        "/sys/a1wFylTxYeD/co_0002/thing/event/property/post", "+sys/a1wFylTxYeD/co_0001/thing/event/property/post"
                .replace('+', 'X'), "/sys/a1wFylTxYeD/co_0001/thing/event/propertY/post", "温度/1", "温度/2"};

    private static Arbitrary<Publish> publishes() {
        Arbitrary<String> topics = Arbitraries.frequencyOf(Tuple.of(3, topicNames()), Tuple.of(2, Arbitraries.of(LOOKALIKE_TOPICS)));
        return Combinators.combine(topics, Arbitraries.of(MqttQos.class), Arbitraries.of(true, false),
                Arbitraries.of(true, false), packetIds(), payloads(70_000))
                .as((topic, qos, dup, retain, id, payload) -> qos == MqttQos.AT_MOST_ONCE
                        ? new Publish(topic, qos, false, retain, 0, payload)
                        : new Publish(topic, qos, dup, retain, id, payload));
    }

    private static Arbitrary<Will> wills() {
        return Combinators.combine(topicNames(), payloads(65_535), Arbitraries.of(MqttQos.class), Arbitraries.of(true, false))
                .as(Will::new);
    }

    private static Arbitrary<Connect> connects() {
        Arbitrary<String> usernames = strings(0).injectNull(0.3);
        return Combinators.combine(Arbitraries.of(Connect.MQTT_3_1_1, Connect.MQTT_3_1), strings(0),
                        Arbitraries.of(true, false), Arbitraries.integers().between(0, 65_535), wills().injectNull(0.4),
                        usernames, payloads(300).injectNull(0.3))
                .as((level, clientId, clean, keepAlive, will, username, password) ->
                        new Connect(level, clientId, clean, keepAlive, will, username, username == null ? null : password));
    }

    private static Arbitrary<ConnAck> connAcks() {
        return Combinators.combine(Arbitraries.of(true, false), Arbitraries.of(ConnectReturnCode.class))
                .as((session, code) -> new ConnAck(session && code == ConnectReturnCode.ACCEPTED, code));
    }

    private static Arbitrary<Subscribe> subscribes() {
        Arbitrary<Subscription> subscription = Combinators.combine(topicFilters(), Arbitraries.of(MqttQos.class))
                .as(Subscription::new);
        return Combinators.combine(packetIds(), subscription.list().ofMinSize(1).ofMaxSize(8)).as(Subscribe::new);
    }

    private static Arbitrary<SubAck> subAcks() {
        return Combinators.combine(packetIds(), Arbitraries.of(SubAckReturnCode.class).list().ofMinSize(1).ofMaxSize(8))
                .as(SubAck::new);
    }

    private static Arbitrary<Unsubscribe> unsubscribes() {
        return Combinators.combine(packetIds(), topicFilters().list().ofMinSize(1).ofMaxSize(8)).as(Unsubscribe::new);
    }
}
