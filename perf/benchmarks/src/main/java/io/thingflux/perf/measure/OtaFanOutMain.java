package io.thingflux.perf.measure;

import io.thingflux.alink.AliyunDevice;
import io.thingflux.alink.AliyunDeviceOptions;
import io.thingflux.alink.OtaFirmware;
import io.thingflux.alink.PlatformServices;
import io.thingflux.aliyun.AliyunDeviceIdentity;
import io.thingflux.aliyun.AliyunProducts;
import io.thingflux.aliyun.AliyunSigner;
import io.thingflux.emulator.platform.AliyunPlatformEmulator;
import io.thingflux.emulator.platform.EmulatorOptions;
import io.thingflux.netty.client.MqttClientOptions;
import io.thingflux.netty.client.MqttClientResources;
import io.thingflux.netty.client.NettyMqttLink;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Measures one firmware offered to many devices at once: starts the platform emulator in this JVM,
 * connects N thing-model devices over Netty, registers a firmware file (CreateOTAFirmware with a
 * path) and starts one upgrade job for all of them; each device downloads the firmware over HTTP as
 * chunks ({@code DeviceOta.download}), counting bytes and verifying size, MD5 and sign, holding no
 * copy. Prints the wall time from the job to the last verified download, the bytes per second, the
 * peak of sampled used heap and how many verified.
 *
 * <pre>
 * java -Xmx512m -cp perf/benchmarks/target/thingflux-benchmarks.jar \
 *     io.thingflux.perf.measure.OtaFanOutMain 1000 10
 * </pre>
 */
public final class OtaFanOutMain {

    private static final String PK = "a1OtaFanOut";
    private static final String SECRET = "otaFanOutSecret";

    private OtaFanOutMain() {}

