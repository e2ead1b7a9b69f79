package io.thingflux.bench.mqtt;

import io.thingflux.mqtt.MqttQos;
import java.util.concurrent.CompletableFuture;

/**
 * One bench connection. Nothing blocks: every operation completes later, on the client's threads.
 */
public interface MqttLoadConnection {

    /**
     * Connects and subscribes to the spec's filters; completes at the SUBACK (at the CONNACK
     * without filters). Fails when refused or a filter is refused.
     */
    CompletableFuture<Void> connect();

    /**
     * Publishes; completes when written (QoS 0), at the PUBACK (QoS 1) or at the PUBCOMP (QoS 2).
     */
    CompletableFuture<Void> publish(String topic, MqttQos qos, boolean retain, byte[] payload);

    /** Disconnects cleanly; completes when done (at once when not connected). */
    CompletableFuture<Void> disconnect();
}
