package io.thingflux.netty.client;

/**
 * A publish was refused (policy {@link OfflineBufferPolicy#FAIL}) or evicted (policy {@link
 * OfflineBufferPolicy#DROP_OLDEST}) because the bounded outbox of publishes waiting for a
 * connection or for room in the in-flight window was full.
 */
public final class OfflineBufferFullException extends MqttClientException {

    public OfflineBufferFullException(int capacity, boolean evicted) {
        super(
                evicted
                        ? "publish evicted from the full outbox (capacity "
                                + capacity
                                + ", drop oldest)"
                        : "outbox full (capacity " + capacity + "), publish refused");
    }
}
