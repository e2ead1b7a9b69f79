package io.thingflux.emulator.platform;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.thingflux.aliyun.AliyunProducts;
import io.thingflux.mqtt.ConnAck;
import io.thingflux.mqtt.MqttPacket;
import io.thingflux.mqtt.Publish;
import io.thingflux.netty.codec.MqttDecoder;
import io.thingflux.netty.codec.MqttEncoder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Two thousand signed devices of one product on one emulator sharing two event-loop threads: every
 * CONNECT is accepted, every device gets its own property-post reply, and when they leave no clean
 * session is left behind.
 */
class ManyDevicesIT {

    static final int DEVICES = 2000;

    @Test
    void twoThousandDevicesConnectPostAndLeaveCleanly() throws Exception {
        EventLoopGroup clients = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        try (AliyunPlatformEmulator emulator =
                AliyunPlatformEmulator.start(
                        EmulatorOptions.builder()
                                .port(0)
                                .eventLoopThreads(2)
                                .product("a1Bench", "benchSecret")
                                .build())) {
            AtomicInteger accepted = new AtomicInteger();
            AtomicInteger replies = new AtomicInteger();
            Semaphore inFlight = new Semaphore(200);
            Bootstrap bootstrap =
                    new Bootstrap()
                            .group(clients)
                            .channel(NioSocketChannel.class)
                            .handler(
                                    new ChannelInitializer<SocketChannel>() {
                                        @Override
                                        protected void initChannel(SocketChannel ch) {
                                            ch.pipeline()
                                                    .addLast(
                                                            new MqttDecoder(),
                                                            MqttEncoder.INSTANCE,
                                                            new SimpleChannelInboundHandler<
                                                                    MqttPacket>() {
                                                                @Override
                                                                protected void channelRead0(
                                                                        ChannelHandlerContext ctx,
                                                                        MqttPacket msg) {
                                                                    if (msg instanceof ConnAck ack
                                                                            && ack.returnCode()
                                                                                            .code()
                                                                                    == 0) {
                                                                        accepted.incrementAndGet();
                                                                        inFlight.release();
                                                                    } else if (msg
                                                                                    instanceof
                                                                                    Publish p
                                                                            && p.topic()
                                                                                    .endsWith(
                                                                                            "post_reply")) {
                                                                        replies.incrementAndGet();
                                                                    }
                                                                }
                                                            });
                                        }
                                    });
            List<Channel> channels = new ArrayList<>(DEVICES);
            for (int i = 0; i < DEVICES; i++) {
                assertThat(inFlight.tryAcquire(30, TimeUnit.SECONDS)).isTrue();
                Channel ch = bootstrap.connect(emulator.mqttAddress()).sync().channel();
                channels.add(ch);
                ch.writeAndFlush(
                        TestSocket.connect(
                                AliyunProducts.deriveDevice("a1Bench", "benchSecret", "dev-" + i),
                                true,
                                300));
            }
            Awaiting.until(Duration.ofSeconds(60), () -> accepted.get() == DEVICES);
            assertThat(emulator.stats().onlineSessions()).isEqualTo(DEVICES);

            for (int i = 0; i < DEVICES; i++) {
                String sys = "/sys/a1Bench/dev-" + i + "/thing/event/property/";
                channels.get(i)
                        .write(
                                io.thingflux.mqtt.Subscribe.of(
                                        1,
                                        sys + "post_reply",
                                        io.thingflux.mqtt.MqttQos.AT_MOST_ONCE));
                channels.get(i)
                        .writeAndFlush(
                                Publish.qos0(
                                        sys + "post",
                                        "{\"id\":\"" + i + "\",\"params\":{\"n\":" + i + "}}"));
            }
            Awaiting.until(Duration.ofSeconds(60), () -> replies.get() == DEVICES);
            assertThat(emulator.properties("a1Bench", "dev-1234").get("n").valueJson())
                    .isEqualTo("1234");

            channels.forEach(Channel::close);
            Awaiting.until(Duration.ofSeconds(60), () -> emulator.stats().openConnections() == 0);
            assertThat(emulator.stats().onlineSessions()).isZero();
            assertThat(emulator.deviceStatus("a1Bench", "dev-0")).isEqualTo(DeviceStatus.OFFLINE);
            assertThat(emulator.stats().publishesDelivered()).isEqualTo(DEVICES);
        } finally {
            clients.shutdownGracefully(0, 2, TimeUnit.SECONDS).sync();
        }
    }
}
