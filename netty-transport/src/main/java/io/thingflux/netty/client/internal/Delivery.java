package io.thingflux.netty.client.internal;

import io.thingflux.link.LinkMessage;

/**
 * One incoming message on its way to the subscribers it matches. It counts the subscribers still to
 * take it; when the last one has taken it (or dropped it, or cancelled) the QoS 1/2 acknowledgement
 * it holds is released, in receipt order, by the connection it came from. Confined to the client's
 * event loop.
 */
final class Delivery {

    final LinkMessage message;

    /** Releases the acknowledgement; {@code null} for QoS 0. */
    private final MqttIncomingQosHandler acks;

    final int packetId;
    private int pending;
    private boolean consumed;

    /**
     * The next message in its connection's queue of withheld acknowledgements ({@link
     * MqttIncomingQosHandler}).
     */
    Delivery nextAck;

    Delivery(LinkMessage message, int packetId, MqttIncomingQosHandler acks) {
        this.message = message;
        this.packetId = packetId;
        this.acks = acks;
    }

    /** Sets how many subscribers must take the message before it counts as consumed. */
    void expect(int subscribers) {
        this.pending = subscribers;
        if (subscribers == 0) {
            markConsumed();
        }
    }

    /** One subscriber took (or discarded) the message. */
    void taken() {
        if (--pending <= 0) {
            markConsumed();
        }
    }

    boolean isConsumed() {
        return consumed;
    }

    boolean isQos0() {
        return acks == null;
    }

    /**
     * Marks the message consumed without a subscriber (a QoS 2 duplicate that was delivered
     * before).
     */
    void markConsumed() {
        if (!consumed) {
            consumed = true;
            if (acks != null) {
                acks.drainAcks();
            }
        }
    }
}
