package io.thingflux.interop.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.thingflux.mqtt.MqttPacket;
import io.thingflux.netty.testing.SeedFrames;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The real frames exchanged with the Aliyun IoT Platform ({@code shared/vectors/mqtt-frames.txt})
 * decode to the same packet with thingflux and with Netty codec-mqtt, and each encoder writes that
 * packet back byte for byte.
 */
class SeedFramesDifferentialTest {

    static List<SeedFrames.Frame> frames() {
        return SeedFrames.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("frames")
    void seedFrameDecodesToTheSamePacketWithBothDecoders(SeedFrames.Frame frame) {
        MqttPacket ours = CodecRunner.thingfluxDecode(frame.bytes());
        MqttPacket netty = CodecRunner.nettyDecode(frame.bytes());

        assertThat(netty).isEqualTo(ours);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("frames")
    void seedFrameIsWrittenBackByteForByteByBothEncoders(SeedFrames.Frame frame) {
        MqttPacket packet = CodecRunner.thingfluxDecode(frame.bytes());

        assertThat(CodecRunner.thingfluxEncode(packet)).as("thingflux").isEqualTo(frame.bytes());
        assertThat(CodecRunner.nettyEncode(packet)).as("Netty").isEqualTo(frame.bytes());
    }
}
