package io.thingflux.emulator.platform.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.thingflux.aliyun.AliyunDeviceIdentity;
import io.thingflux.aliyun.AliyunSigner;
import io.thingflux.aliyun.MqttCredentials;
import io.thingflux.emulator.platform.EmulatorOptions;
import io.thingflux.mqtt.Connect;
import io.thingflux.mqtt.PingReq;
import io.thingflux.netty.codec.MqttDecoder;
import io.thingflux.netty.codec.MqttEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Connect timeout and keepalive enforcement, in virtual time on an EmbeddedChannel. */
class MqttServerHandlerTimeoutTest {

    static final AliyunDeviceIdentity DEVICE = new AliyunDeviceIdentity("pk1", "dn1", "secret1");

    private final BrokerEngine engine =
            new BrokerEngine(
                    EmulatorOptions.builder()
                            .device(DEVICE)
                            .connectTimeout(Duration.ofSeconds(10))
                            .build());
    private EmbeddedChannel channel;

    @AfterEach
    void release() {
        if (channel != null) {
            channel.finishAndReleaseAll();
        }
        engine.close();
    }

    private EmbeddedChannel newChannel() {
        channel = new EmbeddedChannel();
        channel.pipeline()
                .addLast(MqttDecoder.NAME, new MqttDecoder())
                .addLast(MqttEncoder.NAME, MqttEncoder.INSTANCE)
                .addLast(MqttServerHandler.NAME, new MqttServerHandler(engine, false));
        return channel;
    }

    private static ByteBuf frame(io.thingflux.mqtt.MqttPacket p) {
        return MqttEncoder.encode(io.netty.buffer.UnpooledByteBufAllocator.DEFAULT, p);
    }

    private String readOutboundHex() {
        ByteBuf out = channel.readOutbound();
        try {
            return HexFormat.of().formatHex(ByteBufUtil.getBytes(out));
        } finally {
            out.release();
        }
    }

    private void connect(int keepAlive) {
        MqttCredentials c = AliyunSigner.defaults().sign(DEVICE);
        channel.writeInbound(
                frame(
                        new Connect(
                                Connect.MQTT_3_1_1,
                                c.clientId(),
                                true,
                                keepAlive,
                                null,
                                c.username(),
                                c.password().getBytes(StandardCharsets.UTF_8))));
        assertThat(readOutboundHex()).isEqualTo("20020000");
    }

    @Test
    void aConnectionWithoutConnectIsClosedAfterTheConnectTimeout() {
        newChannel();
        channel.advanceTimeBy(9, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        assertThat(channel.isActive()).isTrue();
        channel.advanceTimeBy(2, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        assertThat(channel.isActive()).isFalse();
        assertThat(engine.stats().connectTimeouts()).isEqualTo(1);
    }

    @Test
    void aConnectedClientSilentForOneAndAHalfKeepAlivesIsClosed() {
        newChannel();
        connect(60);
        channel.advanceTimeBy(80, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        assertThat(channel.isActive()).isTrue();
        channel.writeInbound(frame(PingReq.INSTANCE)); // activity restarts the clock
        assertThat(readOutboundHex()).isEqualTo("d000");
        channel.advanceTimeBy(80, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        assertThat(channel.isActive()).isTrue();
        channel.advanceTimeBy(11, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        assertThat(channel.isActive()).isFalse();
        assertThat(engine.stats().keepAliveTimeouts()).isEqualTo(1);
    }

    @Test
    void theConnectTimeoutNoLongerAppliesOnceConnected() {
        newChannel();
        connect(1200);
        channel.advanceTimeBy(20, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        assertThat(channel.isActive()).isTrue();
    }

    @Test
    void protocolLevel5IsAnsweredWithConnAck1() {
        newChannel();
        byte[] connect = HexFormat.of().parseHex("101000044d5154540502003c0004746573740000");
        connect[1] = (byte) (connect.length - 2);
        channel.writeInbound(Unpooled.wrappedBuffer(connect));
        assertThat(readOutboundHex()).isEqualTo("20020001");
        assertThat(channel.isActive()).isFalse();
        assertThat(engine.stats().refusedByReturnCode()).containsEntry(1, 1L);
    }
}
