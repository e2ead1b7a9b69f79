package io.thingflux.link.outbox.internal;

import io.thingflux.link.LinkMessage;
import io.thingflux.link.outbox.FileOutboxOptions;
import io.thingflux.link.outbox.FsyncPolicy;
import io.thingflux.link.outbox.OutboxFullException;
import io.thingflux.link.outbox.OutboxLockedException;
import io.thingflux.link.outbox.OutboxStorageException;
import io.thingflux.link.outbox.OutboxStore;
import io.thingflux.mqtt.MqttQos;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.scheduler.Schedulers;

/**
 * The file-backed {@link OutboxStore}: an append-only log of segment files in one directory per
 * client identity, locked with {@link FileChannel#lock} so two processes cannot share it.
 *
 * <p>Record: {@code int length, int crc32c, byte type, long key, body}, where {@code length} counts
 * from {@code type} to the end and the CRC32C covers the same bytes. Types: {@code PUBLISH} (key =
 * sequence; body qos, retain, topic length, topic, payload), {@code PACKET_ID} (QoS 2 id), {@code
 * RELEASED} (PUBREC), {@code REMOVED}, {@code QOS2_IN} and {@code QOS2_REL} (key = incoming packet
 * id).
 *
 * <p>Reading back: segments in order, records in order. A record whose CRC does not match but whose
 * length fits is skipped with a warning (only it is lost); a length that does not fit (a torn
 * write) ends that segment with a warning, and in the last segment the file is cut back to the end
 * of the last good record before new records are appended.
 *
 * <p>Writes go to the file with a positional write at once (so a killed process loses nothing); a
 * write that fails (disk full) is cut back off the file and fails the call with {@link
 * OutboxStorageException}. The {@link FsyncPolicy} decides when it is forced; the interval policy
 * forces from a periodic task on Reactor's {@code boundedElastic} scheduler (fsync blocks). Calls
 * come from the link's one I/O thread; they are synchronized only so that close from another thread
 * is safe.
 *
 * <p>Compaction runs when a segment is full: a new one is started, the oldest segments holding no
 * needed record are deleted (oldest first, so a removal record never disappears before the publish
 * it removes), and the needed records of the oldest segment are copied forward when they fill at
 * most a quarter of it.
 */
public final class FileOutbox implements OutboxStore {

    private static final Logger log = LoggerFactory.getLogger(FileOutbox.class);

    static final byte PUBLISH = 1;
    static final byte PACKET_ID = 2;
    static final byte RELEASED = 3;
    static final byte REMOVED = 4;
    static final byte QOS2_IN = 5;
    static final byte QOS2_REL = 6;

    /** length and crc. */
    static final int HEADER = 8;

    /** type and key. */
    static final int FIXED = 9;

    static final String SUFFIX = ".log";

    /** How the log's files are opened for writing; tests give a size-limited channel. */
    @FunctionalInterface
    public interface ChannelOpener {
        FileChannel open(Path file) throws IOException;
    }

    static final ChannelOpener DEFAULT_OPENER =
            file ->
                    FileChannel.open(
                            file,
                            StandardOpenOption.CREATE,
                            StandardOpenOption.READ,
                            StandardOpenOption.WRITE);

    private static final class Segment {
        final long number;
        final Path path;
        FileChannel channel;
        long size;

        /** Records in it that recovery still needs. */
        int needed;

        long neededBytes;

        Segment(long number, Path path) {
            this.number = number;
            this.path = path;
        }
    }

    private static final class Entry {
        final long seq;
        Segment segment;
        long offset;
        int length;
        int packetId;
        Segment packetIdSegment;
        boolean released;
        Segment releasedSegment;
        LinkMessage recoveredMessage;

        Entry(long seq) {
            this.seq = seq;
        }
    }

    private final FileOutboxOptions options;
    private final Path dir;
    private final ChannelOpener opener;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final ArrayDeque<Segment> segments = new ArrayDeque<>();
    private final Map<Long, Entry> live = new HashMap<>();
    private final Map<Integer, Segment> qos2 = new HashMap<>();
    private final CRC32C crc = new CRC32C();
    private ByteBuffer buf = ByteBuffer.allocate(512);
    private long liveBytes;
    private long nextSeq = 1;
    private long lastOffset;
    private Recovered recovered;
    private boolean closed;
    private volatile FileChannel syncChannel;
    private volatile boolean dirty;
    private Disposable syncTask;

