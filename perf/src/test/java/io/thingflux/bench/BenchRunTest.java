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
        final Map<String, DownlinkListener> listeners =
                new java.util.concurrent.ConcurrentHashMap<>();

        /** Devices whose connect never completes. */
        final java.util.Set<String> hanging = java.util.concurrent.ConcurrentHashMap.newKeySet();

        @Override
        public String name() {
            return "instant";
        }

        @Override
        public BenchDevice device(
                AliyunDeviceIdentity identity, InetSocketAddress localAddress, DownlinkListener l) {
            sources.add(localAddress);
            listeners.put(identity.deviceName(), l);
            return new BenchDevice() {
                @Override
                public CompletableFuture<Void> connect() {
                    return hanging.contains(identity.deviceName())
                            ? new CompletableFuture<>()
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
        public void close() {}
    }

    @Test
    void aRunPostsExactlyItsScheduleSpreadsSourceAddressesAndWritesAReport(@TempDir Path dir)
            throws Exception {
        BenchOptions options =
                BenchOptions.builder()
                        .devices(5)
                        .connectRate(1000)
                        .interval(Duration.ofMillis(100))
                        .duration(Duration.ofMillis(500))
                        .host("127.0.0.1")
                        .product("a1PK", "ps")
                        .client(BenchClientKind.HIVEMQ)
                        .sourceAddresses(
                                List.of(
                                        InetAddress.getByName("127.0.0.1"),
                                        InetAddress.getByName("127.0.0.2")))
                        .build();
        InstantLoadClient client = new InstantLoadClient();
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        BenchRun run =
                new BenchRun(
                        options,
                        DeviceRoster.derived("a1PK", "ps", "d", 5, Shard.WHOLE),
                        client,
                        null,
                        BenchClock.SYSTEM,
                        new PrintStream(progress, true, StandardCharsets.UTF_8));

        BenchResult r = run.run();

        // connects at start + j ms, posts from connect + 100 ms + phase, the phases (19 j ms)
        // putting the five devices' slots 20 ms apart (start + 100 + 20 j ms), while before rampEnd
        // (4 ms) + 500 ms: device 0 posts 5 times (100..500), devices 1..4 four times, however busy
        // the machine is
        assertThat(r.sent()).isEqualTo(21);
        assertThat(r.acked()).isEqualTo(21);
        assertThat(r.connected()).isEqualTo(5);
        assertThat(r.failed()).isZero();
        assertThat(r.errors()).isEmpty();
        assertThat(r.publishLatency().getTotalCount()).isEqualTo(21);
        assertThat(r.client()).isEqualTo("instant");
        assertThat(client.sources)
                .extracting(a -> a.getAddress().getHostAddress())
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
        HistogramLogReader reader =
                new HistogramLogReader(dir.resolve("publish-latency.hlog").toFile());
        for (var h = reader.nextIntervalHistogram();
                h != null;
                h = reader.nextIntervalHistogram()) {
            logged += ((org.HdrHistogram.Histogram) h).getTotalCount();
        }
        assertThat(logged).isEqualTo(21);
        assertThat(
                        BenchResultJson.read(dir.resolve("result.json"))
                                .publishLatency()
                                .getTotalCount())
                .isEqualTo(21);
    }

    @Test
    void propertySetsAreTimedFromTheirScheduleAndTheOnesThatNeverArriveCountAsLost()
            throws Exception {
        BenchOptions options =
                BenchOptions.builder()
                        .devices(2)
                        .connectRate(1000)
                        .interval(Duration.ofMillis(100))
                        .duration(Duration.ofSeconds(1))
                        .downlinkRate(10)
                        .adminPort(1)
                        .host("127.0.0.1")
                        .product("a1PK", "ps")
                        .build();
        InstantLoadClient client = new InstantLoadClient();
        List<AliyunDeviceIdentity> devices =
                DeviceRoster.derived("a1PK", "ps", "d", 2, Shard.WHOLE);
        List<String> targets = new CopyOnWriteArrayList<>();
        DownlinkSender platform =
                (device, items) -> {
                    targets.add(device.deviceName());
                    if (!Long.valueOf(3)
                            .equals(items.get(PostParams.DOWNLINK_SEQ_PROPERTY))) { // the platform
                        // loses set 3
                        client.listeners.get(device.deviceName()).onPropertySet(items);
                    }
                    return CompletableFuture.completedFuture(null);
                };

        BenchResult r =
                new BenchRun(options, devices, client, platform, BenchClock.SYSTEM, null).run();

        // from rampEnd (1 ms) + interval (100 ms) every 100 ms until rampEnd + 1 s: 9 property sets
        assertThat(r.downlinkSent()).isEqualTo(9);
        assertThat(r.downlinkReceived()).isEqualTo(8);
        assertThat(r.downlinkLatency().getTotalCount()).isEqualTo(8);
        assertThat(r.errors()).containsExactly(Map.entry("downlink_lost", 1L));
        assertThat(targets).containsExactly("d0", "d1", "d0", "d1", "d0", "d1", "d0", "d1", "d0");
    }

    @Test
    void anIntervalLongerThanTheDurationIsAConnectionOnlyRunThatHoldsTheDevicesToTheEnd()
            throws Exception {
        // the connects complete only once all of them were started and the ramp is over, as a slow
        // network would have it; the run must wait for them for its whole duration, not end with
        // the ramp
        BenchOptions options =
                BenchOptions.builder()
                        .devices(30)
                        .connectRate(1000)
                        .interval(Duration.ofSeconds(25))
                        .duration(Duration.ofSeconds(2))
                        .host("127.0.0.1")
                        .product("a1PK", "ps")
                        .build();
        ScriptedLoadClient scripted = new ScriptedLoadClient();
        List<ScriptedLoadClient.ScriptedDevice> devices =
                java.util.Collections.synchronizedList(scripted.devices);
        LoadClient client =
                new LoadClient() {
                    @Override
                    public String name() {
                        return scripted.name();
                    }

                    @Override
                    public BenchDevice device(
                            AliyunDeviceIdentity identity,
                            InetSocketAddress local,
                            DownlinkListener l) {
                        synchronized (devices) {
                            return scripted.device(identity, local, l);
                        }
                    }

                    @Override
                    public void close() {}
                };
        BenchRun run =
                new BenchRun(
                        options,
                        DeviceRoster.derived("a1PK", "ps", "d", 30, Shard.WHOLE),
                        client,
                        null,
                        BenchClock.SYSTEM,
                        null);
        CompletableFuture<BenchResult> result =
                CompletableFuture.supplyAsync(
                        () -> {
                            try {
                                return run.run();
                            } catch (InterruptedException e) {
                                throw new IllegalStateException(e);
                            }
                        });
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while (devices.size() < 30 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        synchronized (devices) {
            assertThat(devices).hasSize(30);
            devices.forEach(d -> d.connect.complete(null));
        }

        BenchResult r = result.get(20, java.util.concurrent.TimeUnit.SECONDS);

        assertThat(r.connected()).isEqualTo(30);
        assertThat(r.failed()).isZero();
        assertThat(r.errors()).isEmpty();
        assertThat(r.sent()).isZero();
        assertThat(r.overruns()).isZero();
        assertThat(r.durationSeconds())
                .isGreaterThanOrEqualTo(2.0); // the duration after the 29 ms ramp
        assertThat(devices).allSatisfy(d -> assertThat(d.disconnects).isEqualTo(1));
    }

    @Test
    void thePhasesPutTheFleetsSlotsEvenlyOverTheIntervalWhateverTheRamp() {
        long interval = Duration.ofSeconds(5).toNanos();
        // 3,000 devices at 3,000/s (ramp shorter than the interval), at 30,000/s, and 18,000 at
        // 2,000/s (ramp longer than the interval)
        int[][] runs = {{3000, 3000}, {3000, 30_000}, {18_000, 2000}, {1, 500}, {7, 3}};
        for (int[] run : runs) {
            int n = run[0];
            double rate = run[1];
            long[] positions = new long[n];
            for (int j = 0; j < n; j++) {
                long connect = BenchRun.connectOffsetNanos(j, rate);
                long phase = BenchRun.phaseNanos(j, n, connect, interval);
                assertThat(phase)
                        .as("device %d of %d at %s/s", j, n, rate)
                        .isBetween(0L, interval - 1);
                long firstPost =
                        connect + interval + phase; // no sooner than one interval after the connect
                positions[j] = Math.floorMod(firstPost, interval);
            }
            assertThat(BenchRun.phaseNanos(0, n, 0, interval)).isZero();
            java.util.Arrays.sort(positions);
            for (int j = 0;
                    j < n;
                    j++) { // slot j at j * interval / n after the first, to the nanosecond
                assertThat(positions[j])
                        .as("%d of %d at %s/s", j, n, rate)
                        .isEqualTo((long) (j * (double) interval / n));
            }
        }
    }

    @Test
    void connectsStillHangingAtTheEndCountAsFailedSoEveryDeviceIsConnectedOrFailed()
            throws Exception {
        BenchOptions options =
                BenchOptions.builder()
                        .devices(4)
                        .connectRate(1000)
                        .interval(Duration.ofMillis(100))
                        .duration(Duration.ofMillis(300))
                        .host("127.0.0.1")
                        .product("a1PK", "ps")
                        .build();
        InstantLoadClient client = new InstantLoadClient();
        client.hanging.addAll(List.of("d1", "d3"));

        BenchResult r =
                new BenchRun(
                                options,
                                DeviceRoster.derived("a1PK", "ps", "d", 4, Shard.WHOLE),
                                client,
                                null,
                                BenchClock.SYSTEM,
                                null)
                        .run();

        assertThat(r.connected()).isEqualTo(2);
        assertThat(r.failed()).isEqualTo(2);
        assertThat(r.errors()).containsExactly(Map.entry("connect_unfinished_at_end", 2L));
        assertThat(r.connectLatency().getTotalCount()).isEqualTo(2);
    }
}
