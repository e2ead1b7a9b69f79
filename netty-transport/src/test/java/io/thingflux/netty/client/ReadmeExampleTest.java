package io.thingflux.netty.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.thingflux.link.LinkMessage;
import io.thingflux.mqtt.MqttQos;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The README's client example, run as written against a broker that acknowledges everything. */
class ReadmeExampleTest {

    @Test
    void readmeExampleConnectsSubscribesPublishesAndDisconnects() {
        try (AutoAckBroker broker = new AutoAckBroker()) {
            String host = "127.0.0.1";
            int port = broker.port();
            // --- README example ---
            MqttClientResources resources =
                    MqttClientResources.create(); // shared event loops: no thread per client
            MqttClient client =
                    MqttClient.create(
                            MqttClientOptions.builder(host, port)
                                    .clientId("sensor-1")
                                    .keepAliveSeconds(60)
                                    .build(),
                            resources);
            client.connect().block(); // Mono<ConnAck>
            client.subscribe(
                            "cmd/sensor-1/#",
                            MqttQos.AT_LEAST_ONCE) // SUBSCRIBE on subscribe, UNSUBSCRIBE on cancel
                    .subscribe(m -> System.out.println(m.topic() + " " + m.payloadAsString()));
            PublishResult r =
                    client.publish(
                                    "telemetry/sensor-1",
                                    "{\"t\":21.5}".getBytes(StandardCharsets.UTF_8),
                                    MqttQos.AT_LEAST_ONCE)
                            .block(); // completes on PUBACK
            client.disconnect().block(); // DISCONNECT, closed for good
            resources.dispose();
            // --- end ---
            assertThat(r.isSuccess()).isTrue();
            assertThat(r.message())
                    .isEqualTo(
                            new LinkMessage(
                                    "telemetry/sensor-1",
                                    "{\"t\":21.5}".getBytes(StandardCharsets.UTF_8),
                                    MqttQos.AT_LEAST_ONCE,
                                    false));
            assertThat(client.state()).isEqualTo(io.thingflux.link.LinkState.CLOSED);
            resources.disposeLater().block(Duration.ofSeconds(10));
            assertThat(resources.isDisposed()).as("disposed").isTrue();
            assertThat(resources.eventLoopGroup().isTerminated())
                    .as("event loops terminated")
                    .isTrue();
        }
    }
}
