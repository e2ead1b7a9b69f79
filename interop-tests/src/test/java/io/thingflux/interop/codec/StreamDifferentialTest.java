package io.thingflux.interop.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.util.ReferenceCountUtil;
import io.thingflux.mqtt.MqttPacket;
import io.thingflux.mqtt.Publish;
import io.thingflux.netty.codec.MqttDecoder;
import io.thingflux.netty.testing.SeededCases;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * A conversation rather than single frames: a sequence of packets written by one codec into one
 * byte stream, cut into chunks at random places (as TCP delivers it), read back by the other
 * codec's decoder on a single channel. It exercises what single-frame tests cannot: frames split
 * across reads and several frames in one read, and the decoder's per-connection state (thingflux
 * remembers recent PUBLISH topics, so topics repeat here on purpose).
 */
class StreamDifferentialTest {

    /**
     * Packets whose PUBLISH topics come from a pool of three, and the cut points of their byte
     * stream.
     */
    record Conversation(List<MqttPacket> packets, List<Integer> cuts) {
        @Override
        public String toString() {
            return packets.size() + " packets " + packets + " cut at " + cuts;
        }
    }

    static Conversation conversation(SplittableRandom r) {
        List<MqttPacket> list =
                SeededCases.list(
                        r,
                        1,
                        25,
                        g ->
                                MqttPacketGenerators.packet(
                                        g,
                                        p ->
                                                !(p instanceof Publish publish)
                                                        || publish.payloadLength() < 20_000));
        List<String> pool = SeededCases.list(r, 3, 3, MqttPacketGenerators::topicName);
        List<MqttPacket> packets = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            MqttPacket p = list.get(i);
            if (p instanceof Publish pub) {
                p =
                        new Publish(
                                pool.get(i % pool.size()),
                                pub.qos(),
                                pub.dup(),
                                pub.retain(),
                                pub.packetId(),
                                pub.payloadUnsafe());
            }
            packets.add(p);
        }
        List<Integer> cuts =
                SeededCases.list(r, 0, 12, g -> SeededCases.between(g, 0, Integer.MAX_VALUE));
        return new Conversation(packets, cuts);
    }

    @Test
    void streamWrittenByNettyIsReadBackByOneThingfluxDecoder() {
        SeededCases.check(
                0x5EED_D005L,
                300,
                StreamDifferentialTest::conversation,
                StreamDifferentialTest::nettyStreamReadByThingflux);
    }

    private static void nettyStreamReadByThingflux(Conversation conversation) {
        EmbeddedChannel encoder =
                new EmbeddedChannel(io.netty.handler.codec.mqtt.MqttEncoder.INSTANCE);
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        try {
            for (MqttPacket p : conversation.packets()) {
                encoder.writeOutbound(NettyMqttMessages.toNetty(p));
                for (Object o = encoder.readOutbound(); o != null; o = encoder.readOutbound()) {
                    stream.writeBytes(NettyMqttMessages.drain((ByteBuf) o));
                }
            }
        } finally {
            encoder.finishAndReleaseAll();
        }

        EmbeddedChannel decoder = new EmbeddedChannel(new MqttDecoder(CodecRunner.MAX_PACKET_SIZE));
        List<MqttPacket> decoded = new ArrayList<>();
        try {
            for (byte[] chunk : chunks(stream.toByteArray(), conversation.cuts())) {
                decoder.writeInbound(decoder.alloc().buffer(chunk.length).writeBytes(chunk));
                for (MqttPacket p = decoder.readInbound(); p != null; p = decoder.readInbound()) {
                    decoded.add(p);
                }
            }
        } finally {
            decoder.finishAndReleaseAll();
        }

        assertThat(decoded).containsExactlyElementsOf(conversation.packets());
    }

    @Test
    void streamWrittenByThingfluxIsReadBackByOneNettyDecoder() {
        SeededCases.check(
                0x5EED_D006L,
                300,
                StreamDifferentialTest::conversation,
                StreamDifferentialTest::thingfluxStreamReadByNetty);
    }

    private static void thingfluxStreamReadByNetty(Conversation conversation) {
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        for (MqttPacket p : conversation.packets()) {
            stream.writeBytes(CodecRunner.thingfluxEncode(p));
        }

        EmbeddedChannel decoder =
                new EmbeddedChannel(
                        new io.netty.handler.codec.mqtt.MqttDecoder(CodecRunner.MAX_PACKET_SIZE));
        List<MqttPacket> decoded = new ArrayList<>();
        try {
            for (byte[] chunk : chunks(stream.toByteArray(), conversation.cuts())) {
                decoder.writeInbound(decoder.alloc().buffer(chunk.length).writeBytes(chunk));
                for (MqttMessage m = decoder.readInbound(); m != null; m = decoder.readInbound()) {
                    try {
                        assertThat(m.decoderResult().isSuccess())
                                .as("Netty decoded %s", m)
                                .isTrue();
                        decoded.add(NettyMqttMessages.fromNetty(m));
                    } finally {
                        ReferenceCountUtil.release(m);
                    }
                }
            }
        } finally {
            decoder.finishAndReleaseAll();
        }

        assertThat(decoded).containsExactlyElementsOf(conversation.packets());
    }

    /** {@code bytes} cut at the given points (each reduced modulo the length). */
    private static List<byte[]> chunks(byte[] bytes, List<Integer> cuts) {
        TreeSet<Integer> points = new TreeSet<>();
        for (int c : cuts) {
            points.add(c % bytes.length);
        }
        points.add(bytes.length);
        List<byte[]> out = new ArrayList<>();
        int from = 0;
        for (int to : points) {
            if (to > from) {
                byte[] chunk = new byte[to - from];
                System.arraycopy(bytes, from, chunk, 0, chunk.length);
                out.add(chunk);
                from = to;
            }
        }
        return out;
    }
}
