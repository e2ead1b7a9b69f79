package io.thingflux.perf.jmh;

import io.thingflux.aliyun.AliyunDeviceIdentity;
import io.thingflux.aliyun.AliyunSigner;
import io.thingflux.emulator.platform.AliyunPlatformEmulator;
import io.thingflux.emulator.platform.EmulatorOptions;
import io.thingflux.link.outbox.FileOutboxOptions;
import io.thingflux.link.outbox.FsyncPolicy;
import io.thingflux.mqtt.MqttQos;
import io.thingflux.netty.client.MqttClient;
import io.thingflux.netty.client.MqttClientOptions;
import io.thingflux.netty.client.MqttClientResources;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import reactor.core.publisher.Flux;

/**
 * One device's QoS 1 publishes per second to the platform emulator in this process, with its outbox
 * in memory or in a file log at each fsync policy: the cost of durability side by side. Each
 * invocation publishes {@value #BATCH} posts of {@value #PAYLOAD_BYTES} bytes with up to {@value
 * #WINDOW} awaiting PUBACK and waits for all. The file log lives in {@code java.io.tmpdir} (set
 * {@code -Djava.io.tmpdir=} to measure another disk).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class OutboxPublishBenchmark {

    static final int BATCH = 256;
    static final int WINDOW = 32;
    static final int PAYLOAD_BYTES = 256;

    private static final String PK = "a1BenchOutbox";
    private static final String DN = "outbox-device";
    private static final String SECRET = "benchOutboxSecret0123456789ab";

    /**
     * {@code memory}, or the file outbox's fsync policy: {@code never}, {@code 100ms}, {@code
     * always}.
     */
    @Param({"memory", "never", "100ms", "always"})
    public String outbox;

    private AliyunPlatformEmulator emulator;
    private MqttClientResources resources;
    private MqttClient client;
    private Path dir;
    private String topic;
    private byte[] payload;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        AliyunDeviceIdentity identity = new AliyunDeviceIdentity(PK, DN, SECRET);
        emulator =
                AliyunPlatformEmulator.start(
                        EmulatorOptions.builder().port(0).device(identity).build());
        resources = MqttClientResources.create(1);
        MqttClientOptions.Builder options =
                MqttClientOptions.builder("127.0.0.1", emulator.mqttAddress().getPort())
                        .aliyun(identity, AliyunSigner.builder().build())
                        .maxInFlight(WINDOW);
        if (!outbox.equals("memory")) {
            dir = Files.createTempDirectory("thingflux-outbox-bench");
            options.outboxStorage(FileOutboxOptions.in(dir).fsync(FsyncPolicy.parse(outbox)));
        }
        client = MqttClient.create(options.build(), resources);
        client.connect().block(Duration.ofSeconds(30));
        topic = "/sys/" + PK + "/" + DN + "/thing/event/property/post";
        StringBuilder json =
                new StringBuilder(
                        "{\"id\":\"1\",\"version\":\"1.0\",\"method\":\"thing.event.property.post\",\"params\":{\"pad\":\"");
        while (json.length() < PAYLOAD_BYTES - 3) {
            json.append('x');
        }
        payload = json.append("\"}}").toString().getBytes(StandardCharsets.UTF_8);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        client.disconnect().block(Duration.ofSeconds(10));
        resources.dispose();
        emulator.close();
        if (dir != null) {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public Object publishQos1() {
        return Flux.range(0, BATCH)
                .flatMap(i -> client.publish(topic, payload, MqttQos.AT_LEAST_ONCE), WINDOW)
                .blockLast(Duration.ofSeconds(60));
    }
}
