package io.thingflux.link.outbox;

import io.thingflux.link.LinkMessage;
import java.util.List;

/**
 * An open outbox of one client identity: what a link writes so that a restarted process can finish
 * the QoS 1/2 publishes it accepted and keep delivering each QoS 2 message once.
 *
 * <p>A link calls it on its own I/O thread only, in this order for one publish: {@link #append}
 * when the publish is accepted (before it may leave), {@link #packetId} once a QoS 2 publish has
 * its id, {@link #released} on PUBREC, {@link #remove} when it is acknowledged or failed for good.
 * A publish that is still pending when the link closes stays in the store and is sent again by the
 * next process that opens it.
 */
public interface OutboxStore extends AutoCloseable {

    /** Whether anything survives the process; false for {@link OutboxStorage#memory()}. */
    boolean durable();

    /** What the store held when it was opened, in the order the publishes were first accepted. */
    Recovered recovered();

    /**
     * Stores {@code message} and returns its sequence number (increasing).
     *
     * @throws OutboxFullException when the store's message or byte bound is reached
     * @throws OutboxStorageException when it cannot be written (disk full): nothing was stored
     */
    long append(LinkMessage message);

    /** The packet id of QoS 2 publish {@code seq}, so that a PUBREL can follow a restart. */
    void packetId(long seq, int packetId);

    /** QoS 2 publish {@code seq} got its PUBREC: after a restart only PUBREL is sent again. */
    void released(long seq);

    /** Publish {@code seq} is finished (acknowledged, or failed for good). */
    void remove(long seq);

    /** An incoming QoS 2 message with {@code packetId} was delivered; not yet released. */
    void qos2Received(int packetId);

    /** The incoming QoS 2 {@code packetId} was released (PUBREL). */
    void qos2Released(int packetId);

    /** Flushes as the sync policy says and releases the directory; idempotent. */
    @Override
    void close();

    /** A publish read back from the store: accepted, not yet finished. */
    record Pending(long seq, LinkMessage message, int packetId, boolean released) {}

    /**
     * What a store held when it was opened.
     *
     * @param publishes unfinished publishes in acceptance order
     * @param qos2Received incoming QoS 2 packet ids delivered and not released
     */
    record Recovered(List<Pending> publishes, int[] qos2Received) {
        static final Recovered EMPTY = new Recovered(List.of(), new int[0]);

        public Recovered {
            publishes = List.copyOf(publishes);
            qos2Received = qos2Received.clone();
        }

        @Override
        public int[] qos2Received() {
            return qos2Received.clone();
        }

        public boolean isEmpty() {
            return publishes.isEmpty() && qos2Received.length == 0;
        }
    }
}
