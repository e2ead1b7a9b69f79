package io.thingflux.bench.mqtt;

import java.nio.ByteBuffer;

/**
 * The 24 bytes a bench publisher puts in front of every payload (unless told not to), which its
 * subscribers read for end-to-end latency, loss and duplicates: the magic {@code TF}, the index of
 * the scenario stage it was sent in (0..254, so that what arrives counts in the stage that sent it,
 * whichever shard receives it) and the publish QoS (0..2), one byte each, then the publisher's
 * index in the whole run (int32), the message's sequence number of that publisher (int64, from 0,
 * one per message sent) and its scheduled send time in microseconds since the epoch (int64), all
 * big-endian. Across machines the latency is only as good as their clocks' agreement.
 */
public final class BenchHeader {

    /** The header's length in bytes. */
    public static final int LENGTH = 24;

    private static final int MAGIC = 0x54460000; // "TF", then the stage and the QoS

    /** The most stages a header can name. */
    public static final int MAX_STAGES = 255;

    private BenchHeader() {}

    /** Writes the header into the first {@link #LENGTH} bytes of {@code payload}. */
    public static void write(
            byte[] payload,
            int stage,
            int qos,
            int publisher,
            long seq,
            long scheduledEpochMicros) {
        ByteBuffer.wrap(payload, 0, LENGTH)
                .putInt(MAGIC | (stage & 0xFF) << 8 | qos)
                .putInt(publisher)
                .putLong(seq)
                .putLong(scheduledEpochMicros);
    }

    /** Whether {@code payload} starts with a bench header. */
    public static boolean present(byte[] payload) {
        return payload.length >= LENGTH
                && (ByteBuffer.wrap(payload).getInt(0) & 0xFFFF0000) == MAGIC
                && (payload[3] & 0xFF) <= 2;
    }

    /** The publish QoS (0..2) of a payload with a header. */
    public static int qos(byte[] payload) {
        return payload[3];
    }

    /** The index of the stage a payload with a header was sent in. */
    public static int stage(byte[] payload) {
        return payload[2] & 0xFF;
    }

    /** The publisher index of a payload with a header. */
    public static int publisher(byte[] payload) {
        return ByteBuffer.wrap(payload).getInt(4);
    }

    /** The sequence number of a payload with a header. */
    public static long seq(byte[] payload) {
        return ByteBuffer.wrap(payload).getLong(8);
    }

    /** The scheduled send time (epoch microseconds) of a payload with a header. */
    public static long scheduledEpochMicros(byte[] payload) {
        return ByteBuffer.wrap(payload).getLong(16);
    }
}
