package io.thingflux.link.outbox;

import io.thingflux.link.outbox.internal.FileOutbox;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The crash-safe outbox: an append-only log of segment files with a CRC32C per record, in {@code
 * <directory>/<client id, escaped>/}, locked by one process at a time.
 *
 * <p>Defaults: at most {@value #DEFAULT_MAX_MESSAGES} unfinished publishes and {@value
 * #DEFAULT_MAX_BYTES} bytes of them (a publish past either bound fails with {@link
 * OutboxFullException}, or evicts the oldest queued one under the link's drop-oldest policy);
 * segments of {@value #DEFAULT_SEGMENT_BYTES} bytes; {@link FsyncPolicy#every} 100 ms.
 *
 * <p>A link writes the log on its own I/O thread (the Netty event loop, the EC600S link's AT
 * scheduler): each write goes to the operating system at once, and the {@link FsyncPolicy} decides
 * whether that thread also waits for the disk. Use a file outbox for a device per process, not for
 * thousands of clients sharing an event loop.
 *
 * <p>Acknowledged publishes are dropped by compaction: when a segment is full a new one is started,
 * the oldest segments whose records are all finished are deleted, and the few unfinished records of
 * the oldest segment are copied forward so one slow publish does not pin the log.
 */
public final class FileOutboxOptions implements OutboxStorage {

    public static final int DEFAULT_MAX_MESSAGES = 10_000;
    public static final long DEFAULT_MAX_BYTES = 64L << 20;
    public static final int DEFAULT_SEGMENT_BYTES = 4 << 20;

    private final Path directory;
    private final int maxMessages;
    private final long maxBytes;
    private final int segmentBytes;
    private final FsyncPolicy fsync;

    private FileOutboxOptions(
            Path directory, int maxMessages, long maxBytes, int segmentBytes, FsyncPolicy fsync) {
        this.directory = Objects.requireNonNull(directory, "directory");
        if (maxMessages < 1 || maxBytes < 1) {
            throw new IllegalArgumentException("outbox bounds must be positive");
        }
        if (segmentBytes < 1024) {
            throw new IllegalArgumentException("segments must hold at least 1024 bytes");
        }
        this.maxMessages = maxMessages;
        this.maxBytes = maxBytes;
        this.segmentBytes = segmentBytes;
        this.fsync = Objects.requireNonNull(fsync, "fsync");
    }

    /** A file outbox under {@code directory} with the defaults. */
    public static FileOutboxOptions in(Path directory) {
        return new FileOutboxOptions(
                directory,
                DEFAULT_MAX_MESSAGES,
                DEFAULT_MAX_BYTES,
                DEFAULT_SEGMENT_BYTES,
                FsyncPolicy.every(java.time.Duration.ofMillis(100)));
    }

    /** At most {@code messages} unfinished publishes of at most {@code bytes} bytes in all. */
    public FileOutboxOptions bounds(int messages, long bytes) {
        return new FileOutboxOptions(directory, messages, bytes, segmentBytes, fsync);
    }

    public FileOutboxOptions segmentBytes(int bytes) {
        return new FileOutboxOptions(directory, maxMessages, maxBytes, bytes, fsync);
    }

    public FileOutboxOptions fsync(FsyncPolicy policy) {
        return new FileOutboxOptions(directory, maxMessages, maxBytes, segmentBytes, policy);
    }

    public Path directory() {
        return directory;
    }

    public int maxMessages() {
        return maxMessages;
    }

    public long maxBytes() {
        return maxBytes;
    }

    public int segmentBytes() {
        return segmentBytes;
    }

    public FsyncPolicy fsync() {
        return fsync;
    }

    @Override
    public OutboxStore open(String identity) {
        return FileOutbox.open(this, identity);
    }

    @Override
    public String toString() {
        return "file "
                + directory
                + " (max "
                + maxMessages
                + " messages, "
                + maxBytes
                + " bytes, fsync "
                + fsync
                + ")";
    }
}
