package io.thingflux.bench.mqtt;

/**
 * What one subscriber has seen of one publisher's sequence numbers: the highest, and which of the
 * 64 below it arrived, to tell a gap (loss), a late arrival (a gap filled) and a duplicate apart.
 * Not thread-safe: the subscriber's connection calls it from its I/O thread, under its lock.
 */
final class SequenceWindow {

    /** {@link #accept} of a message seen before. */
    static final long DUPLICATE = -1;

    /** {@link #accept} of a message that arrived after a later one (one loss less). */
    static final long LATE = -2;

    private static final int WIDTH = 64;

    private long highest = -1;
    private long seen;

    /**
     * Records {@code seq}.
     *
     * @return how many messages its arrival shows missing (0 in order), {@link #DUPLICATE} or
     *     {@link #LATE}
     */
    long accept(long seq) {
        if (highest < 0) {
            highest = seq;
            seen = 1;
            return 0;
        }
        if (seq > highest) {
            long gap = seq - highest - 1;
            seen = gap + 1 >= WIDTH ? 1 : (seen << (gap + 1)) | 1;
            highest = seq;
            return gap;
        }
        long back = highest - seq;
        if (back >= WIDTH) {
            return DUPLICATE; // too old to tell; the sender's QoS 1 resend is the usual cause
        }
        long bit = 1L << back;
        if ((seen & bit) != 0) {
            return DUPLICATE;
        }
        seen |= bit;
        return LATE;
    }

    /** The highest sequence number seen. */
    long highest() {
        return highest;
    }
}
