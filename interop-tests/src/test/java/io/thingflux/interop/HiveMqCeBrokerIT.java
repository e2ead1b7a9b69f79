package io.thingflux.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.util.Version;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The embedded HiveMQ CE harness serves the HiveMQ client over MQTT 3.1.1 with the Netty 4.2 our
 * BOM forces, and comes back on the same port after a stop.
 */
class HiveMqCeBrokerIT {

    private static HiveMqCeBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = HiveMqCeBroker.start();
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void runsOnTheNetty42OfOurBom() {
        assertThat(Version.identify().get("netty-transport").artifactVersion()).startsWith("4.2.");
    }

    @Test
    void hiveMqClientSubscribesPublishesQos1AndReceivesThroughHiveMqCe() {
        broker.restart(); // a no-op unless another test left it stopped

        HiveMqClientRoundTrip.assertQos1RoundTrip(broker.host(), broker.port());
    }

    @Test
    void stoppedBrokerRefusesConnectionsAndRestartsOnTheSamePort() {
        broker.restart();
        int port = broker.port();

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

        assertThat(broker.port()).isEqualTo(port);
        HiveMqClientRoundTrip.assertQos1RoundTrip(broker.host(), port);
    }
}
