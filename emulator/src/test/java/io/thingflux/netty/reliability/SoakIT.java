package io.thingflux.netty.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.thingflux.aliyun.AliyunDeviceIdentity;
import io.thingflux.aliyun.AliyunProducts;
import io.thingflux.aliyun.AliyunSigner;
import io.thingflux.emulator.platform.AliyunPlatformEmulator;
import io.thingflux.emulator.platform.BrokerStats;
import io.thingflux.emulator.platform.EmulatorOptions;
import io.thingflux.link.LinkState;
import io.thingflux.mqtt.MqttQos;
import io.thingflux.netty.client.MqttClient;
import io.thingflux.netty.client.MqttClientOptions;
import io.thingflux.netty.client.MqttClientResources;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;

/**
 * Soak: many signed devices post their properties at QoS 1 every second to the Aliyun platform
 * emulator in the same JVM, for minutes. Every few seconds the heap after GC is sampled; at the end
 * a least-squares slope is fitted to the samples after the warm-up, and the run fails on a slope
 * above the limit, on any failed post, reconnect or broker-side error, and (through the
 * leak-detection extension, paranoid) on any ByteBuf leak report.
 *
 * <p>Off unless {@code -Dsoak=true}. The full run of issue 9 (5,000 devices, 10 minutes):
 *
 * <pre>
 * mvn -B -o test -pl emulator -am -Dtest=SoakIT -Dsoak=true -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 *
 * A short one: add {@code -Dsoak.devices=1000 -Dsoak.minutes=2}. Other knobs: {@code
 * soak.sampleSeconds} (10), {@code soak.warmupSeconds} (30), {@code soak.maxSlopeMiBPerMinute} (2).
 */
class SoakIT {

    private static final String PK = "a1SoakPk";
    private static final String PRODUCT_SECRET = "SoakProductSecret";
    private static final Duration WAIT = Duration.ofSeconds(120);

