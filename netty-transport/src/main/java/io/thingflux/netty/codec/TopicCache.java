package io.thingflux.netty.codec;

import java.util.Arrays;

/**
 * The last few PUBLISH topic names one decoder has seen, so that a topic a connection uses again is
 * neither validated nor allocated again: a device or a broker connection usually cycles through a
 * handful of topics.
 *
 * <p>Holds at most {@link #ENTRIES} topics of at most {@link #MAX_TOPIC_BYTES} bytes each, replaced
 * round-robin; a longer topic is decoded every time. Only names that passed every topic-name rule
 * are remembered. One instance per decoder, used on its event loop only.
 */
final class TopicCache {

    /** How many topics are remembered. */
    static final int ENTRIES = 4;

    /** The longest topic (in UTF-8 bytes) remembered. */
    static final int MAX_TOPIC_BYTES = 128;

    private final byte[][] encoded = new byte[ENTRIES][];
    private final String[] topics = new String[ENTRIES];
    private int next;

    /**
     * The remembered topic whose UTF-8 bytes equal {@code bytes[offset, offset + length)}, or
     * {@code null}.
     */
    String find(byte[] bytes, int offset, int length) {
        for (int i = 0; i < ENTRIES; i++) {
            byte[] e = encoded[i];
            if (e != null
                    && e.length == length
                    && Arrays.equals(e, 0, length, bytes, offset, offset + length)) {
                return topics[i];
            }
        }
        return null;
    }

    /**
     * Remembers {@code topic}, a valid name decoded from {@code bytes[offset, offset + length)}.
     */
    void remember(byte[] bytes, int offset, int length, String topic) {
        if (length > MAX_TOPIC_BYTES || length == 0) {
            return;
        }
        encoded[next] = Arrays.copyOfRange(bytes, offset, offset + length);
        topics[next] = topic;
        next = (next + 1) % ENTRIES;
    }
}
