package io.thingflux.interop.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.thingflux.mqtt.MqttPacket;
import io.thingflux.mqtt.PacketType;
import io.thingflux.netty.testing.NettyLeakDetectionExtension;
import java.util.HexFormat;
import java.util.List;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;

/**
 * Differential test of thingflux's MQTT codec against Netty codec-mqtt 4.2: random valid packets of every type
 * written by one codec must read back equal with the other, field by field, and both encoders must write the
 * same bytes (MQTT 3.1.1 leaves no freedom in the layout of a valid packet).
 *
 * <p>jqwik runs outside JUnit Jupiter, so the leak extension is not applied automatically: every property checks
 * Netty's leak reports itself (paranoid level, set for the test JVM) and fails on any.
 */
class CodecDifferentialTest {

    @BeforeContainer
    static void installLeakRecorder() {
        // loads the recording leak detector factory before the first buffer class is initialised
        NettyLeakDetectionExtension.collectLeaks();
    }

    @AfterProperty
    void noBufferLeaked() {
        List<String> leaks = NettyLeakDetectionExtension.collectLeaks();
        assertThat(leaks).as("Netty buffer leaks").isEmpty();
    }

    @Provide
    Arbitrary<MqttPacket> packets() {
        return MqttPacketArbitraries.packets();
    }

    @Property(tries = 1500)
    void packetsEncodedByThingfluxDecodeEqualWithNettyDecoder(@ForAll("packets") MqttPacket packet) {
        Statistics.collect(packet.type());
        Statistics.coverage(checker -> {
            for (PacketType type : PacketType.values()) {
                checker.check(type).count(n -> n > 0);
            }
        });
        byte[] wire = CodecRunner.thingfluxEncode(packet);

        assertThat(CodecRunner.nettyDecode(wire)).isEqualTo(packet);
    }

    @Property(tries = 1500)
    void packetsEncodedByNettyDecodeEqualWithThingfluxDecoder(@ForAll("packets") MqttPacket packet) {
        byte[] wire = CodecRunner.nettyEncode(packet);

        assertThat(CodecRunner.thingfluxDecode(wire)).isEqualTo(packet);
    }

    @Property(tries = 1500)
    void bothEncodersWriteIdenticalBytes(@ForAll("packets") MqttPacket packet) {
        byte[] ours = CodecRunner.thingfluxEncode(packet);
        byte[] netty = CodecRunner.nettyEncode(packet);

        assertThat(hex(ours)).as("thingflux vs Netty bytes of %s", packet).isEqualTo(hex(netty));
    }

    private static String hex(byte[] bytes) {
        // long payloads make unreadable failure messages; the header and the length tell the story
        return bytes.length <= 512 ? HexFormat.ofDelimiter(" ").formatHex(bytes)
                : HexFormat.ofDelimiter(" ").formatHex(bytes, 0, 256) + " ... (" + bytes.length + " bytes, hash "
                + java.util.Arrays.hashCode(bytes) + ")";
    }
}
