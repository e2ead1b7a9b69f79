package io.thingflux.interop.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.thingflux.mqtt.Connect;
import io.thingflux.mqtt.MqttPacket;
import io.thingflux.mqtt.MqttProtocolException;
import io.thingflux.mqtt.Publish;
import io.thingflux.netty.testing.NettyLeakDetectionExtension;
import java.util.HexFormat;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;

/**
 * Corrupted frames through both decoders: a valid frame with one to three bytes changed (the first byte's flags or
 * any byte of the body, the remaining length left alone so the frame boundary stays). thingflux must never be the
 * more lenient one: whatever it accepts, Netty codec-mqtt accepts too and reads as the same packet. The converse
 * does not hold and is documented in {@link SpecDifferencesTest}. The one exception is a rule of MQTT 3.1 that
 * Netty enforces in its decoder and thingflux leaves to the broker (client ids longer than 23 characters).
 */
class MutatedFramesDifferentialTest {

    @BeforeContainer
    static void installLeakRecorder() {
        NettyLeakDetectionExtension.collectLeaks();
    }

    @AfterProperty
    void noBufferLeaked() {
        assertThat(NettyLeakDetectionExtension.collectLeaks()).as("Netty buffer leaks").isEmpty();
    }

    /** A valid packet and the corrupted bytes made from its encoding. */
    record MutatedFrame(MqttPacket original, byte[] bytes) {
        @Override
        public String toString() {
            return original + " mutated to " + HexFormat.ofDelimiter(" ").formatHex(bytes, 0, Math.min(bytes.length, 200));
        }
    }

    @Provide
    Arbitrary<MutatedFrame> mutatedFrames() {
        // large payloads add nothing here but time: a corrupted payload byte is still a payload byte
        Arbitrary<MqttPacket> small = MqttPacketArbitraries.packets()
                .filter(p -> !(p instanceof Publish publish) || publish.payloadLength() < 2048);
        // each mutation: (where, as any int reduced modulo the body length; the new byte value)
        Arbitrary<List<int[]>> mutations = Combinators.combine(
                Arbitraries.integers().between(0, Integer.MAX_VALUE), Arbitraries.integers().between(0, 255))
                .as((where, value) -> new int[] {where, value}).list().ofMinSize(1).ofMaxSize(3);
        return Combinators.combine(small, mutations, Arbitraries.integers().between(0, 4)).as((packet, muts, flagsFirst) -> {
            byte[] bytes = CodecRunner.thingfluxEncode(packet);
            int lengthBytes = 1;
            while ((bytes[lengthBytes] & 0x80) != 0) {
                lengthBytes++;
            }
            int bodyStart = 1 + lengthBytes;
            for (int i = 0; i < muts.size(); i++) {
                int[] m = muts.get(i);
                if (i == 0 && flagsFirst == 0) {
                    bytes[0] = (byte) ((bytes[0] & 0xF0) | (m[1] & 0x0F)); // fixed-header flags only
                } else if (bytes.length > bodyStart) {
                    bytes[bodyStart + m[0] % (bytes.length - bodyStart)] = (byte) m[1];
                }
            }
            return new MutatedFrame(packet, bytes);
        });
    }

    @Property(tries = 3000)
    void whateverThingfluxAcceptsNettyAcceptsAsTheSamePacket(@ForAll("mutatedFrames") MutatedFrame frame) {
        MqttPacket ours;
        try {
            ours = CodecRunner.thingfluxDecode(frame.bytes());
        } catch (MqttProtocolException refused) {
            Statistics.label("thingflux").collect("refused " + refused.reason());
            return;
        }
        Statistics.label("thingflux").collect("accepted " + ours.type());
        if (ours instanceof Connect c && c.protocolLevel() == Connect.MQTT_3_1 && c.clientId().length() > 23) {
            return; // MQTT 3.1's 23-character limit: Netty's decoder enforces it, we leave it to the broker
        }

        assertThat(CodecRunner.nettyDecode(frame.bytes())).isEqualTo(ours);
    }
}
