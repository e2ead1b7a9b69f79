package io.thingflux.spring;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.thingflux.link.LinkState;
import io.thingflux.netty.client.MicrometerClientMetrics;
import io.thingflux.netty.client.MqttClientMetrics;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.endpoint.SanitizableData;
import org.springframework.boot.actuate.endpoint.SanitizingFunction;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * What the starter adds where the application has actuator and Micrometer: the {@code thingflux}
 * health indicator, the clients' meters in the application's {@link MeterRegistry}, and the masking
 * of the {@code thingflux} secrets in {@code /actuator/env} and {@code /actuator/configprops}
 * whatever {@code show-values} says.
 */
@AutoConfiguration(after = ThingfluxAutoConfiguration.class)
public class ThingfluxActuatorAutoConfiguration {

    /** The health indicator, shown as {@code thingflux}. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(HealthIndicator.class)
    static class HealthConfiguration {
        @Bean
        @ConditionalOnMissingBean(name = "thingfluxHealthIndicator")
        ThingfluxHealthIndicator thingfluxHealthIndicator(List<ThingfluxConnection> connections) {
            return new ThingfluxHealthIndicator(connections);
        }
    }

    /** Micrometer meters. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(MeterRegistry.class)
    static class MetricsConfiguration {

        /**
         * The clients' meters ({@code thingflux.mqtt.client.*}, tagged {@code connection}), in the
         * registry the application has, if any, when the clients are created.
         */
        @Bean
        @ConditionalOnMissingBean
        ThingfluxClientMetrics thingfluxClientMetrics(ObjectProvider<MeterRegistry> registry) {
            return name -> {
                MeterRegistry r = registry.getIfAvailable();
                return r == null
                        ? MqttClientMetrics.NONE
                        : MicrometerClientMetrics.create(r, "connection", name);
            };
        }

        /**
         * {@code thingflux.connection.connected} (1 when connected, else 0), {@code
         * thingflux.connection.pending.requests} and {@code thingflux.mqtt.client.dropped.messages}
         * per connection.
         */
        @Bean
        MeterBinder thingfluxConnectionMeters(List<ThingfluxConnection> connections) {
            return registry -> {
                for (ThingfluxConnection c : connections) {
                    Gauge.builder(
                                    "thingflux.connection.connected",
                                    c,
                                    x -> x.state() == LinkState.CONNECTED ? 1 : 0)
                            .description("1 while the connection is up, else 0")
                            .tag("connection", c.name())
                            .register(registry);
                    Gauge.builder(
                                    "thingflux.connection.pending.requests",
                                    c,
                                    ThingfluxConnection::pendingRequests)
                            .description("requests awaiting the platform's reply")
                            .tag("connection", c.name())
                            .register(registry);
                    FunctionCounter.builder(
                                    "thingflux.mqtt.client.dropped.messages",
                                    c,
                                    x -> x.client().droppedMessages())
                            .description(
                                    "incoming messages the client dropped (QoS 0 overflow,"
                                            + " unmatched)")
                            .tag("connection", c.name())
                            .register(registry);
                }
            };
        }
    }

    /** Masks the secrets in the actuator's env and configprops endpoints. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(SanitizingFunction.class)
    static class SanitizingConfiguration {
        @Bean
        SanitizingFunction thingfluxSecretsSanitizer() {
            return SanitizingConfiguration::sanitize;
        }

        /**
         * Masks a {@code thingflux} key whose last part is a secret or a password, however it is
         * spelled ({@code thingflux.aliyun.device-secret}, {@code THINGFLUX_ALIYUN_DEVICESECRET},
         * {@code thingflux.mqtt.password}).
         */
        static SanitizableData sanitize(SanitizableData data) {
            String key = data.getLowerCaseKey().replaceAll("[^a-z0-9]", "");
            if (key.startsWith("thingflux")
                    && (key.endsWith("secret") || key.endsWith("password"))) {
                return data.withSanitizedValue();
            }
            return data;
        }
    }
}