    @Test
    void devicesPostingEverySecondKeepAFlatHeapWithNoErrorsOrLeaks() throws Exception {
        Assumptions.assumeTrue(Boolean.getBoolean("soak"), "soak runs only with -Dsoak=true");
        int devices = Integer.getInteger("soak.devices", 5_000);
        double minutes = Double.parseDouble(System.getProperty("soak.minutes", "10"));
        int sampleSeconds = Integer.getInteger("soak.sampleSeconds", 10);
        int warmupSeconds = Integer.getInteger("soak.warmupSeconds", 30);
        double maxSlope = Double.parseDouble(System.getProperty("soak.maxSlopeMiBPerMinute", "2"));

        MqttClientResources resources = MqttClientResources.create(1);
        AliyunPlatformEmulator broker =
                AliyunPlatformEmulator.start(
                        EmulatorOptions.builder()
                                .port(0)
                                .product(PK, PRODUCT_SECRET)
                                .eventLoopThreads(1)
                                .build());
        List<MqttClient> clients = new ArrayList<>(devices);
        AtomicLong ok = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        AtomicLong maxLatencyNanos = new AtomicLong();
        Disposable.Composite posting = Disposables.composite();
        try {
            int port = broker.mqttAddress().getPort();
            for (int i = 0; i < devices; i++) {
                AliyunDeviceIdentity d =
                        AliyunProducts.deriveDevice(PK, PRODUCT_SECRET, "soak" + i);
                clients.add(
                        MqttClient.create(
                                MqttClientOptions.builder("127.0.0.1", port)
                                        .aliyun(d, AliyunSigner.defaults())
                                        .aliyunLimits(true)
                                        .keepAliveSeconds(300)
                                        .build(),
                                resources));
            }
            Flux.fromIterable(clients).flatMap(MqttClient::connect, 100).blockLast(WAIT);
            for (int i = 0; i < devices; i++) {
                MqttClient c = clients.get(i);
                String topic = "/sys/" + PK + "/soak" + i + "/thing/event/property/post";
                long offsetMillis = ThreadLocalRandom.current().nextLong(1_000);
                posting.add(
                        Flux.interval(Duration.ofMillis(offsetMillis), Duration.ofSeconds(1))
                                .onBackpressureDrop(tick -> failed.incrementAndGet())
                                .concatMap(
                                        n -> {
                                            long start = System.nanoTime();
                                            byte[] body =
                                                    ("{\"id\":\""
                                                                    + n
                                                                    + "\",\"version\":\"1.0\",\"params\":{\"temperature\":"
                                                                    + (20 + n % 10)
                                                                    + "},\"method\":\"thing.event.property.post\"}")
                                                            .getBytes(StandardCharsets.UTF_8);
                                            return c.publish(topic, body, MqttQos.AT_LEAST_ONCE)
                                                    .doOnNext(
                                                            r ->
                                                                    maxLatencyNanos
                                                                            .accumulateAndGet(
                                                                                    System
                                                                                                    .nanoTime()
                                                                                            - start,
                                                                                    Math::max));
                                        },
                                        1)
                                .subscribe(
                                        r -> (r.isSuccess() ? ok : failed).incrementAndGet(),
                                        e -> failed.incrementAndGet()));
            }

            long start = System.nanoTime();
            long end = start + (long) (minutes * 60e9);
            List<double[]> samples = new ArrayList<>();
            while (System.nanoTime() < end) {
                Thread.sleep(
                        sampleSeconds * 1_000L); // pacing of the samples, not a synchronisation
                double atMinutes = (System.nanoTime() - start) / 60e9;
                long heap = HeapProbe.usedAfterGc();
                samples.add(new double[] {atMinutes, heap / (1024.0 * 1024.0)});
                System.out.printf(
                        "soak t=%.2f min heap-after-gc=%s posts ok=%d failed=%d max-latency=%d ms%n",
                        atMinutes,
                        HeapProbe.mib(heap),
                        ok.get(),
                        failed.get(),
                        maxLatencyNanos.get() / 1_000_000);
            }
            posting.dispose();
            double slope = slope(samples.stream().filter(s -> s[0] * 60 >= warmupSeconds).toList());
            BrokerStats stats = broker.stats();
            System.out.printf(
                    "soak result: %d devices, %.1f min, %d posts ok, %d failed, heap slope %.3f MiB/min"
                            + " (limit %.1f), broker received %d, protocol errors %d, keepalive timeouts %d,"
                            + " connects %d%n",
                    devices,
                    minutes,
                    ok.get(),
                    failed.get(),
                    slope,
                    maxSlope,
                    stats.publishesReceived(),
                    stats.protocolErrors(),
                    stats.keepAliveTimeouts(),
                    stats.connectsAccepted());

            assertThat(failed.get()).as("failed or skipped posts").isZero();
            assertThat(ok.get())
                    .as("posts made")
                    .isGreaterThan((long) (devices * (minutes * 60 - 2)));
            assertThat(stats.protocolErrors()).isZero();
            assertThat(stats.keepAliveTimeouts()).isZero();
            assertThat(stats.connectsAccepted()).as("no reconnects").isEqualTo(devices);
            assertThat(clients)
                    .allSatisfy(c -> assertThat(c.state()).isEqualTo(LinkState.CONNECTED));
            assertThat(slope).as("heap after GC, MiB per minute").isLessThan(maxSlope);
            Flux.fromIterable(clients).flatMap(MqttClient::disconnect, 200).blockLast(WAIT);
        } finally {
            posting.dispose();
            broker.close();
            resources.disposeLater().block(Duration.ofSeconds(30));
        }
    }

    /** Least-squares slope of y over x. */
    static double slope(List<double[]> points) {
        if (points.size() < 2) {
            throw new IllegalStateException(
                    "need at least two heap samples after the warm-up; run longer");
        }
        double n = points.size();
        double sx = 0;
        double sy = 0;
        double sxx = 0;
        double sxy = 0;
        for (double[] p : points) {
            sx += p[0];
            sy += p[1];
            sxx += p[0] * p[0];
            sxy += p[0] * p[1];
        }
        return (n * sxy - sx * sy) / (n * sxx - sx * sx);
    }
}
