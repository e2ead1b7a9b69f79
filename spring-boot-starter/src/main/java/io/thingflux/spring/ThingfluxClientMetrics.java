package io.thingflux.spring;

import io.thingflux.netty.client.MqttClientMetrics;

/**
 * Gives each auto-configured connection the {@link MqttClientMetrics} it records into; the starter
 * defines one over the application's Micrometer {@code MeterRegistry} when there is one.
 */
@FunctionalInterface
public interface ThingfluxClientMetrics {

    /** The metrics of connection {@code name} ({@code "mqtt"} or {@code "aliyun"}). */
    MqttClientMetrics forConnection(String name);
}
