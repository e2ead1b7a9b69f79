package io.thingflux.netty.codec;

import io.netty.buffer.ByteBuf;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The last few PUBLISH topic names one decoder has seen, so that a topic a connection uses again is neither
 * validated nor allocated again: a device or a broker connection usually cycles through a handful of topics.
 *
 * <p>Holds at most {@link #ENTRIES} topics of at most {@link #MAX_TOPIC_BYTES} bytes each, replaced round-robin;
 * a longer topic is decoded every time. Only names that passed every topic-name rule are remembered. One
 * instance per decoder, used on its event loop only.
 */
final class TopicCache {

    /** How many topics are remembered. */
    static final int ENTRIES = 4;
    /** The longest topic (in UTF-8 bytes) remembered. */
    static final int MAX_TOPIC_BYTES = 128;

    /** Reads eight bytes of a {@code byte[]} as a big-endian long, as {@link ByteBuf#getLong} does. */
    private static final VarHandle LONG_BE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private final byte[][] encoded = new byte[ENTRIES][];
    private final String[] topics = new String[ENTRIES];
    private int next;

    /** The remembered topic whose UTF-8 bytes equal {@code buf[index, index + length)}, or {@code null}. */
    String find(ByteBuf buf, int index, int length) {
        for (int i = 0; i < ENTRIES; i++) {
            byte[] e = encoded[i];
            if (e != null && e.length == length && sameBytes(buf, index, e)) {
                return topics[i];
            }
        }
        return null;
    }

    private static boolean sameBytes(ByteBuf buf, int index, byte[] expected) {
        int n = expected.length;
        int i = 0;
        for (; i + Long.BYTES <= n; i += Long.BYTES) {
            if (buf.getLong(index + i) != (long) LONG_BE.get(expected, i)) {
                return false;
            }
        }
        for (; i < n; i++) {
            if (buf.getByte(index + i) != expected[i]) {
                return false;
            }
        }
        return true;
    }

    /** Remembers {@code topic}, a valid name decoded from {@code buf[index, index + length)}. */
    void remember(ByteBuf buf, int index, int length, String topic) {
        if (length > MAX_TOPIC_BYTES || length == 0) {
            return;
        }
        byte[] copy = new byte[length];
        buf.getBytes(index, copy);
        encoded[next] = copy;
        topics[next] = topic;
        next = (next + 1) % ENTRIES;
    }
}
