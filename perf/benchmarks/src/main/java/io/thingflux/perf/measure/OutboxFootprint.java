package io.thingflux.perf.measure;

import io.thingflux.link.ReconnectPolicy;
import io.thingflux.link.outbox.FileOutboxOptions;
import io.thingflux.link.outbox.FsyncPolicy;
import io.thingflux.link.outbox.OverflowPolicy;
import io.thingflux.mqtt.MqttQos;
import io.thingflux.netty.client.MqttClient;
import io.thingflux.netty.client.MqttClientOptions;
import io.thingflux.netty.client.MqttClientResources;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import reactor.core.publisher.Mono;

/**
 * Measures what a queued QoS 1 publish costs in the heap and on disk: one client, never connected
 * (its broker port is closed), publishes N Aliyun property posts of 256 bytes, which wait in its
 * outbox; prints (heap after − heap before) / N after full collections, for the outbox in memory
 * and in a file log, and the log's bytes on disk / N.
 *
 * <pre>
 * java -cp perf/benchmarks/target/thingflux-benchmarks.jar io.thingflux.perf.measure.OutboxFootprint 10000
 * </pre>
 */
public final class OutboxFootprint {

    private static final String TOPIC = "/sys/a1Bench/footprint-0001/thing/event/property/post";
    private static final int PAYLOAD_BYTES = 256;

    private OutboxFootprint() {}

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        measure("memory", n, closedPort, null);
        Path dir = Files.createTempDirectory("outbox-footprint");
        measure("file", n, closedPort, dir);
    }

    private static void measure(String mode, int n, int port, Path dir) throws Exception {
        MqttClientResources resources = MqttClientResources.create();
        MqttClientOptions.Builder options =
                MqttClientOptions.builder("127.0.0.1", port)
                        .clientId("footprint-" + mode)
                        .outbox(n, OverflowPolicy.FAIL)
                        .reconnect(ReconnectPolicy.none());
        if (dir != null) {
            options.outboxStorage(
                    FileOutboxOptions.in(dir).bounds(n, 1L << 30).fsync(FsyncPolicy.never()));
        }
        MqttClient client = MqttClient.create(options.build(), resources);
        long before = heapAfterGc();
        AtomicInteger failed = new AtomicInteger();
        for (int i = 0; i < n; i++) {
            byte[] payload = new byte[PAYLOAD_BYTES];
            payload[0] = (byte) i;
            client.publish(TOPIC, payload, MqttQos.AT_LEAST_ONCE)
                    .subscribe(r -> {}, e -> failed.incrementAndGet());
        }
        Thread.sleep(Duration.ofSeconds(1).toMillis()); // let the log's writes finish
        long after = heapAfterGc();
        String disk = dir == null ? "" : String.format(" disk/queued=%,d bytes", bytes(dir) / n);
        System.out.printf(
                "outbox=%s queued=%,d failed=%,d heap/queued=%,d bytes (payload %d)%s%n",
                mode, n, failed.get(), (after - before) / n, PAYLOAD_BYTES, disk);
        client.disconnect().onErrorResume(e -> Mono.empty()).block();
        resources.dispose();
    }

    private static long bytes(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile)
                    .mapToLong(
                            f -> {
                                try {
                                    return Files.size(f);
                                } catch (IOException e) {
                                    return 0;
                                }
                            })
                    .sum();
        }
    }

    private static long heapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(200);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
