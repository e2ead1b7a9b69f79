package io.thingflux.netty.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.embedded.EmbeddedHiveMQ;
import io.thingflux.link.LinkMessage;
import io.thingflux.link.LinkState;
import io.thingflux.link.ReconnectPolicy;
import io.thingflux.mqtt.MqttQos;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.Disposable;
import reactor.test.StepVerifier;

/**
 * The client against a real broker nobody here wrote: HiveMQ Community Edition embedded, in-memory
 * persistence, anonymous usage statistics off, on a free loopback port.
 */
class HiveMqBrokerIT {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir Path dir;
    private int port;
    private EmbeddedHiveMQ hivemq;
    private MqttClientResources resources;

    @BeforeEach
    void start() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Path conf = Files.createDirectories(dir.resolve("conf"));
        Files.writeString(
                conf.resolve("config.xml"),
                """
                <?xml version="1.0"?>
                <hivemq>
                  <listeners>
                    <tcp-listener><port>%d</port><bind-address>127.0.0.1</bind-address></tcp-listener>
                  </listeners>
                  <persistence><mode>in-memory</mode></persistence>
                  <anonymous-usage-statistics><enabled>false</enabled></anonymous-usage-statistics>
                </hivemq>
                """
                        .formatted(port));
        startBroker();
        resources = MqttClientResources.create(2);
    }

    private void startBroker() throws Exception {
        hivemq =
                EmbeddedHiveMQ.builder()
                        .withConfigurationFolder(dir.resolve("conf"))
                        .withDataFolder(Files.createDirectories(dir.resolve("data")))
                        .withExtensionsFolder(Files.createDirectories(dir.resolve("extensions")))
                        .build();
        hivemq.start().get(60, TimeUnit.SECONDS);
    }

    private void stopBroker() throws Exception {
        hivemq.stop().get(60, TimeUnit.SECONDS);
        hivemq.close();
    }

    @AfterEach
    void stop() throws Exception {
        resources.dispose();
        if (hivemq != null) {
            stopBroker();
        }
    }

    private MqttClient client(String id) {
        return MqttClient.create(
                MqttClientOptions.builder("127.0.0.1", port)
                        .clientId(id)
                        .reconnect(
                                ReconnectPolicy.exponential()
                                        .withDelays(Duration.ofMillis(100), Duration.ofMillis(500)))
                        .build(),
                resources);
    }

    private static LinkMessage message(String topic, String payload, MqttQos qos) {
        return new LinkMessage(topic, payload.getBytes(StandardCharsets.UTF_8), qos, false);
    }

    @Test
    void messagesOfEveryQosTravelThroughHiveMq() {
        MqttClient subscriber = client("it-sub");
        MqttClient publisher = client("it-pub");
        StepVerifier.create(subscriber.connect()).expectNextCount(1).expectComplete().verify(WAIT);
        StepVerifier.create(publisher.connect()).expectNextCount(1).expectComplete().verify(WAIT);
        for (MqttQos qos : MqttQos.values()) {
            String topic = "it/qos" + qos.code();
            List<List<?>> subAcks = new CopyOnWriteArrayList<>();
            StepVerifier.create(subscriber.subscribe(topic, qos).doOnSubAck(subAcks::add).take(3))
                    .then(() -> ClientTestSupport.await(() -> subAcks.size() == 1, "SUBACK"))
                    .then(
                            () ->
                                    publisher
                                            .publish(
                                                    reactor.core.publisher.Flux.range(1, 3)
                                                            .map(i -> message(topic, "m" + i, qos)))
                                            .doOnNext(
                                                    r ->
                                                            assertThat(r.isSuccess())
                                                                    .as(String.valueOf(r.error()))
                                                                    .isTrue())
                                            .blockLast(WAIT))
                    .assertNext(m -> assertThat(m.payloadAsString()).isEqualTo("m1"))
                    .assertNext(m -> assertThat(m.qos()).isEqualTo(qos))
                    .assertNext(m -> assertThat(m.payloadAsString()).isEqualTo("m3"))
                    .expectComplete()
                    .verify(WAIT);
        }
        StepVerifier.create(publisher.disconnect()).expectComplete().verify(WAIT);
        StepVerifier.create(subscriber.disconnect()).expectComplete().verify(WAIT);
    }

    @Test
    void clientReconnectsAndResubscribesAfterTheBrokerIsStoppedAndStartedAgain() throws Exception {
        MqttClient subscriber = client("it-resub");
        StepVerifier.create(subscriber.connect()).expectNextCount(1).expectComplete().verify(WAIT);
        List<LinkMessage> got = new CopyOnWriteArrayList<>();
        List<List<?>> subAcks = new CopyOnWriteArrayList<>();
        Disposable sub =
                subscriber
                        .subscribe("it/restart", MqttQos.AT_LEAST_ONCE)
                        .doOnSubAck(subAcks::add)
                        .subscribe(got::add);
        ClientTestSupport.await(() -> subAcks.size() == 1, "first SUBACK");

        stopBroker();
        ClientTestSupport.await(() -> subscriber.state() == LinkState.RECONNECTING, "RECONNECTING");
        startBroker();
        ClientTestSupport.await(() -> subscriber.state() == LinkState.CONNECTED, "CONNECTED again");
        ClientTestSupport.await(
                () -> subAcks.size() == 2, "SUBACK after resubscribe (in-memory session lost)");

        MqttClient publisher = client("it-pub2");
        StepVerifier.create(publisher.connect()).expectNextCount(1).expectComplete().verify(WAIT);
        StepVerifier.create(publisher.publish(message("it/restart", "back", MqttQos.AT_LEAST_ONCE)))
                .expectNextCount(1)
                .expectComplete()
                .verify(WAIT);
        ClientTestSupport.await(() -> got.size() == 1, "message after restart");
        assertThat(got.get(0).payloadAsString()).isEqualTo("back");
        sub.dispose();
    }
}