    public static void main(String[] args) throws Exception {
        int devices = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int megabytes = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        Path firmware = Files.createTempFile("firmware", ".bin");
        byte[] block = new byte[1024 * 1024];
        Random random = new Random(19);
        try (var out = Files.newOutputStream(firmware)) {
            for (int i = 0; i < megabytes; i++) {
                random.nextBytes(block);
                out.write(block);
            }
        }
        long size = (long) megabytes * block.length;
        block = null;
        try (AliyunPlatformEmulator emulator =
                AliyunPlatformEmulator.start(
                        EmulatorOptions.builder()
                                .host("127.0.0.1")
                                .port(0)
                                .adminPort(0)
                                .product(PK, SECRET)
                                .build())) {
            MqttClientResources resources = MqttClientResources.create(1);
            HttpClient http = HttpClient.newHttpClient();
            List<AliyunDevice> fleet = new ArrayList<>();
            for (int i = 0; i < devices; i++) {
                String dn = "ota-" + i;
                AliyunDeviceIdentity id =
                        new AliyunDeviceIdentity(
                                PK, dn, AliyunProducts.deriveDeviceSecret(SECRET, dn));
                AliyunDeviceOptions.Builder b = AliyunDeviceOptions.builder();
                PlatformServices.subscribe(b, PK, dn);
                fleet.add(
                        AliyunDevice.create(
                                NettyMqttLink.create(
                                        MqttClientOptions.builder(
                                                        "127.0.0.1",
                                                        emulator.mqttAddress().getPort())
                                                .aliyun(id, AliyunSigner.builder().build())
                                                .build(),
                                        resources),
                                id,
                                b.build()));
            }
            Flux.fromIterable(fleet)
                    .flatMap(AliyunDevice::connect, 100)
                    .then()
                    .block(Duration.ofMinutes(2));
            System.out.println(devices + " devices connected");
            AtomicLong bytes = new AtomicLong();
            AtomicLong verified = new AtomicLong();
            AtomicLong failed = new AtomicLong();
            Mono<Void> all =
                    Flux.fromIterable(fleet)
                            .flatMap(
                                    d -> {
                                        var ota = PlatformServices.of(d, http).ota();
                                        return ota.upgrades()
                                                .next()
                                                .flatMap(
                                                        (OtaFirmware f) ->
                                                                ota.download(f)
                                                                        .doOnNext(
                                                                                c ->
                                                                                        bytes
                                                                                                .addAndGet(
                                                                                                        c
                                                                                                                .bytes()
                                                                                                                .length))
                                                                        .then(
                                                                                Mono.fromRunnable(
                                                                                        verified
                                                                                                ::incrementAndGet)))
                                                .onErrorResume(
                                                        e -> {
                                                            if (failed.incrementAndGet() < 5) {
                                                                System.out.println("failed: " + e);
                                                            }
                                                            return Mono.empty();
                                                        })
                                                .then();
                                    },
                                    devices)
                            .then()
                            .cache();
            all.subscribe(); // listening for the notices before the job starts
            int admin = emulator.adminAddress().orElseThrow().getPort();
            String created =
                    post(
                            http,
                            admin,
                            "CreateOTAFirmware",
                            "{\"ProductKey\":\""
                                    + PK
                                    + "\",\"DestVersion\":\"2.0\",\"SignMethod\":\"SHA256\",\"FirmwarePath\":\""
                                    + firmware
                                    + "\"}");
            String firmwareId = created.replaceAll(".*\"FirmwareId\":\"([^\"]+)\".*", "$1");
            StringBuilder names = new StringBuilder();
            for (int i = 0; i < devices; i++) {
                names.append(i == 0 ? "" : ",").append("ota-").append(i);
            }
            MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
            System.gc();
            long heapBefore = memory.getHeapMemoryUsage().getUsed();
            AtomicLong peak = new AtomicLong();
            AtomicLong live = new AtomicLong();
            long total = size * devices;
            Thread sampler =
                    new Thread(
                            () -> {
                                while (!Thread.currentThread().isInterrupted()) {
                                    peak.accumulateAndGet(
                                            memory.getHeapMemoryUsage().getUsed(), Math::max);
                                    if (live.get() == 0 && bytes.get() >= total / 2) {
                                        System.gc(); // the live set mid-transfer
                                        live.set(memory.getHeapMemoryUsage().getUsed());
                                    }
                                    try {
                                        Thread.sleep(50);
                                    } catch (InterruptedException e) {
                                        return;
                                    }
                                }
                            });
            sampler.setDaemon(true);
            sampler.start();
            long start = System.nanoTime();
            post(
                    http,
                    admin,
                    "CreateOTAStaticUpgradeJob",
                    "{\"FirmwareId\":\""
                            + firmwareId
                            + "\",\"ProductKey\":\""
                            + PK
                            + "\",\"TargetDeviceNameList\":\""
                            + names
                            + "\"}");
            all.block(Duration.ofMinutes(4));
            double seconds = (System.nanoTime() - start) / 1e9;
            sampler.interrupt();
            System.out.printf(
                    "devices %d, firmware %d B, verified %d, failed %d%n"
                            + "wall %.1f s, %.1f MB/s (%,d bytes)%n"
                            + "heap: before %d MB, after a GC at half the bytes %d MB, sampled peak %d"
                            + " MB, max %d MB%n",
                    devices,
                    size,
                    verified.get(),
                    failed.get(),
                    seconds,
                    bytes.get() / seconds / 1e6,
                    bytes.get(),
                    heapBefore >> 20,
                    live.get() >> 20,
                    peak.get() >> 20,
                    Runtime.getRuntime().maxMemory() >> 20);
            Flux.fromIterable(fleet).flatMap(AliyunDevice::disconnect, 200).then().block();
            resources.disposeLater().block();
        } finally {
            Files.deleteIfExists(firmware);
        }
    }

    private static String post(HttpClient http, int port, String action, String body)
            throws Exception {
        HttpResponse<String> r =
                http.send(
                        HttpRequest.newBuilder(
                                        URI.create("http://127.0.0.1:" + port + "/api/" + action))
                                .POST(HttpRequest.BodyPublishers.ofString(body))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        if (!r.body().contains("\"Success\":true")) {
            throw new IllegalStateException(action + ": " + r.body());
        }
        return r.body();
    }
}
