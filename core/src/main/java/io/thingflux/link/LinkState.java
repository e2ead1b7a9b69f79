package io.thingflux.link;

/** Where an {@link MqttLink} is in its life. */
public enum LinkState {
    /** Not connected and not trying. */
    DISCONNECTED,
    /** The first connection attempt is under way. */
    CONNECTING,
    /** Connected: publishes go out and subscriptions deliver. */
    CONNECTED,
    /** The connection was lost and the link is trying to get it back. */
    RECONNECTING,
    /**
     * Closed for good, by {@link MqttLink#disconnect()} or a fatal refusal; it cannot be reused.
     */
    CLOSED
}
