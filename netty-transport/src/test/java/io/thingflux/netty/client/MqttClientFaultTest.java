package io.thingflux.netty.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.thingflux.link.LinkState;
import io.thingflux.link.ReconnectPolicy;
import io.thingflux.netty.testing.FaultInjectingProxy;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

/** The client behind a fault-injecting proxy in front of a broker that answers everything. */
class MqttClientFaultTest {

    @Test
    void blackHoledBrokerIsFoundByTheKeepAliveAndTheClientComesBackWhenTheNetworkDoes() {
        MqttClientResources resources = MqttClientResources.create(1);
        try (AutoAckBroker broker = new AutoAckBroker();
                FaultInjectingProxy proxy =
                        FaultInjectingProxy.start(
                                new InetSocketAddress("127.0.0.1", broker.port()))) {
            MqttClient client =
                    MqttClient.create(
                            MqttClientOptions.builder("127.0.0.1", proxy.port())
                                    .keepAliveSeconds(1)
                                    .pingTimeout(Duration.ofMillis(700))
                                    .connAckTimeout(Duration.ofSeconds(1))
                                    .reconnect(
                                            ReconnectPolicy.exponential()
                                                    .withDelays(
                                                            Duration.ofMillis(50),
                                                            Duration.ofMillis(200)))
                                    .build(),
                            resources);
            List<LinkState> states = new CopyOnWriteArrayList<>();
            client.states().subscribe(states::add);
            StepVerifier.create(client.connect())
                    .expectNextCount(1)
                    .expectComplete()
                    .verify(Duration.ofSeconds(10));

            proxy.blackhole(); // the connection stays open, nothing gets through: half-open
            ClientTestSupport.await(
                    () -> client.state() == LinkState.RECONNECTING, "half-open detected");
            proxy.pass();
            ClientTestSupport.await(() -> client.state() == LinkState.CONNECTED, "connected again");
            // states() signals each change to subscribers after the state itself changed
            ClientTestSupport.await(
                    () ->
                            states.contains(LinkState.RECONNECTING)
                                    && states.lastIndexOf(LinkState.CONNECTED)
                                            > states.indexOf(LinkState.RECONNECTING),
                    "CONNECTED signalled after RECONNECTING");
            assertThat(states)
                    .containsSubsequence(
                            LinkState.CONNECTED, LinkState.RECONNECTING, LinkState.CONNECTED);
            StepVerifier.create(client.disconnect())
                    .expectComplete()
                    .verify(Duration.ofSeconds(10));
        } finally {
            resources.dispose();
        }
    }
}
