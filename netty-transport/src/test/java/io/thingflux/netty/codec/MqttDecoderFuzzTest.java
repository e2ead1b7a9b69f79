package io.thingflux.netty.codec;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.thingflux.mqtt.MqttPacket;
import io.thingflux.mqtt.MqttProtocolException;

/**
 * Coverage-guided fuzzing of the frame decoder and every per-type decode function (Jazzer).
 *
 * <p>For any input: only {@link MqttProtocolException} escapes; a frame is refused from its header
 * when it is larger than the maximum; every packet that decodes encodes to bytes that decode to an
 * equal packet. Bounded to a million inputs in the build; see the README for a longer run.
 */
class MqttDecoderFuzzTest {

    /**
     * Far below libFuzzer's 4096-byte input cap, so that input left over as an incomplete frame
     * could exceed it: at a maximum of 4096 the leftover check could not fail.
     */
    private static final int MAX_PACKET_SIZE = 256;

    private static final MqttDecoder DECODER = new MqttDecoder(MAX_PACKET_SIZE);

    /**
     * Heap buffers without leak tracking: paranoid tracking of every encode would dominate the run.
     */
    private static final UnpooledByteBufAllocator UNTRACKED =
            new UnpooledByteBufAllocator(false, true);

    @FuzzTest(maxExecutions = 300_000, maxDuration = "2m")
    void anyInputDecodesToPacketsOrATypedErrorAndDecodedPacketsRoundTrip(byte[] input) {
        ByteBuf in = Unpooled.wrappedBuffer(input);
        try {
            MqttPacket packet;
            while ((packet = DECODER.decodeFrame(in)) != null) {
                assertRoundTrips(packet);
            }
            // stopped for want of bytes: what is left must be a frame not yet complete, within the
            // limit
            assertThat(in.readableBytes()).isLessThanOrEqualTo(MAX_PACKET_SIZE);
        } catch (MqttProtocolException expected) {
            assertThat(expected.reason()).isNotNull();
        }
    }

    private static void assertRoundTrips(MqttPacket packet) {
        ByteBuf encoded = MqttEncoder.encode(UNTRACKED, packet);
        try {
            MqttPacket again = DECODER.decodeFrame(encoded);
            assertThat(again).isEqualTo(packet);
            assertThat(encoded.isReadable()).isFalse();
        } finally {
            encoded.release();
        }
    }
}
