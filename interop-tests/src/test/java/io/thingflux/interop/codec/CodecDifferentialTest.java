package io.thingflux.interop.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.thingflux.mqtt.PacketType;
import io.thingflux.netty.testing.SeededCases;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Differential test of thingflux's MQTT codec against Netty codec-mqtt 4.2: random valid packets of
 * every type written by one codec must read back equal with the other, field by field, and both
 * encoders must write the same bytes (MQTT 3.1.1 leaves no freedom in the layout of a valid
 * packet).
 *
 * <p>Cases come from fixed seeds ({@link SeededCases}); the Netty leak extension (auto-detected,
 * paranoid level) fails a test that leaks a buffer.
 */
class CodecDifferentialTest {

    private static final int CASES = 1500;

    @Test
    void packetsEncodedByThingfluxDecodeEqualWithNettyDecoder() {
        Set<PacketType> seen = EnumSet.noneOf(PacketType.class);
        SeededCases.check(
                0x5EED_D001L,
                CASES,
                MqttPacketGenerators::packet,
                packet -> {
                    seen.add(packet.type());
                    byte[] wire = CodecRunner.thingfluxEncode(packet);

                    assertThat(CodecRunner.nettyDecode(wire)).isEqualTo(packet);
                });
        assertThat(seen)
                .as("packet types generated")
                .containsExactlyInAnyOrder(PacketType.values());
    }

    @Test
    void packetsEncodedByNettyDecodeEqualWithThingfluxDecoder() {
        SeededCases.check(
                0x5EED_D002L,
                CASES,
                MqttPacketGenerators::packet,
                packet -> {
                    byte[] wire = CodecRunner.nettyEncode(packet);

                    assertThat(CodecRunner.thingfluxDecode(wire)).isEqualTo(packet);
                });
    }

    @Test
    void bothEncodersWriteIdenticalBytes() {
        SeededCases.check(
                0x5EED_D003L,
                CASES,
                MqttPacketGenerators::packet,
                packet -> {
                    byte[] ours = CodecRunner.thingfluxEncode(packet);
                    byte[] netty = CodecRunner.nettyEncode(packet);

                    assertThat(hex(ours))
                            .as("thingflux vs Netty bytes of %s", packet)
                            .isEqualTo(hex(netty));
                });
    }

    private static String hex(byte[] bytes) {
        // long payloads make unreadable failure messages; the header and the length tell the story
        return bytes.length <= 512
                ? HexFormat.ofDelimiter(" ").formatHex(bytes)
                : HexFormat.ofDelimiter(" ").formatHex(bytes, 0, 256)
                        + " ... ("
                        + bytes.length
                        + " bytes, hash "
                        + java.util.Arrays.hashCode(bytes)
                        + ")";
    }
}
