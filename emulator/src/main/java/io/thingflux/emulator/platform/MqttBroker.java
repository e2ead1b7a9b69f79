package io.thingflux.emulator.platform;

import io.thingflux.mqtt.MqttQos;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.function.Consumer;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;

/**
 * An embeddable MQTT broker: where it listens, what it received, what it counted, and a way to
 * publish as the server. {@link AliyunPlatformEmulator} is the implementation; it adds the
 * platform's device API.
 */
public interface MqttBroker extends AutoCloseable {

    /** The bound address of the plain TCP listener. */
    InetSocketAddress mqttAddress();

    /** The bound address of the TLS listener, if there is one. */
    Optional<InetSocketAddress> tlsAddress();

    /** The bound address of the admin HTTP API, if there is one. */
    Optional<InetSocketAddress> adminAddress();

    /** A snapshot of the counters. */
    BrokerStats stats();

    /**
     * Every PUBLISH received from a client from the moment of subscription, delivered off the event
     * loops (on Reactor's parallel scheduler). A subscriber that falls behind by more than {@link
     * AliyunPlatformEmulator#PUBLISHES_BUFFER} messages loses the oldest ones.
     */
    Flux<ReceivedPublish> publishes();

    /**
     * Calls {@code listener} for every PUBLISH received from a client, on the receiving
     * connection's event loop (opt-in: the listener must be quick and must not block). Dispose to
     * remove it.
     */
    Disposable addPublishListener(Consumer<ReceivedPublish> listener);

    /**
     * Publishes {@code payload} on {@code topic} as the server, to every matching subscriber.
     *
     * @throws EmulatorRequestException for an invalid topic, or QoS 2 in Aliyun mode
     */
    void publish(String topic, byte[] payload, MqttQos qos);

    /** Closes the listeners and every connection, and flushes the recording. Idempotent. */
    @Override
    void close();
}
