package io.thingflux.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thingflux.alink.AliyunDevice;
import io.thingflux.alink.AliyunDeviceOptions;
import io.thingflux.alink.AliyunGateway;
import io.thingflux.alink.AliyunGatewayOptions;
import io.thingflux.aliyun.AliyunDeviceIdentity;
import io.thingflux.aliyun.AliyunProducts;
import io.thingflux.aliyun.AliyunSigner;
import io.thingflux.emulator.platform.AliyunPlatformEmulator;
import io.thingflux.emulator.platform.EmulatorOptions;
import io.thingflux.netty.client.MqttClientOptions;
import io.thingflux.netty.client.MqttClientResources;
import io.thingflux.netty.client.NettyMqttLink;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * A bench fleet behind gateways ({@code bench --gateways G --subdevices-per-gateway S}): G gateway
 * connections, each adding its S sub-devices to its topology and logging them in in batches of
 * {@value AliyunGatewayOptions#MAX_BATCH_LOGIN}, then every sub-device posting properties on the
 * absolute schedule direct devices follow (device k of N first posts at {@code interval * k / N},
 * then every interval; latency from the scheduled time to the reply). Reports the sub-device login
 * rate and batch latency, post latency, failures and heap per sub-device.
 */
public final class GatewayBench {

    /** Gateways connecting at once. */
    static final int CONNECT_CONCURRENCY = 64;

    /** Gateways logging their sub-devices in at once. */
    static final int LOGIN_CONCURRENCY = 16;

    /** What one run measured. */
    public record Result(
            int gateways,
            int subDevicesPerGateway,
            int loggedIn,
            long loginFailures,
            double loginsPerSecond,
            Histogram loginBatchMicros,
            long posts,
            long postFailures,
            Histogram postMicros,
            long heapBytesPerSubDevice,
            boolean embedded) {

        /** This result, saying whether the emulator ran in this process. */
        Result withEmbedded(boolean embeddedEmulator) {
            return new Result(
                    gateways,
                    subDevicesPerGateway,
                    loggedIn,
                    loginFailures,
                    loginsPerSecond,
                    loginBatchMicros,
                    posts,
                    postFailures,
                    postMicros,
                    heapBytesPerSubDevice,
                    embeddedEmulator);
        }

        /** The result as a few lines for the console. */
        public String summary() {
            return String.format(
                    "gateways %,d x sub-devices %,d = %,d logged in (%,d failed)%n"
                            + "  logins: %,.0f sub-devices/s; batch of %d: p50 %.1f ms, p99 %.1f ms, max %.1f ms%n"
                            + "  posts: %,d answered, %,d failed; latency p50 %.1f ms, p99 %.1f ms, max %.1f ms%n"
                            + "  heap per sub-device: %,d B%s%n",
                    gateways,
                    subDevicesPerGateway,
                    loggedIn,
                    loginFailures,
                    loginsPerSecond,
                    AliyunGatewayOptions.MAX_BATCH_LOGIN,
                    ms(loginBatchMicros, 50),
                    ms(loginBatchMicros, 99),
                    loginBatchMicros.getMaxValue() / 1000.0,
                    posts,
                    postFailures,
                    ms(postMicros, 50),
                    ms(postMicros, 99),
                    postMicros.getMaxValue() / 1000.0,
                    heapBytesPerSubDevice,
                    embedded ? " (includes the emulator in this process)" : "");
        }

        /** Writes the result as JSON. */
        public void writeJson(Path file) throws IOException {
            ObjectMapper json = new ObjectMapper();
            ObjectNode n = json.createObjectNode();
            n.put("mode", "gateway");
            n.put("gateways", gateways);
            n.put("subDevicesPerGateway", subDevicesPerGateway);
            n.put("loggedIn", loggedIn);
            n.put("loginFailures", loginFailures);
            n.put("loginsPerSecond", loginsPerSecond);
            n.put("loginBatchP50Ms", ms(loginBatchMicros, 50));
            n.put("loginBatchP99Ms", ms(loginBatchMicros, 99));
            n.put("posts", posts);
            n.put("postFailures", postFailures);
            n.put("postP50Ms", ms(postMicros, 50));
            n.put("postP99Ms", ms(postMicros, 99));
            n.put("postMaxMs", postMicros.getMaxValue() / 1000.0);
            n.put("heapBytesPerSubDevice", heapBytesPerSubDevice);
            n.put("embeddedEmulator", embedded);
            Files.writeString(file, json.writerWithDefaultPrettyPrinter().writeValueAsString(n));
        }

        private static double ms(Histogram h, double percentile) {
            return h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(percentile) / 1000.0;
        }
    }

    private GatewayBench() {}

    /**
     * Runs the fleet: against the emulator started here without {@code --host}, else against the
     * broker of {@code --host} with the sub-devices and gateways derived from {@code --product}.
     *
     * @throws BenchRefusedException for {@code --host} without {@code --product}
     */
    public static Result run(
            BenchOptions options, int gateways, int perGateway, PrintStream progress)
            throws InterruptedException {
        String pk;
        String secret;
        AliyunPlatformEmulator emulator = null;
        String host;
        int port;
        if (options.embedded()) {
            byte[] random = new byte[16];
            new SecureRandom().nextBytes(random);
            pk = BenchOptions.EMBEDDED_PRODUCT_KEY;
            secret = HexFormat.of().formatHex(random);
            emulator =
                    AliyunPlatformEmulator.start(
                            EmulatorOptions.builder()
                                    .host("127.0.0.1")
                                    .port(0)
                                    .product(pk, secret)
                                    .build());
            host = "127.0.0.1";
            port = emulator.mqttAddress().getPort();
        } else {
            pk =
                    options.productKey()
                            .orElseThrow(
                                    () ->
                                            new BenchRefusedException(
                                                    "--gateways with --host needs --product PK,SECRET"));
            secret = options.productSecret().orElseThrow();
            host = options.host().orElseThrow();
            port = options.port();
        }
        try {
            return fleet(options, pk, secret, host, port, gateways, perGateway, progress)
                    .withEmbedded(emulator != null);
        } finally {
            if (emulator != null) {
                emulator.close();
            }
        }
    }

    private static Result fleet(
            BenchOptions options,
            String pk,
            String secret,
            String host,
            int port,
            int gateways,
            int perGateway,
            PrintStream progress)
            throws InterruptedException {
        String prefix = options.devicePrefix();
        // the identities are the run's input, made before the heap is measured (as the direct
        // bench's roster is)
        List<List<AliyunDeviceIdentity>> subs = new ArrayList<>(gateways);
        for (int g = 0; g < gateways; g++) {
            List<AliyunDeviceIdentity> mine = new ArrayList<>(perGateway);
            for (int s = 0; s < perGateway; s++) {
                mine.add(AliyunProducts.deriveDevice(pk, secret, prefix + "gw" + g + "-s" + s));
            }
            subs.add(mine);
        }
        long heapBefore = BenchRun.usedHeapAfterGc();
        MqttClientResources resources =
                MqttClientResources.create(Runtime.getRuntime().availableProcessors());
        AliyunGatewayOptions gatewayOptions =
                AliyunGatewayOptions.builder()
                        .maxSubDevices(Math.max(perGateway, 1))
                        .deviceOptions(
                                AliyunDeviceOptions.builder()
                                        .publishQos(options.qos())
                                        .replyTimeout(options.replyTimeout())
                                        .build())
                        .build();
        List<AliyunGateway> fleet = new ArrayList<>(gateways);
        for (int g = 0; g < gateways; g++) {
            AliyunDeviceIdentity gw = AliyunProducts.deriveDevice(pk, secret, prefix + "gw" + g);
            fleet.add(
                    AliyunGateway.create(
                            NettyMqttLink.create(
                                    MqttClientOptions.builder(host, port)
                                            .aliyun(gw, AliyunSigner.defaults())
                                            .keepAliveSeconds(
                                                    (int)
                                                            BenchOptions.DEFAULT_KEEP_ALIVE
                                                                    .toSeconds())
                                            .build(),
                                    resources),
                            gw,
                            gatewayOptions));
        }
        try {
            progress.printf("connecting %,d gateways%n", gateways);
            Flux.range(0, gateways)
                    .flatMap(g -> fleet.get(g).connect(), CONNECT_CONCURRENCY)
                    .then()
                    .block(Duration.ofMinutes(5));

            Recorder loginLatency = new Recorder(3);
            AtomicLong loginFailures = new AtomicLong();
            List<AliyunDevice> devices = Collections.synchronizedList(new ArrayList<>());
            progress.printf("logging in %,d sub-devices%n", (long) gateways * perGateway);
            long loginStart = System.nanoTime();
            Flux.range(0, gateways)
                    .flatMap(
                            g ->
                                    loginGateway(
                                            fleet.get(g),
                                            subs.get(g),
                                            loginLatency,
                                            loginFailures,
                                            devices),
                            LOGIN_CONCURRENCY)
                    .then()
                    .block(Duration.ofMinutes(10));
            double loginSeconds = (System.nanoTime() - loginStart) / 1e9;
            int loggedIn = devices.size();
            progress.printf(
                    "%,d logged in in %.1f s (%,d failed)%n",
                    loggedIn, loginSeconds, loginFailures.get());

            Recorder postLatency = new Recorder(3);
            AtomicLong answered = new AtomicLong();
            AtomicLong failed = new AtomicLong();
            List<AliyunDevice> posting = List.copyOf(devices);
            long heapPerSub =
                    post(options, posting, postLatency, answered, failed, progress, heapBefore);
            return new Result(
                    gateways,
                    perGateway,
                    loggedIn,
                    loginFailures.get(),
                    loggedIn / loginSeconds,
                    loginLatency.getIntervalHistogram(),
                    answered.get(),
                    failed.get(),
                    postLatency.getIntervalHistogram(),
                    heapPerSub,
                    false);
        } finally {
            Flux.fromIterable(fleet)
                    .flatMap(g -> g.disconnect().onErrorResume(e -> Mono.empty()), 256)
                    .then()
                    .block(Duration.ofMinutes(1));
            resources.disposeLater().block(Duration.ofSeconds(30));
        }
    }

    /** Adds one gateway's sub-devices to its topology, then logs them in, batch by batch. */
    private static Mono<Void> loginGateway(
            AliyunGateway gw,
            List<AliyunDeviceIdentity> subs,
            Recorder latency,
            AtomicLong failures,
            List<AliyunDevice> devices) {
        List<List<AliyunDeviceIdentity>> batches = new ArrayList<>();
        for (int i = 0; i < subs.size(); i += AliyunGatewayOptions.MAX_BATCH_LOGIN) {
            batches.add(
                    subs.subList(
                            i, Math.min(subs.size(), i + AliyunGatewayOptions.MAX_BATCH_LOGIN)));
        }
        return Flux.fromIterable(batches)
                .concatMap(
                        batch ->
                                gw.addTopology(batch)
                                        .then(
                                                Mono.defer(
                                                        () -> {
                                                            long t0 = System.nanoTime();
                                                            return gw.login(batch)
                                                                    .doOnNext(
                                                                            l -> {
                                                                                latency.recordValue(
                                                                                        (System
                                                                                                                .nanoTime()
                                                                                                        - t0)
                                                                                                / 1000);
                                                                                devices.addAll(l);
                                                                            });
                                                        }))
                                        .onErrorResume(
                                                e -> {
                                                    failures.addAndGet(batch.size());
                                                    return Mono.empty();
                                                }))
                .then();
    }

    /**
     * Posts on the absolute schedule for the run's duration, then waits for the last replies;
     * returns the heap per sub-device measured while all are logged in.
     */
    private static long post(
            BenchOptions options,
            List<AliyunDevice> devices,
            Recorder latency,
            AtomicLong answered,
            AtomicLong failed,
            PrintStream progress,
            long heapBefore)
            throws InterruptedException {
        int n = devices.size();
        if (n == 0) {
            return 0;
        }
        long intervalNanos = options.interval().toNanos();
        long durationNanos = options.duration().toNanos();
        long total = (long) Math.floor((double) durationNanos / intervalNanos * n);
        AtomicLong next = new AtomicLong();
        AtomicLong outstanding = new AtomicLong();
        long start = System.nanoTime() + intervalNanos; // the first slot is one interval away
        Map<String, Object> properties = Map.of("temperature", 21.5, "humidity", 40);
        progress.printf(
                "%,d sub-devices posting every %s for %s (%,.0f posts/s)%n",
                n, options.interval(), options.duration(), n * 1e9 / intervalNanos);
        Disposable ticker =
                Flux.interval(Duration.ofMillis(5), Schedulers.single())
                        .subscribe(
                                tick -> {
                                    long now = System.nanoTime();
                                    long p;
                                    while ((p = next.get()) < total) {
                                        long due =
                                                start
                                                        + (p / n) * intervalNanos
                                                        + (p % n) * intervalNanos / n;
                                        if (due > now) {
                                            break;
                                        }
                                        next.set(p + 1);
                                        outstanding.incrementAndGet();
                                        devices.get((int) (p % n))
                                                .postProperties(properties)
                                                .subscribe(
                                                        r -> {
                                                            latency.recordValue(
                                                                    Math.max(
                                                                            0,
                                                                            (System.nanoTime()
                                                                                            - due)
                                                                                    / 1000));
                                                            answered.incrementAndGet();
                                                            outstanding.decrementAndGet();
                                                        },
                                                        e -> {
                                                            failed.incrementAndGet();
                                                            outstanding.decrementAndGet();
                                                        });
                                    }
                                });
        long heapPerSub;
        try {
            long halfway = start + durationNanos / 2;
            while (System.nanoTime() < halfway) {
                TimeUnit.MILLISECONDS.sleep(100);
            }
            heapPerSub = Math.max(0, BenchRun.usedHeapAfterGc() - heapBefore) / n;
            long end = start + durationNanos;
            long lastPrint = System.nanoTime();
            while (next.get() < total && System.nanoTime() < end + intervalNanos) {
                TimeUnit.MILLISECONDS.sleep(100);
                if (System.nanoTime() - lastPrint > 5_000_000_000L) {
                    lastPrint = System.nanoTime();
                    progress.printf(
                            "  %,d posts answered, %,d failed, %,d waiting%n",
                            answered.get(), failed.get(), outstanding.get());
                }
            }
        } finally {
            ticker.dispose();
        }
        long deadline = System.nanoTime() + options.replyTimeout().toNanos() + 1_000_000_000L;
        while (outstanding.get() > 0 && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(50);
        }
        return heapPerSub;
    }
}
