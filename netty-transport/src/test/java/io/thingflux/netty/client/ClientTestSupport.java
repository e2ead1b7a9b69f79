package io.thingflux.netty.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.thingflux.link.LinkState;
import io.thingflux.mqtt.ConnAck;
import io.thingflux.mqtt.Connect;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** A client resources object and a scripted broker per test, and helpers to drive a connection. */
abstract class ClientTestSupport {

    static final Duration WAIT =
            Duration.ofSeconds(30); // an upper bound: tests wait only as long as needed

    MqttClientResources resources;
    ScriptedBroker broker;

    @BeforeEach
    void startBroker() {
        resources = MqttClientResources.create(1);
        broker = ScriptedBroker.start();
    }

    @AfterEach
    void stopBroker() {
        broker.close();
        resources.dispose();
    }

    MqttClientOptions.Builder options() {
        return MqttClientOptions.builder("127.0.0.1", broker.port()).clientId("test-client");
    }

    MqttClient client(MqttClientOptions.Builder options) {
        return MqttClient.create(options.build(), resources);
    }

    /**
     * Starts connecting, answers CONNECT with CONNACK 0 and waits until the client is connected.
     */
    ScriptedBroker.Connection connect(MqttClient client, boolean sessionPresent)
            throws InterruptedException {
        client.connect().subscribe(ack -> {}, e -> {});
        return acceptNext(client, sessionPresent);
    }

    /** Accepts the client's next connection and answers CONNACK 0. */
    ScriptedBroker.Connection acceptNext(MqttClient client, boolean sessionPresent)
            throws InterruptedException {
        ScriptedBroker.Connection c = broker.awaitConnection();
        c.expect(Connect.class);
        c.send(ConnAck.accepted(sessionPresent));
        awaitState(client, LinkState.CONNECTED);
        return c;
    }

    static void awaitState(MqttClient client, LinkState state) {
        await(() -> client.state() == state, "state " + state + " (is " + client.state() + ")");
    }

    /** Polls {@code condition} until it holds or the deadline passes. */
    static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        assertThat(condition.getAsBoolean()).isTrue();
    }
}
