package io.thingflux.netty.client;

/**
 * Receives the client's measurements. One instance may be shared by many clients, so it sees
 * aggregated figures. Calls come from event-loop threads and must not block. {@link #NONE} records
 * nothing; {@link MicrometerClientMetrics} records Micrometer meters when Micrometer is on the
 * class path.
 */
public interface MqttClientMetrics {

    /** Records nothing. */
    MqttClientMetrics NONE = new MqttClientMetrics() {};

    /** A connection was accepted (CONNACK 0); {@code reconnect} when it was not the first. */
    default void connected(boolean reconnect) {}

    /**
     * A connect attempt failed: refused by the broker ({@link
     * io.thingflux.link.ConnectRefusedException}, with its CONNACK return code) or lost on the way
     * (a transport error or timeout). The client then retries as its reconnect policy allows, or
     * closes for a refusal that retrying cannot cure.
     */
    default void connectFailed(Throwable cause) {}

    /**
     * The number of outgoing QoS 1/2 publishes awaiting acknowledgement changed by {@code delta}.
     */
    default void inFlightChanged(int delta) {}

    /**
     * A message was dropped; {@code reason} is a short constant such as {@code "qos0-overflow"}.
     */
    default void dropped(String reason) {}

    /** A publish completed successfully {@code nanos} after it was handed to the client. */
    default void published(int qos, long nanos) {}
}
