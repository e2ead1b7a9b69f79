package io.thingflux.link.outbox;

/**
 * What a link without its own policy type does when a publish arrives and its bounded outbox is
 * full (the Netty client has the same two in {@code OfflineBufferPolicy}).
 */
public enum OverflowPolicy {
    /** The new publish fails with {@link OutboxFullException}; what is queued stays. */
    FAIL,
    /** The oldest queued publish fails with {@link OutboxFullException}; the new one is queued. */
    DROP_OLDEST
}
