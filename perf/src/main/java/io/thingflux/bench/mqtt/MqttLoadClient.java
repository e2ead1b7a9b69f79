package io.thingflux.bench.mqtt;

/**
 * The MQTT client that drives a plain MQTT bench's connections: one per run, owning what they share
 * (event loops). Implementations: thingflux's {@code MqttClient}, the HiveMQ MQTT Client, and the
 * bare Netty codec floor.
 */
public interface MqttLoadClient extends AutoCloseable {

    /** The name in results: {@code thingflux}, {@code hivemq} or {@code netty-codec}. */
    String name();

    /**
     * A connection that is not connected yet; each is connected at most once (a reconnect makes a
     * new one).
     *
     * @param listener told of every message that arrives, on the client's I/O thread
     */
    MqttLoadConnection connection(ConnectionSpec spec, MessageListener listener);

    /** Releases what the connections shared; connections still open are dropped. */
    @Override
    void close();

    /** Receives the messages of one connection. */
    @FunctionalInterface
    interface MessageListener {
        /** One message on {@code topic}; {@code payload} is the listener's to keep. */
        void onMessage(String topic, byte[] payload);
    }
}
