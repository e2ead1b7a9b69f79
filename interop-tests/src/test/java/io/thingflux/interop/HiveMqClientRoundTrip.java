package io.thingflux.interop;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.message.publish.Mqtt3Publish;
import com.hivemq.client.mqtt.mqtt3.message.subscribe.suback.Mqtt3SubAck;
import com.hivemq.client.mqtt.mqtt3.message.subscribe.suback.Mqtt3SubAckReturnCode;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Proves a broker works with a client nobody here wrote: two HiveMQ MQTT 3.1.1 clients connect, one
 * subscribes with QoS 1 to a wildcard filter, the other publishes QoS 1 (blocking until the
 * PUBACK), and the subscriber must receive the message with its topic, payload and QoS.
 */
final class HiveMqClientRoundTrip {

    private HiveMqClientRoundTrip() {}

    static Mqtt3BlockingClient client(String host, int port, String role) {
        return MqttClient.builder()
                .useMqttVersion3()
                .identifier(
                        "thingflux-interop-"
                                + role
                                + "-"
                                + UUID.randomUUID().toString().substring(0, 8))
                .serverHost(host)
                .serverPort(port)
                .buildBlocking();
    }

    static void assertQos1RoundTrip(String host, int port) {
        Mqtt3BlockingClient subscriber = client(host, port, "sub");
        Mqtt3BlockingClient publisher = client(host, port, "pub");
        subscriber.connect();
        try {
            publisher.connect();
            try (Mqtt3BlockingClient.Mqtt3Publishes publishes =
                    subscriber.publishes(MqttGlobalPublishFilter.ALL)) {
                Mqtt3SubAck subAck =
                        subscriber
                                .subscribeWith()
                                .topicFilter("interop/+/qos1")
                                .qos(MqttQos.AT_LEAST_ONCE)
                                .send();
                assertThat(subAck.getReturnCodes())
                        .containsExactly(Mqtt3SubAckReturnCode.SUCCESS_MAXIMUM_QOS_1);

                byte[] payload =
                        ("{\"id\":\"1\",\"params\":{\"温度\":21.5}} " + UUID.randomUUID())
                                .getBytes(StandardCharsets.UTF_8);
                publisher
                        .publishWith()
                        .topic("interop/device-1/qos1")
                        .qos(MqttQos.AT_LEAST_ONCE)
                        .payload(payload)
                        .send();

                Optional<Mqtt3Publish> received = publishes.receive(30, TimeUnit.SECONDS);
                assertThat(received).as("message delivered within 30 s").isPresent();
                assertThat(received.get().getTopic().toString()).isEqualTo("interop/device-1/qos1");
                assertThat(received.get().getPayloadAsBytes()).isEqualTo(payload);
                assertThat(received.get().getQos()).isEqualTo(MqttQos.AT_LEAST_ONCE);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for the message", e);
            } finally {
                publisher.disconnect();
            }
        } finally {
            subscriber.disconnect();
        }
    }
}
