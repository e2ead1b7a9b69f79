package io.thingflux.link.outbox;

/**
 * A publish was refused, or evicted under a drop-oldest policy, because the outbox reached its
 * bound of messages or bytes.
 */
public final class OutboxFullException extends OutboxException {

    public OutboxFullException(String message) {
        super(message, null);
    }
}
