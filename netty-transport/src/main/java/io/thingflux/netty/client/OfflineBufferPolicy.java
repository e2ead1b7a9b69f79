package io.thingflux.netty.client;

/** What the client does when a publish arrives and its bounded outbox is full. */
public enum OfflineBufferPolicy {
    /** The new publish fails with {@link OfflineBufferFullException}; what is queued stays. */
    FAIL,
    /**
     * The oldest queued publish fails with {@link OfflineBufferFullException}; the new one is
     * queued.
     */
    DROP_OLDEST
}
