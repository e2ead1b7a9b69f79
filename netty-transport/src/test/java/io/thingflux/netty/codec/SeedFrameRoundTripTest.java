package io.thingflux.netty.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.thingflux.mqtt.MqttPacket;
import io.thingflux.netty.testing.SeedFrames;
import io.thingflux.netty.testing.SeedFrames.Frame;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class SeedFrameRoundTripTest {

    static List<Frame> frames() {
        return SeedFrames.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("frames")
    void everySeedFrameDecodesAndEncodesBackToTheSameBytes(Frame frame) {
        EmbeddedChannel ch = new EmbeddedChannel(new MqttDecoder());
        ch.writeInbound(Unpooled.wrappedBuffer(frame.bytes()));
        MqttPacket packet = ch.readInbound();
        assertThat(packet).as(frame.name()).isNotNull();
        assertThat(ch.isOpen()).isTrue();
        ByteBuf encoded = MqttEncoder.encode(UnpooledByteBufAllocator.DEFAULT, packet);
        try {
            assertThat(ByteBufUtil.hexDump(encoded)).isEqualTo(ByteBufUtil.hexDump(frame.bytes()));
        } finally {
            encoded.release();
            ch.finishAndReleaseAll();
        }
    }
}
