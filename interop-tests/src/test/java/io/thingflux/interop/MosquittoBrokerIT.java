package io.thingflux.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Mosquitto harness starts a real broker that the HiveMQ client can use, and brings it back on
 * the same port.
 */
@RequiresMosquitto
class MosquittoBrokerIT {

    private static MosquittoBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = MosquittoBroker.start();
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void hiveMqClientSubscribesPublishesQos1AndReceivesThroughMosquitto() {
        broker.restart(); // a no-op unless another test left it stopped

        HiveMqClientRoundTrip.assertQos1RoundTrip(broker.host(), broker.port());
    }

    @Test
    void stoppedBrokerRefusesConnectionsAndRestartsOnTheSamePort() {
        broker.restart();
        int port = broker.port();
        Mqtt3BlockingClient before = HiveMqClientRoundTrip.client(broker.host(), port, "before");
        before.connect();
        before.disconnect();

        broker.stop();

        assertThat(broker.isRunning()).isFalse();
        assertThatThrownBy(
                        () -> {
                            try (Socket s = new Socket()) {
                                s.connect(new InetSocketAddress(broker.host(), port), 2_000);
                            }
                        })
                .isInstanceOf(IOException.class);

        broker.restart();

        assertThat(broker.isRunning()).isTrue();
        assertThat(broker.port()).isEqualTo(port);
        HiveMqClientRoundTrip.assertQos1RoundTrip(broker.host(), port);
    }
}
