package io.thingflux.netty.codec;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.thingflux.mqtt.MqttPacket;
import io.thingflux.mqtt.MqttProtocolException;
import java.util.ArrayList;
import java.util.List;

/**
 * Coverage-guided fuzzing of the decoder inside a channel, with input arriving in fuzzer-chosen
 * chunks in pooled buffers (leak detection is paranoid in tests, and a leak fails the run).
 *
 * <p>For any input: the only error reaching the pipeline is {@link MqttProtocolException}, after
 * which the channel is closed; the decoder never holds more than the maximum packet size plus one
 * read; nothing is emitted after an error; every buffer is released.
 */
class MqttDecoderChannelFuzzTest {

    private static final int MAX_PACKET_SIZE = 2048;

    @FuzzTest(maxExecutions = 20_000, maxDuration = "2m")
    void chunkedInputNeverEscapesTheTypedErrorNorOutgrowsTheLimitNorLeaks(FuzzedDataProvider data) {
        MqttDecoder decoder = new MqttDecoder(MAX_PACKET_SIZE);
        List<Throwable> errors = new ArrayList<>();
        List<Object> packetsAfterError = new ArrayList<>();
        EmbeddedChannel ch =
                new EmbeddedChannel(
                        decoder,
                        new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                if (!errors.isEmpty()) {
                                    packetsAfterError.add(msg);
                                }
                                assertThat(msg).isInstanceOf(MqttPacket.class);
                            }

                            @Override
                            public void exceptionCaught(
                                    ChannelHandlerContext ctx, Throwable cause) {
                                errors.add(cause);
                            }
                        });
        try {
            while (data.remainingBytes() > 0 && ch.isOpen()) {
                int chunk = data.consumeInt(1, 512);
                byte[] bytes = data.consumeBytes(chunk);
                ByteBuf buf = PooledByteBufAllocator.DEFAULT.buffer(bytes.length);
                buf.writeBytes(bytes);
                ch.writeInbound(buf);
                assertThat(decoder.bufferedBytes()).isLessThanOrEqualTo(MAX_PACKET_SIZE + 512);
            }
            assertThat(errors)
                    .allSatisfy(e -> assertThat(e).isInstanceOf(MqttProtocolException.class));
            assertThat(errors).hasSizeLessThanOrEqualTo(1);
            if (!errors.isEmpty()) {
                assertThat(ch.isOpen()).isFalse();
            }
            assertThat(packetsAfterError).isEmpty();
        } finally {
            ch.finishAndReleaseAll();
        }
    }
}