    private FileOutbox(FileOutboxOptions options, Path dir, ChannelOpener opener) {
        this.options = options;
        this.dir = dir;
        this.opener = opener;
        try {
            Files.createDirectories(dir);
            lockChannel =
                    FileChannel.open(
                            dir.resolve("lock"),
                            StandardOpenOption.CREATE,
                            StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new OutboxStorageException("cannot create the outbox directory " + dir, e);
        }
        FileLock l;
        try {
            l = lockChannel.tryLock();
        } catch (OverlappingFileLockException e) {
            l = null;
        } catch (IOException e) {
            closeQuietly(lockChannel);
            throw new OutboxStorageException("cannot lock the outbox directory " + dir, e);
        }
        if (l == null) {
            closeQuietly(lockChannel);
            throw new OutboxLockedException(dir);
        }
        lock = l;
        try {
            recover();
        } catch (IOException | RuntimeException e) {
            closeChannels();
            if (e instanceof OutboxStorageException s) {
                throw s;
            }
            throw new OutboxStorageException("cannot read the outbox " + dir, e);
        }
        FsyncPolicy fsync = options.fsync();
        if (fsync.interval() != null) {
            long ms = fsync.interval().toMillis();
            // fsync blocks: Reactor's scheduler for blocking work, not an I/O thread
            syncTask =
                    Schedulers.boundedElastic()
                            .schedulePeriodically(this::syncIfDirty, ms, ms, TimeUnit.MILLISECONDS);
        }
    }

    /** Opens (creates, locks and reads back) the outbox of {@code identity}. */
    public static FileOutbox open(FileOutboxOptions options, String identity) {
        return open(options, identity, DEFAULT_OPENER);
    }

    /** {@link #open(FileOutboxOptions, String)} writing through {@code opener}. */
    public static FileOutbox open(
            FileOutboxOptions options, String identity, ChannelOpener opener) {
        return new FileOutbox(
                options, options.directory().resolve(directoryName(identity)), opener);
    }

    /**
     * The directory name of a client identity: letters, digits, {@code _} and {@code -} as they
     * are, every other byte of its UTF-8 as {@code %XX}.
     */
    public static String directoryName(String identity) {
        if (identity == null || identity.isEmpty()) {
            throw new IllegalArgumentException("a file outbox needs a client identity");
        }
        StringBuilder sb = new StringBuilder(identity.length() + 8);
        for (byte b : identity.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'a' && c <= 'z')
                    || (c >= 'A' && c <= 'Z')
                    || (c >= '0' && c <= '9')
                    || c == '_'
                    || c == '-') {
                sb.append(c);
            } else {
                sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)));
                sb.append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return sb.toString();
    }

    /** The directory of this outbox. */
    public Path directory() {
        return dir;
    }

    @Override
    public boolean durable() {
        return true;
    }

    @Override
    public synchronized Recovered recovered() {
        return recovered;
    }

    /** Unfinished publishes held now. */
    public synchronized int size() {
        return live.size();
    }

    /** Bytes of the records of the unfinished publishes held now. */
    public synchronized long bytes() {
        return liveBytes;
    }

    /** Segment files now on disk. */
    public synchronized int segmentCount() {
        return segments.size();
    }

    // ------------------------------------------------------------------ writing

    @Override
    public synchronized long append(LinkMessage message) {
        checkOpen();
        byte[] topic = message.topic().getBytes(StandardCharsets.UTF_8);
        byte[] payload = message.payloadUnsafe();
        int body = 2 + 4 + topic.length + payload.length;
        int total = HEADER + FIXED + body;
        if (live.size() >= options.maxMessages()) {
            throw new OutboxFullException(
                    "outbox full: " + options.maxMessages() + " unfinished publishes");
        }
        if (liveBytes + total > options.maxBytes()) {
            throw new OutboxFullException(
                    "outbox full: " + options.maxBytes() + " bytes of unfinished publishes");
        }
        long seq = nextSeq;
        ByteBuffer b = record(PUBLISH, seq, body);
        b.put((byte) message.qos().code());
        b.put((byte) (message.retain() ? 1 : 0));
        b.putInt(topic.length);
        b.put(topic);
        b.put(payload);
        Segment seg = write(true, true);
        nextSeq++;
        Entry e = new Entry(seq);
        e.segment = seg;
        e.offset = lastOffset;
        e.length = total;
        live.put(seq, e);
        seg.needed++;
        seg.neededBytes += total;
        liveBytes += total;
        return seq;
    }

    @Override
    public synchronized void packetId(long seq, int packetId) {
        Entry e = live.get(seq);
        if (e == null || closed) {
            return;
        }
        ByteBuffer b = record(PACKET_ID, seq, 2);
        b.putShort((short) packetId);
        Segment seg = writeQuietly("packet id");
        if (seg != null) {
            unneed(e.packetIdSegment, HEADER + FIXED + 2);
            e.packetId = packetId;
            e.packetIdSegment = seg;
            seg.needed++;
            seg.neededBytes += HEADER + FIXED + 2;
        }
    }

    @Override
    public synchronized void released(long seq) {
        Entry e = live.get(seq);
        if (e == null || closed || e.released) {
            return;
        }
        record(RELEASED, seq, 0);
        Segment seg = writeQuietly("PUBREC");
        if (seg != null) {
            e.released = true;
            e.releasedSegment = seg;
            seg.needed++;
            seg.neededBytes += HEADER + FIXED;
        }
    }

    @Override
    public synchronized void remove(long seq) {
        Entry e = live.remove(seq);
        if (e == null || closed) {
            return;
        }
        liveBytes -= e.length;
        record(REMOVED, seq, 0);
        if (writeQuietly("removal") == null) {
            log.warn("[{}] publish {} will be sent again after a restart", dir, seq);
        }
        unneed(e.segment, e.length);
        unneed(e.packetIdSegment, HEADER + FIXED + 2);
        unneed(e.releasedSegment, HEADER + FIXED);
    }

    @Override
    public synchronized void qos2Received(int packetId) {
        if (closed || qos2.containsKey(packetId)) {
            return;
        }
        record(QOS2_IN, packetId, 0);
        Segment seg = write(true, false);
        qos2.put(packetId, seg);
        seg.needed++;
        seg.neededBytes += HEADER + FIXED;
    }

    @Override
    public synchronized void qos2Released(int packetId) {
        Segment seg = qos2.remove(packetId);
        if (seg == null || closed) {
            return;
        }
        record(QOS2_REL, packetId, 0);
        writeQuietly("QoS 2 release");
        unneed(seg, HEADER + FIXED);
    }

    private static void unneed(Segment seg, int bytes) {
        if (seg != null) {
            seg.needed--;
            seg.neededBytes -= bytes;
        }
    }

    private ByteBuffer record(byte type, long key, int bodyLength) {
        int total = HEADER + FIXED + bodyLength;
        if (buf.capacity() < total) {
            buf = ByteBuffer.allocate(Math.max(total, buf.capacity() * 2));
        }
        buf.clear();
        buf.putInt(FIXED + bodyLength);
        buf.putInt(0);
        buf.put(type);
        buf.putLong(key);
        return buf;
    }

    /** {@link #write} for bookkeeping records, whose loss only means a resend: logs instead. */
    private Segment writeQuietly(String what) {
        try {
            return write(false, false);
        } catch (OutboxStorageException e) {
            log.warn("[{}] cannot record {}: {}", dir, what, e.getCause().toString());
            return null;
        }
    }

    /**
     * Writes the record in {@link #buf} to the active segment (starting a new one first when it is
     * full and {@code mayRoll}); its offset is left in {@link #lastOffset}.
     */
    private Segment write(boolean sync, boolean mayRoll) {
        checkOpen();
        buf.flip();
        int total = buf.limit();
        crc.reset();
        crc.update(buf.array(), HEADER, total - HEADER);
        buf.putInt(4, (int) crc.getValue());
        Segment seg = segments.peekLast();
        ByteBuffer bytes = buf;
        if (mayRoll && seg.size > 0 && seg.size + total > options.segmentBytes()) {
            // compaction writes through buf: keep ours aside
            bytes = ByteBuffer.wrap(java.util.Arrays.copyOf(buf.array(), total));
            seg = roll();
        }
        writeRaw(seg, bytes, sync && options.fsync().isEveryWrite());
        return seg;
    }

    private void writeRaw(Segment seg, ByteBuffer bytes, boolean force) {
        long start = seg.size;
        long pos = start;
        try {
            while (bytes.hasRemaining()) {
                pos += seg.channel.write(bytes, pos);
            }
            if (force) {
                seg.channel.force(false);
            }
        } catch (IOException e) {
            try {
                seg.channel.truncate(start);
            } catch (IOException t) {
                e.addSuppressed(t);
            }
            throw new OutboxStorageException(
                    "cannot write the outbox " + dir + " (disk full?): nothing was stored", e);
        }
        lastOffset = start;
        seg.size = pos;
        if (!force) {
            dirty = true;
        }
    }

    /** Starts a new segment and compacts the old ones. */
    private Segment roll() {
        Segment old = segments.peekLast();
        Segment next = newSegment(old.number + 1);
        try {
            if (!options.fsync().isNever()) {
                old.channel.force(false);
            }
        } catch (IOException e) {
            log.warn("[{}] cannot sync segment {}: {}", dir, old.path.getFileName(), e.toString());
        }
        closeQuietly(old.channel);
        old.channel = null;
        segments.addLast(next);
        syncChannel = next.channel;
        compact();
        return next;
    }

    private Segment newSegment(long number) {
        Path path = dir.resolve(String.format("%020d%s", number, SUFFIX));
        Segment s = new Segment(number, path);
        try {
            s.channel = opener.open(path);
            s.size = s.channel.size();
        } catch (IOException e) {
            throw new OutboxStorageException("cannot create a segment in " + dir, e);
        }
        return s;
    }

    /** Deletes the oldest segments nothing needs; copies forward the few records that pin one. */
    private void compact() {
        while (segments.size() > 1) {
            Segment oldest = segments.peekFirst();
            if (oldest.needed > 0) {
                if (oldest.neededBytes > options.segmentBytes() / 4 || !copyForward(oldest)) {
                    return;
                }
            }
            try {
                Files.deleteIfExists(oldest.path);
            } catch (IOException e) {
                log.warn("[{}] cannot delete {}: {}", dir, oldest.path.getFileName(), e.toString());
                return;
            }
            segments.removeFirst();
        }
    }

    /** Rewrites the records of {@code from} that are still needed at the end of the log. */
    private boolean copyForward(Segment from) {
        Segment to = segments.peekLast();
        try (FileChannel in = FileChannel.open(from.path, StandardOpenOption.READ)) {
            List<Entry> moved = new ArrayList<>();
            for (Entry e : live.values()) {
                if (e.segment == from || e.packetIdSegment == from || e.releasedSegment == from) {
                    moved.add(e);
                }
            }
            moved.sort((a, b) -> Long.compare(a.seq, b.seq));
            for (Entry e : moved) {
                if (e.segment == from) {
                    ByteBuffer raw = ByteBuffer.allocate(e.length);
                    while (raw.hasRemaining()) {
                        if (in.read(raw, e.offset + raw.position()) < 0) {
                            throw new IOException("segment shorter than its index");
                        }
                    }
                    raw.flip();
                    writeRaw(to, raw, false);
                    e.segment = to;
                    e.offset = lastOffset;
                    from.needed--;
                    from.neededBytes -= e.length;
                    to.needed++;
                    to.neededBytes += e.length;
                }
                if (e.packetIdSegment != null) {
                    ByteBuffer b = record(PACKET_ID, e.seq, 2);
                    b.putShort((short) e.packetId);
                    write(false, false);
                    unneed(e.packetIdSegment, HEADER + FIXED + 2);
                    e.packetIdSegment = to;
                    to.needed++;
                    to.neededBytes += HEADER + FIXED + 2;
                }
                if (e.releasedSegment != null) {
                    record(RELEASED, e.seq, 0);
                    write(false, false);
                    unneed(e.releasedSegment, HEADER + FIXED);
                    e.releasedSegment = to;
                    to.needed++;
                    to.neededBytes += HEADER + FIXED;
                }
            }
            for (Map.Entry<Integer, Segment> q : qos2.entrySet()) {
                if (q.getValue() == from) {
                    record(QOS2_IN, q.getKey(), 0);
                    write(false, false);
                    unneed(from, HEADER + FIXED);
                    q.setValue(to);
                    to.needed++;
                    to.neededBytes += HEADER + FIXED;
                }
            }
            if (!options.fsync().isNever()) {
                to.channel.force(false);
            }
            return true;
        } catch (IOException | OutboxStorageException e) {
            log.warn(
                    "[{}] compaction of {} failed: {}", dir, from.path.getFileName(), e.toString());
            return false;
        }
    }

    // ------------------------------------------------------------------ reading back

    private void recover() throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(SUFFIX)).sorted().toList();
        }
        TreeMap<Long, Entry> entries = new TreeMap<>();
        long maxSeq = 0;
        int skipped = 0;
        for (int i = 0; i < files.size(); i++) {
            Path file = files.get(i);
            String name = file.getFileName().toString();
            long number;
            try {
                number = Long.parseLong(name.substring(0, name.length() - SUFFIX.length()));
            } catch (NumberFormatException e) {
                log.warn("[{}] ignoring {}: not a segment name", dir, name);
                continue;
            }
            Segment seg = new Segment(number, file);
            byte[] data = Files.readAllBytes(file);
            ByteBuffer in = ByteBuffer.wrap(data);
            int pos = 0;
            int goodEnd = 0;
            while (pos < data.length) {
                int left = data.length - pos;
                int length = left >= 4 ? in.getInt(pos) : -1;
                if (left < HEADER + FIXED || length < FIXED || length > left - HEADER) {
                    log.warn(
                            "[{}] {}: torn record at offset {} ({} bytes) dropped",
                            dir,
                            name,
                            pos,
                            left);
                    break;
                }
                crc.reset();
                crc.update(data, pos + HEADER, length);
                if ((int) crc.getValue() != in.getInt(pos + 4)) {
                    log.warn(
                            "[{}] {}: corrupt record at offset {} ({} bytes) skipped",
                            dir,
                            name,
                            pos,
                            HEADER + length);
                    skipped++;
                    pos += HEADER + length;
                    continue;
                }
                byte type = data[pos + HEADER];
                long key = in.getLong(pos + HEADER + 1);
                int body = pos + HEADER + FIXED;
                switch (type) {
                    case PUBLISH -> {
                        maxSeq = Math.max(maxSeq, key);
                        LinkMessage m = decodePublish(in, body, pos + HEADER + length);
                        if (m == null) {
                            log.warn("[{}] {}: malformed publish at {} skipped", dir, name, pos);
                            skipped++;
                        } else {
                            Entry e = entries.computeIfAbsent(key, Entry::new);
                            e.segment = seg;
                            e.offset = pos;
                            e.length = HEADER + length;
                            e.recoveredMessage = m;
                        }
                    }
                    case PACKET_ID -> {
                        Entry e = entries.get(key);
                        if (e != null) {
                            e.packetId = in.getShort(body) & 0xffff;
                            e.packetIdSegment = seg;
                        }
                    }
                    case RELEASED -> {
                        Entry e = entries.get(key);
                        if (e != null) {
                            e.released = true;
                            e.releasedSegment = seg;
                        }
                    }
                    case REMOVED -> {
                        maxSeq = Math.max(maxSeq, key);
                        entries.remove(key);
                    }
                    case QOS2_IN -> qos2.put((int) key, seg);
                    case QOS2_REL -> qos2.remove((int) key);
                    default -> {
                        log.warn("[{}] {}: unknown record type {} skipped", dir, name, type);
                        skipped++;
                    }
                }
                pos += HEADER + length;
                goodEnd = pos;
            }
            seg.size = goodEnd;
            if (i == files.size() - 1 && goodEnd < data.length) {
                try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                    ch.truncate(goodEnd);
                }
            }
            segments.addLast(seg);
        }
        if (skipped > 0) {
            log.warn("[{}] {} record(s) could not be read back", dir, skipped);
        }
        List<Pending> pending = new ArrayList<>(entries.size());
        for (Entry e : entries.values()) {
            if (e.recoveredMessage == null) {
                continue; // state records of a publish whose own record was lost
            }
            pending.add(new Pending(e.seq, e.recoveredMessage, e.packetId, e.released));
            e.recoveredMessage = null;
            live.put(e.seq, e);
            liveBytes += e.length;
            e.segment.needed++;
            e.segment.neededBytes += e.length;
            if (e.packetIdSegment != null) {
                e.packetIdSegment.needed++;
                e.packetIdSegment.neededBytes += HEADER + FIXED + 2;
            }
            if (e.releasedSegment != null) {
                e.releasedSegment.needed++;
                e.releasedSegment.neededBytes += HEADER + FIXED;
            }
        }
        int[] q = new int[qos2.size()];
        int n = 0;
        for (Map.Entry<Integer, Segment> en : qos2.entrySet()) {
            q[n++] = en.getKey();
            en.getValue().needed++;
            en.getValue().neededBytes += HEADER + FIXED;
        }
        nextSeq = maxSeq + 1;
        recovered = new Recovered(pending, q);
        Segment active =
                segments.isEmpty()
                        ? newSegment(1)
                        : segments.peekLast().size >= options.segmentBytes()
                                ? newSegment(segments.peekLast().number + 1)
                                : null;
        if (active == null) {
            active = segments.peekLast();
            active.channel = opener.open(active.path);
        } else {
            segments.addLast(active);
        }
        syncChannel = active.channel;
        compact();
        if (!pending.isEmpty() || q.length > 0) {
            log.info(
                    "[{}] read back {} unfinished publish(es) and {} QoS 2 receive state(s)",
                    dir,
                    pending.size(),
                    q.length);
        }
    }

    /** The message of a PUBLISH record, or null when it is malformed. */
    private static LinkMessage decodePublish(ByteBuffer in, int at, int end) {
        if (end - at < 6 || in.get(at) < 0 || in.get(at) > 2) {
            return null;
        }
        MqttQos qos = MqttQos.valueOf(in.get(at));
        boolean retain = in.get(at + 1) != 0;
        int topicLength = in.getInt(at + 2);
        int topicAt = at + 6;
        if (topicLength < 0 || topicLength > end - topicAt) {
            return null;
        }
        String topic = new String(in.array(), topicAt, topicLength, StandardCharsets.UTF_8);
        byte[] payload = new byte[end - topicAt - topicLength];
        System.arraycopy(in.array(), topicAt + topicLength, payload, 0, payload.length);
        return new LinkMessage(topic, payload, qos, retain);
    }

    // ------------------------------------------------------------------ sync and close

    private void syncIfDirty() {
        if (!dirty) {
            return;
        }
        dirty = false;
        FileChannel ch = syncChannel;
        try {
            if (ch != null && ch.isOpen()) {
                ch.force(false);
            }
        } catch (IOException e) {
            dirty = true;
            log.debug("[{}] sync failed: {}", dir, e.toString());
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new OutboxStorageException("the outbox " + dir + " is closed", null);
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (syncTask != null) {
            syncTask.dispose();
        }
        Segment active = segments.peekLast();
        if (active != null && active.channel != null && !options.fsync().isNever()) {
            try {
                active.channel.force(false);
            } catch (IOException e) {
                log.warn("[{}] cannot sync on close: {}", dir, e.toString());
            }
        }
        closeChannels();
    }

    private void closeChannels() {
        for (Segment s : segments) {
            if (s.channel != null) {
                closeQuietly(s.channel);
                s.channel = null;
            }
        }
        syncChannel = null;
        try {
            lock.release();
        } catch (IOException | RuntimeException e) {
            log.debug("[{}] lock release failed: {}", dir, e.toString());
        }
        closeQuietly(lockChannel);
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException e) {
            log.debug("close failed: {}", e.toString());
        }
    }

    @Override
    public String toString() {
        return "FileOutbox[" + dir + ", fsync " + options.fsync() + "]";
    }
}
