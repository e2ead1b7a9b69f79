package io.thingflux.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.thingflux.alink.AliyunDevice;
import io.thingflux.alink.AliyunDeviceOptions;
import io.thingflux.link.LinkState;
import io.thingflux.mqtt.MqttQos;
import io.thingflux.netty.client.MqttClient;
import io.thingflux.netty.client.MqttClientOptions;
import io.thingflux.netty.client.MqttClientResources;
import io.thingflux.netty.client.NettyMqttLink;
import io.thingflux.netty.client.PublishResult;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.endpoint.SanitizableData;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.env.MapPropertySource;
import reactor.core.publisher.Mono;

class ThingfluxAutoConfigurationTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private final ApplicationContextRunner runner =
            new ApplicationContextRunner()
                    .withConfiguration(
                            AutoConfigurations.of(
                                    ThingfluxAutoConfiguration.class,
                                    ThingfluxActuatorAutoConfiguration.class))
                    .withPropertyValues("thingflux.event-loop-threads=1");

    @Test
    void withoutConfigurationOnlyTheResources() {
        runner.run(
                context -> {
                    assertThat(context).hasSingleBean(MqttClientResources.class);
                    assertThat(context).doesNotHaveBean(MqttClient.class);
                    assertThat(context).doesNotHaveBean(AliyunDevice.class);
                    assertThat(context.getBean(ThingfluxHealthIndicator.class).health().getStatus())
                            .isEqualTo(Status.UP);
                });
    }

    @Test
    void worksWithoutActuatorAndMicrometer() {
        runner.withClassLoader(
                        new FilteredClassLoader(
                                MeterRegistry.class,
                                org.springframework.boot.health.contributor.HealthIndicator.class,
                                org.springframework.boot.actuate.endpoint.SanitizingFunction.class))
                .withPropertyValues("thingflux.mqtt.host=127.0.0.1", "thingflux.mqtt.port=1")
                .run(
                        context -> {
                            assertThat(context).hasNotFailed();
                            assertThat(context).hasSingleBean(MqttClient.class);
                            assertThat(context).doesNotHaveBean(ThingfluxHealthIndicator.class);
                            assertThat(context).doesNotHaveBean(ThingfluxClientMetrics.class);
                        });
    }

    @Test
    void backsOffForTheApplicationsBeans() {
        MqttClientResources own = MqttClientResources.create(1);
        try {
            MqttClient client =
                    MqttClient.create(MqttClientOptions.builder("127.0.0.1", 1).build(), own);
            AliyunDevice device =
                    AliyunDevice.create(
                            new NettyMqttLink(client),
                            "a1Pk",
                            "dev",
                            AliyunDeviceOptions.defaults());
            runner.withBean(MqttClientResources.class, () -> own)
                    .withBean(MqttClient.class, () -> client)
                    .withBean(AliyunDevice.class, () -> device)
                    .withPropertyValues(
                            "thingflux.mqtt.host=127.0.0.1",
                            "thingflux.aliyun.product-key=a1Pk",
                            "thingflux.aliyun.device-name=dev",
                            "thingflux.aliyun.device-secret=s")
                    .run(
                            context -> {
                                assertThat(context.getBean(MqttClientResources.class))
                                        .isSameAs(own);
                                assertThat(context.getBean(MqttClient.class)).isSameAs(client);
                                assertThat(context.getBean(AliyunDevice.class)).isSameAs(device);
                                assertThat(context).doesNotHaveBean(ThingfluxConnection.class);
                            });
            assertThat(own.isDisposed()).as("the application's resources are its own").isFalse();
        } finally {
            own.dispose();
        }
    }

    @Test
    void missingSecretFailsStartupWithOneLine() {
        runner.withPropertyValues(
                        "thingflux.aliyun.product-key=a1Pk", "thingflux.aliyun.device-name=dev")
                .run(
                        context -> {
                            assertThat(context).hasFailed();
                            FailureAnalysis analysis =
                                    new ThingfluxFailureAnalyzer()
                                            .analyze(context.getStartupFailure());
                            assertThat(analysis.getDescription())
                                    .isEqualTo(
                                            "thingflux.aliyun.device-secret is not set for device"
                                                    + " a1Pk/dev: give it in any property source, e.g."
                                                    + " the environment variable"
                                                    + " THINGFLUX_ALIYUN_DEVICESECRET")
                                    .doesNotContain("\n");
                        });
    }

    @Test
    void badHostFailsStartupWithOneLineNamingIt() {
        runner.withPropertyValues("thingflux.mqtt.host=tcp://broker.local:1883")
                .run(
                        context -> {
                            assertThat(context).hasFailed();
                            FailureAnalysis analysis =
                                    new ThingfluxFailureAnalyzer()
                                            .analyze(context.getStartupFailure());
                            assertThat(analysis.getDescription())
                                    .startsWith(
                                            "thingflux.mqtt.host 'tcp://broker.local:1883' is not"
                                                    + " a host name or address")
                                    .doesNotContain("\n");
                        });
    }

    @Test
    void startsWithTheBrokerUnreachableAndSaysSoInItsHealth() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        runner.withBean(MeterRegistry.class, SimpleMeterRegistry::new)
                .withPropertyValues(
                        "thingflux.aliyun.product-key=a1Pk",
                        "thingflux.aliyun.device-name=dev",
                        "thingflux.aliyun.device-secret=topsecret",
                        "thingflux.aliyun.host=127.0.0.1",
                        "thingflux.aliyun.port=" + port)
                .run(
                        context -> {
                            assertThat(context).hasNotFailed();
                            ThingfluxConnection c = context.getBean(ThingfluxConnection.class);
                            // connecting in the background, retrying
                            await().atMost(WAIT)
                                    .until(
                                            c::state,
                                            s ->
                                                    s == LinkState.CONNECTING
                                                            || s == LinkState.RECONNECTING);
                            Health health =
                                    context.getBean(ThingfluxHealthIndicator.class).health();
                            assertThat(health.getStatus()).isEqualTo(Status.DOWN);
                            assertThat(health.getDetails().toString())
                                    .contains("aliyun")
                                    .doesNotContain("topsecret");
                            MeterRegistry registry = context.getBean(MeterRegistry.class);
                            // Spring Boot's metrics auto-configuration binds MeterBinder beans
                            context.getBean(MeterBinder.class).bindTo(registry);
                            assertThat(
                                            registry.get("thingflux.connection.connected")
                                                    .tag("connection", "aliyun")
                                                    .gauge()
                                                    .value())
                                    .isZero();
                            assertThat(
                                            registry.find("thingflux.mqtt.client.connects")
                                                    .tag("connection", "aliyun")
                                                    .counter())
                                    .isNotNull();
                        });
    }

    @Test
    void refusedConnectionIsOutOfServiceWithTheConnackReason() throws IOException {
        try (StubBroker broker = new StubBroker(5)) {
            runner.withPropertyValues(
                            "thingflux.mqtt.host=127.0.0.1", "thingflux.mqtt.port=" + broker.port())
                    .run(
                            context -> {
                                ThingfluxHealthIndicator health =
                                        context.getBean(ThingfluxHealthIndicator.class);
                                await().atMost(WAIT)
                                        .until(
                                                () -> health.health().getStatus(),
                                                Status.OUT_OF_SERVICE::equals);
                                assertThat(health.health().getDetails().get("mqtt").toString())
                                        .contains("connack=NOT_AUTHORIZED");
                            });
        }
    }

    @Test
    void aRefusalTheLinkRetriesIsDownWithTheConnackReason() throws IOException {
        try (StubBroker broker = new StubBroker(3)) { // SERVER_UNAVAILABLE: retried, not fatal
            runner.withPropertyValues(
                            "thingflux.mqtt.host=127.0.0.1", "thingflux.mqtt.port=" + broker.port())
                    .run(
                            context -> {
                                ThingfluxHealthIndicator health =
                                        context.getBean(ThingfluxHealthIndicator.class);
                                await().atMost(WAIT)
                                        .until(
                                                () ->
                                                        health.health()
                                                                .getDetails()
                                                                .get("mqtt")
                                                                .toString(),
                                                d -> d.contains("connack=SERVER_UNAVAILABLE"));
                                assertThat(health.health().getStatus()).isEqualTo(Status.DOWN);
                            });
        }
    }

    @Test
    void shutdownLetsTheInFlightPublishFinishThenSendsDisconnect() throws Exception {
        try (StubBroker broker = new StubBroker(0)) {
            Mono<PublishResult>[] publish = new Mono[1];
            PublishResult[] result = new PublishResult[1];
            Throwable[] error = new Throwable[1];
            runner.withPropertyValues(
                            "thingflux.mqtt.host=127.0.0.1",
                            "thingflux.mqtt.port=" + broker.port(),
                            "thingflux.shutdown-timeout=10s")
                    .run(
                            context -> {
                                ThingfluxConnection c = context.getBean(ThingfluxConnection.class);
                                await().atMost(WAIT).until(c::isReady);
                                publish[0] =
                                        c.client()
                                                .publish(
                                                        "t/1",
                                                        new byte[] {1},
                                                        MqttQos.AT_LEAST_ONCE);
                                publish[0].subscribe(r -> result[0] = r, e -> error[0] = e);
                                broker.publishReceived.get();
                                assertThat(c.inFlight()).isOne();
                                // the context closes when run() returns; the PUBACK comes once
                                // shutdown is waiting for it
                                Thread ack =
                                        new Thread(
                                                () -> {
                                                    ThingfluxLifecycle lifecycle =
                                                            context.getBean(
                                                                    ThingfluxLifecycle.class);
                                                    await().atMost(WAIT)
                                                            .until(lifecycle::isStopping);
                                                    broker.releasePubAcks();
                                                });
                                ack.setDaemon(true);
                                ack.start();
                            });
            broker.closedByClient.get();
            assertThat(error[0]).isNull();
            assertThat(result[0]).isNotNull();
            assertThat(broker.received).endsWith(0xE0);
        }
    }

    @Test
    void secretsAreMaskedWhateverTheirSpelling() {
        for (String key :
                new String[] {
                    "thingflux.aliyun.device-secret",
                    "THINGFLUX_ALIYUN_DEVICESECRET",
                    "thingflux.mqtt.password"
                }) {
            SanitizableData data =
                    new SanitizableData(
                            new MapPropertySource("test", java.util.Map.of()), key, "value");
            assertThat(
                            ThingfluxActuatorAutoConfiguration.SanitizingConfiguration.sanitize(
                                            data)
                                    .getValue())
                    .as(key)
                    .isEqualTo(SanitizableData.SANITIZED_VALUE);
        }
        SanitizableData other =
                new SanitizableData(null, "thingflux.aliyun.device-name", "sensor-1");
        assertThat(
                        ThingfluxActuatorAutoConfiguration.SanitizingConfiguration.sanitize(other)
                                .getValue())
                .isEqualTo("sensor-1");
    }
}
