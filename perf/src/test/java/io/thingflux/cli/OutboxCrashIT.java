package io.thingflux.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.thingflux.aliyun.AliyunDeviceIdentity;
import io.thingflux.emulator.platform.AliyunPlatformEmulator;
import io.thingflux.emulator.platform.DistinctPublish;
import io.thingflux.emulator.platform.EmulatorOptions;
import io.thingflux.link.outbox.FileOutboxOptions;
import io.thingflux.link.outbox.OutboxStore.Pending;
import io.thingflux.link.outbox.internal.FileOutbox;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code thingflux device --outbox DIR} killed with SIGKILL at random points, over and over, while
 * a proxy in front of the emulator cuts the connection at random points (the broker outage): every
 * post acknowledged to the caller (a {@code reply} line) and every post found in the outbox after a
 * kill reaches the emulator at least once, and nothing that was not posted does, as the emulator's
 * dedup view ({@link AliyunPlatformEmulator#distinctPublishes}) tells. Seeded: the seed is printed
 * and can be set with {@code -Doutbox.crash.seed=N}.
 */
class OutboxCrashIT {

    private static final String PK = "a1CrashProduct";
    private static final String DN = "crash-device-1";
    private static final String SECRET = "crashSecret0123456789abcdef";
    private static final int KILLS = 20;
    private static final long WAIT_NANOS = TimeUnit.SECONDS.toNanos(60);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern SEQ = Pattern.compile("\"seq\"\\D*(\\d+)");

    @TempDir Path outbox;

    @TempDir Path recordings;

    @Test
    void nothingAcceptedIsLostAcrossKillsAndOutages() throws Exception {
        long seed = Long.getLong("outbox.crash.seed", System.nanoTime());
        System.out.println("OutboxCrashIT seed " + seed);
        Random random = new Random(seed);
        List<Integer> received = new CopyOnWriteArrayList<>();
        Set<Integer> acked = new TreeSet<>();
        Set<Integer> accepted = new TreeSet<>();
        int next = 0;
        try (AliyunPlatformEmulator emulator =
                        AliyunPlatformEmulator.start(
                                EmulatorOptions.builder()
                                        .port(0)
                                        .recordFile(recordings.resolve("publishes.jsonl"))
                                        .dedupView(10_000)
                                        .device(new AliyunDeviceIdentity(PK, DN, SECRET))
                                        .build());
                OutageProxy proxy = new OutageProxy(emulator.mqttAddress())) {
            emulator.addPublishListener(
                    p -> {
                        if (p.topic().endsWith("/thing/event/property/post")) {
                            received.add(seq(p.payloadAsString()));
                        }
                    });
            for (int kill = 0; kill < KILLS; kill++) {
                proxy.up();
                Device device = Device.start(proxy.port(), outbox);
                List<Integer> written = new ArrayList<>();
                boolean early = random.nextInt(5) == 0;
                if (!early) {
                    device.awaitStderr("connected");
                }
                int posts = 2 + random.nextInt(5);
                int outageAt = random.nextBoolean() ? random.nextInt(posts) : -1;
                for (int k = 0; k < posts; k++) {
                    if (k == outageAt) {
                        proxy.down();
                    }
                    device.writeLine("{\"seq\":" + next + "}");
                    written.add(next++);
                    pause(random.nextInt(30));
                }
                pause(random.nextInt(early ? 800 : 600));
                device.kill();
                for (int line : device.acknowledgedLines()) {
                    acked.add(written.get(line - 1));
                }
                accepted.addAll(inOutbox());
            }
            proxy.up();
            Set<Integer> expected = new TreeSet<>(acked);
            expected.addAll(accepted);
            Device last = Device.start(proxy.port(), outbox);
            long deadline = System.nanoTime() + WAIT_NANOS;
            while (!new TreeSet<>(received).containsAll(expected)) {
                assertThat(System.nanoTime())
                        .as(
                                "all of %s received in time (have %s); device stderr:%n%s",
                                expected, new TreeSet<>(received), last.stderr())
                        .isLessThan(deadline);
                pause(20);
            }
            last.closeStdin();
            assertThat(last.process.waitFor(60, TimeUnit.SECONDS)).isTrue();

            int posted = next;
            // the proof is the emulator's dedup view (the listener above only said when to stop):
            // each distinct post once, by its payload bytes. The outbox re-sends the bytes it
            // stored, Alink id included, but a restarted device's id counter starts again at 1, so
            // two different posts of two processes may share an id: the id alone is no key.
            List<DistinctPublish> posts =
                    emulator.distinctPublishes(PK, DN).stream()
                            .filter(p -> p.topic().endsWith("/thing/event/property/post"))
                            .toList();
            List<Integer> seqs = posts.stream().map(p -> seq(p.payloadAsString())).toList();
            Set<Integer> distinct = new TreeSet<>(seqs);
            assertThat(distinct).as("0 lost").containsAll(expected);
            assertThat(distinct)
                    .as("nothing that was not posted")
                    .allSatisfy(s -> assertThat(s).isBetween(0, posted - 1));
            assertThat(seqs)
                    .as("a post re-sent with the bytes it was stored with")
                    .doesNotHaveDuplicates();
            int arrivals = posts.stream().mapToInt(DistinctPublish::arrivals).sum();
            int dupArrivals = posts.stream().mapToInt(DistinctPublish::dupArrivals).sum();
            // and the view agrees with the recording file, arrival for arrival
            assertThat(recorded(recordings.resolve("publishes.jsonl"), received.size()))
                    .hasSize(arrivals);
            assertThat(accepted)
                    .as("kills left posts in the outbox, which later starts sent")
                    .isNotEmpty();
            System.out.printf(
                    "OutboxCrashIT: %d kills, %d posted, %d acknowledged, %d found in the outbox after"
                            + " a kill, %d received (%d distinct, %d duplicates, %d with DUP)%n",
                    KILLS,
                    posted,
                    acked.size(),
                    accepted.size(),
                    arrivals,
                    distinct.size(),
                    arrivals - distinct.size(),
                    dupArrivals);
        }
    }

    /**
     * The seq of every property post in the emulator's recording, once it holds at least {@code
     * atLeast} of them (it is written by a background thread).
     */
    private static List<Integer> recorded(Path file, int atLeast) throws Exception {
        long deadline = System.nanoTime() + WAIT_NANOS;
        while (true) {
            List<Integer> seqs = new ArrayList<>();
            if (java.nio.file.Files.exists(file)) {
                for (String line : java.nio.file.Files.readAllLines(file)) {
                    JsonNode n = JSON.readTree(line);
                    if (n.path("topic").asText().endsWith("/thing/event/property/post")) {
                        seqs.add(seq(n.path("payload").asText()));
                    }
                }
            }
            if (seqs.size() >= atLeast) {
                return seqs;
            }
            assertThat(System.nanoTime()).as("the recording complete in time").isLessThan(deadline);
            pause(20);
        }
    }

    /** The posts the killed device left in its outbox, read as its next start will. */
    private Set<Integer> inOutbox() {
        Set<Integer> seqs = new TreeSet<>();
        try (FileOutbox o = FileOutbox.open(FileOutboxOptions.in(outbox), PK + "." + DN)) {
            for (Pending p : o.recovered().publishes()) {
                seqs.add(seq(p.message().payloadAsString()));
            }
        }
        return seqs;
    }

    private static int seq(String alinkJson) {
        Matcher m = SEQ.matcher(alinkJson);
        assertThat(m.find()).as("a seq in %s", alinkJson).isTrue();
        return Integer.parseInt(m.group(1));
    }

    /** A random pause: the kill point of this fault injection, not a wait for a condition. */
    private static void pause(int millis) throws InterruptedException {
        Thread.sleep(millis);
    }

    /** One {@code thingflux device} process with a small JVM. */
    private static final class Device {
        final Process process;
        final List<String> out = new CopyOnWriteArrayList<>();
        final List<String> err = new CopyOnWriteArrayList<>();

        private Device(Process process) {
            this.process = process;
            pump(process.getInputStream(), out);
            pump(process.getErrorStream(), err);
        }

        static Device start(int port, Path outbox) throws IOException {
            List<String> command =
                    List.of(
                            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                            "-Xmx64m",
                            "-XX:TieredStopAtLevel=1",
                            "-XX:+UseSerialGC",
                            "-Xshare:auto",
                            "-jar",
                            CliProcess.jar().toString(),
                            "device",
                            "--host",
                            "127.0.0.1",
                            "--port",
                            Integer.toString(port),
                            "--product-key",
                            PK,
                            "--device-name",
                            DN,
                            "--device-secret",
                            SECRET,
                            "--qos",
                            "1",
                            "--outbox",
                            outbox.toString(),
                            "--outbox-fsync",
                            "never");
            return new Device(new ProcessBuilder(command).start());
        }

        private static void pump(InputStream in, List<String> lines) {
            Thread t =
                    new Thread(
                            () -> {
                                try (BufferedReader r =
                                        new BufferedReader(
                                                new InputStreamReader(
                                                        in, StandardCharsets.UTF_8))) {
                                    String line;
                                    while ((line = r.readLine()) != null) {
                                        lines.add(line);
                                    }
                                } catch (IOException e) {
                                    // the process died
                                }
                            });
            t.setDaemon(true);
            t.start();
        }

        void awaitStderr(String text) throws InterruptedException {
            long deadline = System.nanoTime() + WAIT_NANOS;
            while (err.stream().noneMatch(l -> l.contains(text)) && process.isAlive()) {
                assertThat(System.nanoTime())
                        .as("'%s' on stderr in time: %s", text, err)
                        .isLessThan(deadline);
                Thread.sleep(10);
            }
        }

        void writeLine(String line) {
            try {
                OutputStream in = process.getOutputStream();
                in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
                in.flush();
            } catch (IOException e) {
                // the device exited (its first connect failed): the post was not accepted
            }
        }

        void closeStdin() throws IOException {
            process.getOutputStream().close();
        }

        /** SIGKILL, and waits until it is gone. */
        void kill() throws InterruptedException {
            process.destroyForcibly();
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }

        /** The stdin lines (1-based) whose post the platform acknowledged with code 200. */
        List<Integer> acknowledgedLines() throws IOException {
            List<Integer> lines = new ArrayList<>();
            for (String l : out) {
                if (!l.startsWith("{")) {
                    continue;
                }
                JsonNode n = JSON.readTree(l);
                if ("reply".equals(n.path("type").asText()) && n.path("code").asInt() == 200) {
                    lines.add(n.path("line").asInt());
                }
            }
            return lines;
        }

        String stderr() {
            return String.join("\n", err);
        }
    }

    /**
     * A TCP proxy to the broker that can cut every connection and refuse new ones (the outage),
     * with blocking sockets and a thread per direction.
     */
    private static final class OutageProxy implements AutoCloseable {
        private final ServerSocket server;
        private final InetSocketAddress target;
        private final Set<Socket> open = ConcurrentHashMap.newKeySet();
        private final Map<String, Thread> threads = new HashMap<>();
        private volatile boolean down;

        OutageProxy(InetSocketAddress target) throws IOException {
            this.target = target;
            this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread accept = new Thread(this::acceptLoop, "outage-proxy");
            accept.setDaemon(true);
            accept.start();
            threads.put("accept", accept);
        }

        int port() {
            return server.getLocalPort();
        }

        void up() {
            down = false;
        }

        void down() {
            down = true;
            for (Socket s : open) {
                closeQuietly(s);
            }
        }

        private void acceptLoop() {
            while (!server.isClosed()) {
                try {
                    Socket client = server.accept();
                    if (down) {
                        closeQuietly(client);
                        continue;
                    }
                    Socket upstream = new Socket();
                    upstream.connect(target);
                    open.add(client);
                    open.add(upstream);
                    pipe(client, upstream);
                    pipe(upstream, client);
                } catch (IOException e) {
                    // closed, or the broker refused: the client sees its connection end
                }
            }
        }

        private void pipe(Socket from, Socket to) {
            Thread t =
                    new Thread(
                            () -> {
                                byte[] buf = new byte[8192];
                                try {
                                    InputStream in = from.getInputStream();
                                    OutputStream out = to.getOutputStream();
                                    int n;
                                    while ((n = in.read(buf)) >= 0) {
                                        out.write(buf, 0, n);
                                    }
                                } catch (IOException e) {
                                    // cut
                                } finally {
                                    closeQuietly(from);
                                    closeQuietly(to);
                                    open.remove(from);
                                    open.remove(to);
                                }
                            },
                            "outage-proxy-pipe");
            t.setDaemon(true);
            t.start();
        }

        private static void closeQuietly(Socket s) {
            try {
                s.close();
            } catch (IOException e) {
                // already closed
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
            down();
        }
    }
}
