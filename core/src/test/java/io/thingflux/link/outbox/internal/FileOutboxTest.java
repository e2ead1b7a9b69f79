package io.thingflux.link.outbox.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.thingflux.link.LinkMessage;
import io.thingflux.link.outbox.FileOutboxOptions;
import io.thingflux.link.outbox.FsyncPolicy;
import io.thingflux.link.outbox.OutboxFullException;
import io.thingflux.link.outbox.OutboxLockedException;
import io.thingflux.link.outbox.OutboxStorageException;
import io.thingflux.link.outbox.OutboxStore.Pending;
import io.thingflux.mqtt.MqttQos;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileOutboxTest {

    private static final String ID = "a1B2c3.dev|securemode=2|";

    @TempDir Path tmp;

    private FileOutboxOptions options() {
        return FileOutboxOptions.in(tmp).fsync(FsyncPolicy.never());
    }

    private static LinkMessage msg(int i) {
        return new LinkMessage(
                "/sys/pk/dev/thing/event/property/post",
                ("{\"id\":\"" + i + "\"}").getBytes(StandardCharsets.UTF_8),
                MqttQos.AT_LEAST_ONCE,
                false);
    }

    private static List<String> payloads(List<Pending> pending) {
        return pending.stream().map(p -> p.message().payloadAsString()).toList();
    }

    private Path onlySegment(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> segs =
                    s.filter(p -> p.toString().endsWith(FileOutbox.SUFFIX)).sorted().toList();
            return segs.get(segs.size() - 1);
        }
    }

    @Test
    void readsBackWhatIsUnfinishedWithItsState() {
        Path dir;
        try (FileOutbox o = FileOutbox.open(options(), ID)) {
            dir = o.directory();
            long a = o.append(msg(1));
            long b = o.append(msg(2));
            long c =
                    o.append(
                            new LinkMessage(
                                    "t/q2", new byte[] {1, 2, 3}, MqttQos.EXACTLY_ONCE, true));
            o.remove(a);
            o.packetId(c, 77);
            o.released(c);
            o.qos2Received(5);
            o.qos2Received(6);
            o.qos2Released(5);
            assertThat(b).isGreaterThan(a);
        }
        assertThat(dir.getFileName().toString()).isEqualTo("a1B2c3%2Edev%7Csecuremode%3D2%7C");
        try (FileOutbox o = FileOutbox.open(options(), ID)) {
            List<Pending> p = o.recovered().publishes();
            assertThat(payloads(p.subList(0, 1))).containsExactly("{\"id\":\"2\"}");
            assertThat(p.get(1).message())
                    .isEqualTo(
                            new LinkMessage(
                                    "t/q2", new byte[] {1, 2, 3}, MqttQos.EXACTLY_ONCE, true));
            assertThat(p.get(1).packetId()).isEqualTo(77);
            assertThat(p.get(1).released()).isTrue();
            assertThat(p.get(0).released()).isFalse();
            assertThat(o.recovered().qos2Received()).containsExactly(6);
            // new sequence numbers continue after the old ones
            assertThat(o.append(msg(4))).isGreaterThan(p.get(1).seq());
        }
    }

    @Test
    void aTornLastRecordIsDroppedAtEveryOffsetAndTheRestKept() throws IOException {
        Path dir;
        try (FileOutbox o = FileOutbox.open(options(), ID)) {
            dir = o.directory();
            for (int i = 0; i < 4; i++) {
                o.append(msg(i));
            }
        }
        Path seg = onlySegment(dir);
        byte[] whole = Files.readAllBytes(seg);
        int last =
                FileOutbox.HEADER
                        + FileOutbox.FIXED
                        + 6
                        + msg(3).topic().length()
                        + msg(3).payloadUnsafe().length;
        int start = whole.length - last;
        assertThat(start).isPositive();
        for (int cut = start; cut < whole.length; cut++) {
            Files.write(seg, java.util.Arrays.copyOf(whole, cut));
            try (FileOutbox o = FileOutbox.open(options(), ID)) {
                assertThat(payloads(o.recovered().publishes()))
                        .as("cut at %d", cut)
                        .containsExactly("{\"id\":\"0\"}", "{\"id\":\"1\"}", "{\"id\":\"2\"}");
                assertThat(Files.size(seg)).isEqualTo(start);
                o.append(msg(9));
            }
            try (FileOutbox o = FileOutbox.open(options(), ID)) {
                assertThat(payloads(o.recovered().publishes()))
                        .as("cut at %d, appended after", cut)
                        .containsExactly(
                                "{\"id\":\"0\"}",
                                "{\"id\":\"1\"}",
                                "{\"id\":\"2\"}",
                                "{\"id\":\"9\"}");
            }
        }
    }

    @Test
    void aCorruptRecordInTheMiddleLosesOnlyItself() throws IOException {
        Path dir;
        try (FileOutbox o = FileOutbox.open(options(), ID)) {
            dir = o.directory();
            for (int i = 0; i < 5; i++) {
                o.append(msg(i));
            }
        }
        Path seg = onlySegment(dir);
        byte[] bytes = Files.readAllBytes(seg);
        int record = bytes.length / 5;
        bytes[2 * record + record - 3] ^= 0x40; // in the payload of the third record
        Files.write(seg, bytes);
        try (FileOutbox o = FileOutbox.open(options(), ID)) {
            assertThat(payloads(o.recovered().publishes()))
                    .containsExactly(
                            "{\"id\":\"0\"}", "{\"id\":\"1\"}", "{\"id\":\"3\"}", "{\"id\":\"4\"}");
        }
    }

    @Test
    void aFullDiskFailsTheAppendAndCorruptsNothing() throws IOException {
        AtomicLong budget = new AtomicLong(Long.MAX_VALUE);
        int record =
                FileOutbox.HEADER
                        + FileOutbox.FIXED
                        + 6
                        + msg(0).topic().length()
                        + msg(0).payloadUnsafe().length;
        Path dir;
        try (FileOutbox o =
                FileOutbox.open(
                        options(),
                        ID,
                        f -> new LimitedFileChannel(FileOutbox.DEFAULT_OPENER.open(f), budget))) {
            dir = o.directory();
            o.append(msg(0));
            o.append(msg(1));
            budget.set(record / 2); // half of the next record fits
            assertThatThrownBy(() -> o.append(msg(2)))
                    .isInstanceOf(OutboxStorageException.class)
                    .hasMessageContaining("disk full")
                    .hasMessageContaining("nothing was stored");
            assertThat(o.size()).isEqualTo(2);
            assertThat(Files.size(onlySegment(dir))).isEqualTo(2L * record);
            budget.set(Long.MAX_VALUE); // space again
            o.append(msg(3));
        }
        try (FileOutbox o = FileOutbox.open(options(), ID)) {
            assertThat(payloads(o.recovered().publishes()))
                    .containsExactly("{\"id\":\"0\"}", "{\"id\":\"1\"}", "{\"id\":\"3\"}");
        }
    }

    @Test
    void boundsOfMessagesAndBytesRefuseWithATypedError() {
        try (FileOutbox o = FileOutbox.open(options().bounds(2, 1 << 20), ID)) {
            long a = o.append(msg(0));
            o.append(msg(1));
            assertThatThrownBy(() -> o.append(msg(2)))
                    .isInstanceOf(OutboxFullException.class)
                    .hasMessageContaining("2 unfinished publishes");
            o.remove(a);
            o.append(msg(3));
        }
        try (FileOutbox o = FileOutbox.open(options().bounds(100, 100), "bytes")) {
            o.append(msg(0));
            assertThatThrownBy(() -> o.append(msg(1)))
                    .isInstanceOf(OutboxFullException.class)
                    .hasMessageContaining("100 bytes");
        }
    }

    @Test
    void compactionDeletesFinishedSegmentsAndCopiesAStuckRecordForward() {
        FileOutboxOptions small = options().segmentBytes(1024);
        long stuck;
        try (FileOutbox o = FileOutbox.open(small, ID)) {
            stuck = o.append(msg(-1));
            for (int i = 0; i < 500; i++) {
                o.remove(o.append(msg(i)));
            }
            assertThat(o.segmentCount()).isLessThanOrEqualTo(3);
            assertThat(o.size()).isEqualTo(1);
        }
        try (FileOutbox o = FileOutbox.open(small, ID)) {
            assertThat(o.recovered().publishes()).extracting(Pending::seq).containsExactly(stuck);
        }
    }

    /** A seeded random history with reopenings and small segments, against a model. */
    @Test
    void randomHistoriesReadBackAsTheModelSays() {
        for (long seed = 1; seed <= 20; seed++) {
            Random r = new Random(seed);
            FileOutboxOptions small = options().segmentBytes(1024 + r.nextInt(2048));
            String id = "seed" + seed;
            TreeMap<Long, String> model = new TreeMap<>();
            TreeMap<Long, Integer> packetIds = new TreeMap<>();
            List<Integer> qos2 = new ArrayList<>();
            int n = 0;
            for (int round = 0; round < 6; round++) {
                try (FileOutbox o = FileOutbox.open(small, id)) {
                    assertThat(o.recovered().publishes())
                            .as("seed %d round %d", seed, round)
                            .extracting(Pending::seq)
                            .containsExactlyElementsOf(model.keySet());
                    assertThat(payloads(o.recovered().publishes()))
                            .containsExactlyElementsOf(model.values());
                    for (Pending p : o.recovered().publishes()) {
                        assertThat(p.packetId()).isEqualTo(packetIds.getOrDefault(p.seq(), 0));
                    }
                    assertThat(
                                    java.util.Arrays.stream(o.recovered().qos2Received())
                                            .boxed()
                                            .toList())
                            .containsExactlyInAnyOrderElementsOf(qos2);
                    for (int step = 0; step < 150; step++) {
                        int op = r.nextInt(10);
                        if (op < 5 || model.isEmpty()) {
                            LinkMessage m = msg(n++);
                            model.put(o.append(m), m.payloadAsString());
                        } else if (op < 8) {
                            Long seq = r.nextBoolean() ? model.firstKey() : model.lastKey();
                            model.remove(seq);
                            packetIds.remove(seq);
                            o.remove(seq);
                        } else if (op == 8) {
                            long seq = model.lastKey();
                            int pid = 1 + r.nextInt(65535);
                            o.packetId(seq, pid);
                            packetIds.put(seq, pid);
                        } else {
                            int pid = 1 + r.nextInt(50);
                            if (qos2.remove((Integer) pid)) {
                                o.qos2Released(pid);
                            } else {
                                qos2.add(pid);
                                o.qos2Received(pid);
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void oneLinkAtATimeInThisProcess() {
        try (FileOutbox o = FileOutbox.open(options(), ID)) {
            assertThatThrownBy(() -> FileOutbox.open(options(), ID))
                    .isInstanceOf(OutboxLockedException.class);
        }
        FileOutbox.open(options(), ID).close(); // released on close
    }

    @Test
    void anotherProcessHoldingTheDirectoryLocksUsOut() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p =
                new ProcessBuilder(
                                java.toString(),
                                "-Xmx32m",
                                "-XX:TieredStopAtLevel=1",
                                "-cp",
                                System.getProperty("java.class.path"),
                                OutboxLockHolder.class.getName(),
                                tmp.toString(),
                                ID)
                        .redirectError(ProcessBuilder.Redirect.DISCARD)
                        .start();
        try {
            BufferedReader out =
                    new BufferedReader(
                            new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            assertThat(out.readLine()).isEqualTo("locked");
            assertThatThrownBy(() -> FileOutbox.open(options(), ID))
                    .isInstanceOf(OutboxLockedException.class)
                    .hasMessageContaining("in use by another process");
        } finally {
            p.destroyForcibly();
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        // the kernel drops a dead process's lock
        FileOutbox.open(options(), ID).close();
    }

    @Test
    void everyWriteSyncReadsBackTheSame() {
        FileOutboxOptions sync = FileOutboxOptions.in(tmp).fsync(FsyncPolicy.everyWrite());
        try (FileOutbox o = FileOutbox.open(sync, ID)) {
            o.append(msg(1));
        }
        FileOutboxOptions interval =
                FileOutboxOptions.in(tmp).fsync(FsyncPolicy.every(java.time.Duration.ofMillis(5)));
        try (FileOutbox o = FileOutbox.open(interval, ID)) {
            assertThat(payloads(o.recovered().publishes())).containsExactly("{\"id\":\"1\"}");
        }
    }

    @Test
    void fsyncPolicyParses() {
        assertThat(FsyncPolicy.parse("always").isEveryWrite()).isTrue();
        assertThat(FsyncPolicy.parse("never").isNever()).isTrue();
        assertThat(FsyncPolicy.parse("100ms").interval()).hasMillis(100);
        assertThatThrownBy(() -> FsyncPolicy.parse("sometimes"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
