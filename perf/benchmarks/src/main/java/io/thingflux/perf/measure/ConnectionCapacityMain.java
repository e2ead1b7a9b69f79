package io.thingflux.perf.measure;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.thingflux.aliyun.AliyunDeviceIdentity;
import io.thingflux.aliyun.AliyunProducts;
import io.thingflux.emulator.platform.AliyunPlatformEmulator;
import io.thingflux.emulator.platform.EmulatorOptions;
import io.thingflux.emulator.platform.TestSocket;
import io.thingflux.mqtt.ConnAck;
import io.thingflux.mqtt.MqttPacket;
import io.thingflux.netty.codec.MqttDecoder;
import io.thingflux.netty.codec.MqttEncoder;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Measures how many concurrent signed device connections the emulator holds and how fast it accepts
 * them: opens {@code count} connections (at most {@value #IN_FLIGHT} CONNECTs outstanding) of
 * devices {@code dev-FIRST..dev-(FIRST+count-1)} of a {@code --product}, each signed with its
 * derived secret, keepalive 1200 s, prints connects/s and failures, holds them for {@code
 * holdSeconds}, then closes them.
 *
 * <pre>
 * mvn -B -o -q package -DskipTests -pl perf,perf/benchmarks -am
 * # broker in its own process (it holds ~19,960 before its 20,000 open-files limit):
 * java -jar perf/target/thingflux.jar broker --port 18830 --product a1Bench,benchSecret &amp;
 * # two client processes of 9,980 devices each, disjoint names (each process has its own fd limit):
 * java -cp perf/benchmarks/target/thingflux-benchmarks.jar \
 *     io.thingflux.perf.measure.ConnectionCapacityMain 127.0.0.1 18830 9980 30 0 &amp;
 * java -cp perf/benchmarks/target/thingflux-benchmarks.jar \
 *     io.thingflux.perf.measure.ConnectionCapacityMain 127.0.0.1 18830 9980 30 9980
 * # broker in the same process (both ends count against one fd limit: stay under 10,000):
 * java -cp perf/benchmarks/target/thingflux-benchmarks.jar io.thingflux.perf.measure.ConnectionCapacityMain embedded 0 9000 30
 * </pre>
 *
 * Not a test (it runs for as long as it is told): a measurement program in the benchmarks jar.
 */
public final class ConnectionCapacityMain {

    static final int IN_FLIGHT = 500;
    static final String PRODUCT_KEY = "a1Bench";
    static final String PRODUCT_SECRET = "benchSecret";

    private ConnectionCapacityMain() {}

    public static void main(String[] args) throws Exception {
        String host = args[0];
        int port = Integer.parseInt(args[1]);
        int count = Integer.parseInt(args[2]);
        int holdSeconds = args.length > 3 ? Integer.parseInt(args[3]) : 10;
        int firstIndex =
                args.length > 4
                        ? Integer.parseInt(args[4])
                        : 0; // several client processes: disjoint devices
        AliyunPlatformEmulator embedded = null;
        if (host.equals("embedded")) {
            embedded =
                    AliyunPlatformEmulator.start(
                            EmulatorOptions.builder()
                                    .port(port)
                                    .product(PRODUCT_KEY, PRODUCT_SECRET)
                                    .build());
            host = "127.0.0.1";
            port = embedded.mqttAddress().getPort();
        }
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        Semaphore inFlight = new Semaphore(IN_FLIGHT);
        AtomicLong accepted = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        List<Channel> channels = java.util.Collections.synchronizedList(new ArrayList<>(count));
        ConcurrentHashMap<String, Long> failures = new ConcurrentHashMap<>();
        Bootstrap bootstrap =
                new Bootstrap()
                        .group(group)
                        .channel(NioSocketChannel.class)
                        .option(ChannelOption.TCP_NODELAY, true)
                        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 30_000)
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
                                                                if (msg instanceof ConnAck ack) {
                                                                    if (ack.returnCode().code()
                                                                            == 0) {
                                                                        accepted.incrementAndGet();
                                                                    } else {
                                                                        failed.incrementAndGet();
                                                                        failures.merge(
                                                                                "connack "
                                                                                        + ack
                                                                                                .returnCode(),
                                                                                1L,
                                                                                Long::sum);
                                                                    }
                                                                    inFlight.release();
                                                                }
                                                            }

                                                            @Override
                                                            public void exceptionCaught(
                                                                    ChannelHandlerContext ctx,
                                                                    Throwable cause) {
                                                                failures.merge(
                                                                        cause.getClass()
                                                                                .getSimpleName(),
                                                                        1L,
                                                                        Long::sum);
                                                                ctx.close();
                                                            }
                                                        });
                                    }
                                });
        InetSocketAddress remote = new InetSocketAddress(host, port);
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            inFlight.acquire();
            AliyunDeviceIdentity device =
                    AliyunProducts.deriveDevice(
                            PRODUCT_KEY, PRODUCT_SECRET, "dev-" + (firstIndex + i));
            bootstrap
                    .connect(remote)
                    .addListener(
                            f -> {
                                if (!f.isSuccess()) {
                                    failed.incrementAndGet();
                                    failures.merge(
                                            f.cause().getClass().getSimpleName()
                                                    + ": "
                                                    + f.cause().getMessage(),
                                            1L,
                                            Long::sum);
                                    inFlight.release();
                                    return;
                                }
                                Channel ch = ((io.netty.channel.ChannelFuture) f).channel();
                                channels.add(ch);
                                ch.writeAndFlush(TestSocket.connect(device, true, 1200));
                            });
        }
        inFlight.acquire(IN_FLIGHT); // every CONNECT answered
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf(
                "connections=%d accepted=%d failed=%d elapsed=%.2fs connects/s=%.0f%n",
                count, accepted.get(), failed.get(), seconds, accepted.get() / seconds);
        failures.forEach((k, v) -> System.out.println("  failure " + k + " x" + v));
        if (embedded != null) {
            System.out.println("broker stats: " + embedded.stats());
        }
        Runtime rt = Runtime.getRuntime();
        System.gc();
        System.out.printf(
                "holding for %d s; this JVM's heap used after GC: %d MiB%n",
                holdSeconds, (rt.totalMemory() - rt.freeMemory()) >> 20);
        TimeUnit.SECONDS.sleep(holdSeconds);
        long open = channels.stream().filter(Channel::isActive).count();
        System.out.println("still open after holding: " + open);
        group.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
        if (embedded != null) {
            embedded.close();
        }
    }
}
