package io.thingflux.netty.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.thingflux.mqtt.MqttPacket;
import io.thingflux.netty.testing.SeedFrames;
import io.thingflux.netty.testing.SeedFrames.Frame;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * TCP may cut the stream anywhere: the decoder yields the same packets however the bytes arrive.
 */
class FrameSplittingTest {

    static List<Frame> frames() {
        return SeedFrames.all();
    }

    /** One dynamic test per frame; the leak check runs once after all of them. */
    @TestFactory
    Stream<DynamicTest> frameSplitAtEveryBytePositionDecodesAsTheWholeFrame() {
        return frames().stream()
                .map(f -> DynamicTest.dynamicTest(f.name(), () -> assertSplitsDecodeAsWhole(f)));
    }

    private static void assertSplitsDecodeAsWhole(Frame frame) {
        byte[] bytes = frame.bytes();
        MqttPacket whole = SeedFrameMeaningTest.decodeOne(bytes);
        for (int cut = 1; cut < bytes.length; cut++) {
            EmbeddedChannel ch = new EmbeddedChannel(new MqttDecoder());
            ByteBuf first = WireBytes.buffer(bytes, 0, cut);
            ByteBuf second = WireBytes.buffer(bytes, cut, bytes.length);
            ch.writeInbound(first);
            assertThat((Object) ch.readInbound())
                    .as("packet before the last byte, cut at %d", cut)
                    .isNull();
            ch.writeInbound(second);
            assertThat((Object) ch.readInbound()).as("cut at %d", cut).isEqualTo(whole);
            assertThat((Object) ch.readInbound()).isNull();
            assertThat(ch.isOpen()).isTrue();
            assertThat(first.refCnt()).isZero();
            assertThat(second.refCnt()).isZero();
            ch.finishAndReleaseAll();
        }
    }

    @Test
    void allFramesInOneBufferDecodeInOrder() {
        EmbeddedChannel ch = new EmbeddedChannel(new MqttDecoder());
        ByteBuf all = WireBytes.buffer(allFrameBytes());
        ch.writeInbound(all);
        assertThat(readAll(ch)).containsExactlyElementsOf(expectedPackets());
        assertThat(all.refCnt()).isZero();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void allFramesDeliveredOneByteAtATimeDecodeInOrder() {
        byte[] bytes = allFrameBytes();
        EmbeddedChannel ch = new EmbeddedChannel(new MqttDecoder());
        List<MqttPacket> decoded = new ArrayList<>();
        for (int i = 0; i < bytes.length; i++) {
            ch.writeInbound(WireBytes.buffer(bytes, i, i + 1));
            decoded.addAll(readAll(ch));
        }
        assertThat(decoded).containsExactlyElementsOf(expectedPackets());
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void allFramesInOneStreamSplitAtEveryPositionDecodeInOrder() {
        byte[] bytes = allFrameBytes();
        List<MqttPacket> expected = expectedPackets();
        for (int cut = 1; cut < bytes.length; cut++) {
            EmbeddedChannel ch = new EmbeddedChannel(new MqttDecoder());
            ch.writeInbound(WireBytes.buffer(bytes, 0, cut));
            List<MqttPacket> decoded = new ArrayList<>(readAll(ch));
            ch.writeInbound(WireBytes.buffer(bytes, cut, bytes.length));
            decoded.addAll(readAll(ch));
            assertThat(decoded).as("cut at %d", cut).containsExactlyElementsOf(expected);
            ch.finishAndReleaseAll();
        }
    }

    private static byte[] allFrameBytes() {
        return WireBytes.concat(SeedFrames.all().stream().map(Frame::bytes).toArray(byte[][]::new));
    }

    private static List<MqttPacket> expectedPackets() {
        List<MqttPacket> expected = new ArrayList<>();
        for (Frame f : SeedFrames.all()) {
            expected.add(SeedFrameMeaningTest.decodeOne(f.bytes()));
        }
        return expected;
    }

    private static List<MqttPacket> readAll(EmbeddedChannel ch) {
        List<MqttPacket> packets = new ArrayList<>();
        for (Object o = ch.readInbound(); o != null; o = ch.readInbound()) {
            packets.add((MqttPacket) o);
        }
        return packets;
    }
}
