package io.thingflux.mqtt;

import java.util.Objects;

/** One topic filter of a SUBSCRIBE with its requested QoS (MQTT 3.1.1 §3.8.3). */
public record Subscription(String filter, MqttQos qos) {

    public Subscription {
        MqttTopics.requireValidFilter(filter);
        Objects.requireNonNull(qos, "qos");
    }
}
