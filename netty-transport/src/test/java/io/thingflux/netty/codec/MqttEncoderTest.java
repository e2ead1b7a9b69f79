package io.thingflux.netty.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.thingflux.mqtt.Connect;
import io.thingflux.mqtt.MqttPacket;
import io.thingflux.mqtt.MqttQos;
import io.thingflux.mqtt.Publish;
import io.thingflux.mqtt.SubAck;
import io.thingflux.mqtt.SubAckReturnCode;
import io.thingflux.mqtt.Subscribe;
import io.thingflux.mqtt.Subscription;
import io.thingflux.mqtt.Unsubscribe;
import io.thingflux.mqtt.Will;
import io.thingflux.netty.testing.SeedFrames;
import io.thingflux.netty.testing.SeedFrames.Frame;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class MqttEncoderTest {

    private static final UnpooledByteBufAllocator EXACT = new UnpooledByteBufAllocator(false);

    @Test
    void everyEncodedBufferIsAllocatedAtExactlyTheFrameSize() {
        List<MqttPacket> packets = new ArrayList<>();
        for (Frame f : SeedFrames.all()) {
            packets.add(SeedFrameMeaningTest.decodeOne(f.bytes()));
        }
        byte[] password = "pässwörd".getBytes(StandardCharsets.UTF_8);
        packets.add(
                new Connect(
                        Connect.MQTT_3_1_1,
                        "设备-001",
                        false,
                        60,
                        new Will(
                                "状态/离线/😀",
                                "bye".getBytes(StandardCharsets.UTF_8),
                                MqttQos.EXACTLY_ONCE,
                                true),
                        "用户",
                        password));
        packets.add(new Publish("温度/😀/é", MqttQos.AT_LEAST_ONCE, true, true, 7, new byte[300]));
        packets.add(
                new Subscribe(
                        9,
                        List.of(
                                new Subscription("传感器/+/温度", MqttQos.AT_LEAST_ONCE),
                                new Subscription("#", MqttQos.EXACTLY_ONCE))));
        packets.add(Unsubscribe.of(10, "传感器/+/温度", "a/#"));
        packets.add(SubAck.of(11, SubAckReturnCode.GRANTED_QOS_2, SubAckReturnCode.FAILURE));

        for (MqttPacket p : packets) {
            ByteBuf buf = MqttEncoder.encode(EXACT, p);
            try {
                // a buffer grown while writing (e.g. by a 3-bytes-per-char UTF-8 reserve) was
                // reallocated and copied
                assertThat(buf.capacity()).as("capacity of %s", p).isEqualTo(buf.readableBytes());
                EmbeddedChannel decoder = new EmbeddedChannel(new MqttDecoder());
                decoder.writeInbound(buf.retain());
                assertThat((Object) decoder.readInbound()).isEqualTo(p);
                assertThat(decoder.finishAndReleaseAll()).isFalse();
            } finally {
                buf.release();
            }
        }
    }

    @Test
    void payloadBelowTheWrapThresholdIsCopiedIntoOneBuffer() {
        Publish p =
                new Publish(
                        "t/1",
                        MqttQos.AT_LEAST_ONCE,
                        false,
                        false,
                        1,
                        filled(MqttEncoder.WRAP_THRESHOLD - 1));
        EmbeddedChannel ch = new EmbeddedChannel(MqttEncoder.INSTANCE);
        ch.writeOutbound(p);
        byte[] frame = WireBytes.drain(ch.readOutbound());
        assertThat((Object) ch.readOutbound()).isNull();
        assertThat(frame).isEqualTo(WireBytes.drain(MqttEncoder.encode(EXACT, p)));
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void payloadAtTheWrapThresholdGoesOutAsTheModelsOwnArrayBehindAnExactHeader() {
        Publish p =
                new Publish(
                        "t/1",
                        MqttQos.EXACTLY_ONCE,
                        true,
                        true,
                        513,
                        filled(MqttEncoder.WRAP_THRESHOLD));
        EmbeddedChannel ch = new EmbeddedChannel(MqttEncoder.INSTANCE);
        ch.writeOutbound(p);
        ByteBuf header = ch.readOutbound();
        ByteBuf payload = ch.readOutbound();
        try {
            assertThat(header.capacity()).isEqualTo(header.readableBytes());
            assertThat(payload.hasArray()).isTrue();
            assertThat(payload.array()).isSameAs(p.payloadUnsafe());
            byte[] both =
                    WireBytes.concat(
                            WireBytes.drain(header.retain()), WireBytes.drain(payload.retain()));
            assertThat(both).isEqualTo(WireBytes.drain(MqttEncoder.encode(EXACT, p)));
            // 0x3D: PUBLISH, DUP, QoS 2, retain; remaining length 2+3+2+1024 = 1031 = 0x87 0x08;
            // packet id 513 = 02 01
            assertThat(Arrays.copyOf(both, 10))
                    .isEqualTo(WireBytes.hex("3D 87 08 00 03 74 2F 31 02 01"));
        } finally {
            header.release();
            payload.release();
        }
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void remainingLengthIsWrittenAsTheSpecificationTableShows() {
        // MQTT 3.1.1 §2.2.3, table 2.4: the smallest and largest value of each length
        assertVarInt(0, "00");
        assertVarInt(127, "7F");
        assertVarInt(128, "80 01");
        assertVarInt(16_383, "FF 7F");
        assertVarInt(16_384, "80 80 01");
        assertVarInt(2_097_151, "FF FF 7F");
        assertVarInt(2_097_152, "80 80 80 01");
        assertVarInt(268_435_455, "FF FF FF 7F");
    }

    private static void assertVarInt(int value, String hex) {
        ByteBuf buf = Unpooled.buffer();
        try {
            MqttEncoder.writeVarInt(buf, value);
            assertThat(WireBytes.drain(buf.retain())).isEqualTo(WireBytes.hex(hex));
            assertThat(MqttEncoder.varIntSize(value)).isEqualTo(WireBytes.hex(hex).length);
        } finally {
            buf.release();
        }
    }

    private static byte[] filled(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 31 + 7);
        }
        return b;
    }
}
