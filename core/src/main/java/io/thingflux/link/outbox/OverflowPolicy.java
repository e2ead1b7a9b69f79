package io.thingflux.link.outbox;

/**
 * What a link (the Netty client, the EC600S link) does when a publish arrives and its bounded
 * outbox is full.
 */
public enum OverflowPolicy {
    /** The new publish fails with {@link OutboxFullException}; what is queued stays. */
    FAIL,
    /** The oldest queued publish fails with {@link OutboxFullException}; the new one is queued. */
    DROP_OLDEST
}
