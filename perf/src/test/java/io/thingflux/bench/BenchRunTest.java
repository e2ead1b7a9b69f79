package io.thingflux.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.thingflux.aliyun.AliyunDeviceIdentity;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.HdrHistogram.HistogramLogReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A short real-time run over a client that answers every post at once. */
class BenchRunTest {

    /** Answers at once; records the source address each device was given. */
    static final class InstantLoadClient implements LoadClient {
        final List<InetSocketAddress> sources = new CopyOnWriteArrayList<>();
        final Map<String, DownlinkListener> listeners = new java.util.concurrent.ConcurrentHashMap<>();
        /** Devices whose connect never completes. */
        final java.util.Set<String> hanging = java.util.concurrent.ConcurrentHashMap.newKeySet();

        @Override
        public String name() {
            return "instant";
        }

        @Override
        public BenchDevice device(AliyunDeviceIdentity identity, InetSocketAddress localAddress, DownlinkListener l) {
            sources.add(localAddress);
            listeners.put(identity.deviceName(), l);
            return new BenchDevice() {
                @Override
                public CompletableFuture<Void> connect() {
                    return hanging.contains(identity.deviceName()) ? new CompletableFuture<>()
                            : CompletableFuture.completedFuture(null);
                }

                @Override
                public CompletableFuture<Void> postProperties(Map<String, ?> params) {
                    return CompletableFuture.completedFuture(null);
                }

                @Override
                public CompletableFuture<Void> disconnect() {
                    return CompletableFuture.completedFuture(null);
                }
            };
        }

        @Override
        public void close() {
        }
    }

    @Test
    void aRunPostsExactlyItsScheduleSpreadsSourceAddressesAndWritesAReport(@TempDir Path dir) throws Exception {
        BenchOptions options = BenchOptions.builder().devices(5).connectRate(1000).interval(Duration.ofMillis(100))
                .duration(Duration.ofMillis(500)).host("127.0.0.1").product("a1PK", "ps").client(BenchClientKind.HIVEMQ)
                .sourceAddresses(List.of(InetAddress.getByName("127.0.0.1"), InetAddress.getByName("127.0.0.2")))
                .build();
        InstantLoadClient client = new InstantLoadClient();
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        BenchRun run = new BenchRun(options, DeviceRoster.derived("a1PK", "ps", "d", 5, Shard.WHOLE), client, null,
                BenchClock.SYSTEM, new PrintStream(progress, true, StandardCharsets.UTF_8));

        BenchResult r = run.run();

        // connects at start + j ms, posts from connect + 100 ms while before rampEnd (4 ms) + 500 ms:
        // devices 0..3 post 5 times, device 4 four times, however busy the machine is
        assertThat(r.sent()).isEqualTo(24);
        assertThat(r.acked()).isEqualTo(24);
        assertThat(r.connected()).isEqualTo(5);
        assertThat(r.failed()).isZero();
        assertThat(r.errors()).isEmpty();
        assertThat(r.publishLatency().getTotalCount()).isEqualTo(24);
        assertThat(r.client()).isEqualTo("instant");
        assertThat(client.sources).extracting(a -> a.getAddress().getHostAddress())
                .containsExactly("127.0.0.1", "127.0.0.2", "127.0.0.1", "127.0.0.2", "127.0.0.1");
        assertThat(progress.toString(StandardCharsets.UTF_8)).contains("connected 5/5");

        List<Path> files = BenchReport.write(dir, r, run.timeline());
        for (Path f : files) {
            assertThat(Files.size(f)).as(f.toString()).isPositive();
        }
        byte[] png = Files.readAllBytes(dir.resolve("latency-percentiles.png"));
        assertThat(new String(png, 1, 3, StandardCharsets.US_ASCII)).isEqualTo("PNG");
        assertThat(Files.exists(dir.resolve("throughput.png"))).isTrue();
        long logged = 0;
        HistogramLogReader reader = new HistogramLogReader(dir.resolve("publish-latency.hlog").toFile());
        for (var h = reader.nextIntervalHistogram(); h != null; h = reader.nextIntervalHistogram()) {
            logged += ((org.HdrHistogram.Histogram) h).getTotalCount();
        }
        assertThat(logged).isEqualTo(24);
        assertThat(BenchResultJson.read(dir.resolve("result.json")).publishLatency().getTotalCount()).isEqualTo(24);
    }

    @Test
    void propertySetsAreTimedFromTheirScheduleAndTheOnesThatNeverArriveCountAsLost() throws Exception {
        BenchOptions options = BenchOptions.builder().devices(2).connectRate(1000).interval(Duration.ofMillis(100))
                .duration(Duration.ofSeconds(1)).downlinkRate(10).adminPort(1).host("127.0.0.1").product("a1PK", "ps")
                .build();
        InstantLoadClient client = new InstantLoadClient();
        List<AliyunDeviceIdentity> devices = DeviceRoster.derived("a1PK", "ps", "d", 2, Shard.WHOLE);
        List<String> targets = new CopyOnWriteArrayList<>();
        DownlinkSender platform = (device, items) -> {
            targets.add(device.deviceName());
            if (!Long.valueOf(3).equals(items.get(PostParams.DOWNLINK_SEQ_PROPERTY))) { // the platform loses set 3
                client.listeners.get(device.deviceName()).onPropertySet(items);
            }
            return CompletableFuture.completedFuture(null);
        };

        BenchResult r = new BenchRun(options, devices, client, platform, BenchClock.SYSTEM, null).run();

        // from rampEnd (1 ms) + interval (100 ms) every 100 ms until rampEnd + 1 s: 9 property sets
        assertThat(r.downlinkSent()).isEqualTo(9);
        assertThat(r.downlinkReceived()).isEqualTo(8);
        assertThat(r.downlinkLatency().getTotalCount()).isEqualTo(8);
        assertThat(r.errors()).containsExactly(Map.entry("downlink_lost", 1L));
        assertThat(targets).containsExactly("d0", "d1", "d0", "d1", "d0", "d1", "d0", "d1", "d0");
    }

    @Test
    void connectsStillHangingAtTheEndCountAsFailedSoEveryDeviceIsConnectedOrFailed() throws Exception {
        BenchOptions options = BenchOptions.builder().devices(4).connectRate(1000).interval(Duration.ofMillis(100))
                .duration(Duration.ofMillis(300)).host("127.0.0.1").product("a1PK", "ps").build();
        InstantLoadClient client = new InstantLoadClient();
        client.hanging.addAll(List.of("d1", "d3"));

        BenchResult r = new BenchRun(options, DeviceRoster.derived("a1PK", "ps", "d", 4, Shard.WHOLE), client, null,
                BenchClock.SYSTEM, null).run();

        assertThat(r.connected()).isEqualTo(2);
        assertThat(r.failed()).isEqualTo(2);
        assertThat(r.errors()).containsExactly(Map.entry("connect_unfinished_at_end", 2L));
        assertThat(r.connectLatency().getTotalCount()).isEqualTo(2);
    }
}
