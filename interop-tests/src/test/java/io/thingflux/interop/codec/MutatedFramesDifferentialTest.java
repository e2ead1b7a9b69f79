package io.thingflux.interop.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.thingflux.mqtt.Connect;
import io.thingflux.mqtt.MqttPacket;
import io.thingflux.mqtt.MqttProtocolException;
import io.thingflux.mqtt.Publish;
import io.thingflux.netty.testing.SeededCases;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Corrupted frames through both decoders: a valid frame with one to three bytes changed (the first
 * byte's flags or any byte of the body, the remaining length left alone so the frame boundary
 * stays). thingflux must never be the more lenient one: whatever it accepts, Netty codec-mqtt
 * accepts too and reads as the same packet. The converse does not hold and is documented in {@link
 * SpecDifferencesTest}. The one exception is a rule of MQTT 3.1 that Netty enforces in its decoder
 * and thingflux leaves to the broker (client ids longer than 23 characters).
 */
class MutatedFramesDifferentialTest {

    /** A valid packet and the corrupted bytes made from its encoding. */
    record MutatedFrame(MqttPacket original, byte[] bytes) {
        @Override
        public String toString() {
            return original
                    + " mutated to "
                    + HexFormat.ofDelimiter(" ").formatHex(bytes, 0, Math.min(bytes.length, 200));
        }
    }

    static MutatedFrame mutatedFrame(SplittableRandom r) {
        // large payloads add nothing here but time: a corrupted payload byte is still a payload
        // byte
        MqttPacket packet =
                MqttPacketGenerators.packet(
                        r, p -> !(p instanceof Publish publish) || publish.payloadLength() < 2048);
        // each mutation: (where, as any int reduced modulo the body length; the new byte value)
        List<int[]> muts =
                SeededCases.list(
                        r,
                        1,
                        3,
                        g ->
                                new int[] {
                                    SeededCases.between(g, 0, Integer.MAX_VALUE),
                                    SeededCases.between(g, 0, 255)
                                });
        int flagsFirst = SeededCases.between(r, 0, 4);
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
    }

    @Test
    void whateverThingfluxAcceptsNettyAcceptsAsTheSamePacket() {
        SeededCases.check(
                0x5EED_D004L,
                3000,
                MutatedFramesDifferentialTest::mutatedFrame,
                MutatedFramesDifferentialTest::nettyAcceptsWhatThingfluxAccepts);
    }

    private static void nettyAcceptsWhatThingfluxAccepts(MutatedFrame frame) {
        MqttPacket ours;
        try {
            ours = CodecRunner.thingfluxDecode(frame.bytes());
        } catch (MqttProtocolException refused) {
            return;
        }
        if (ours instanceof Connect c
                && c.protocolLevel() == Connect.MQTT_3_1
                && c.clientId().length() > 23) {
            // MQTT 3.1's 23-character limit: Netty's decoder enforces it, we leave it to the broker
            return;
        }

        assertThat(CodecRunner.nettyDecode(frame.bytes())).isEqualTo(ours);
    }
}
