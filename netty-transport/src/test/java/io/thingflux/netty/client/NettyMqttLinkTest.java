package io.thingflux.netty.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.thingflux.link.LinkMessage;
import io.thingflux.link.LinkState;
import io.thingflux.link.SubscribeAck;
import io.thingflux.link.SubscriptionRefusedException;
import io.thingflux.mqtt.ConnAck;
import io.thingflux.mqtt.Connect;
import io.thingflux.mqtt.Disconnect;
import io.thingflux.mqtt.MqttQos;
import io.thingflux.mqtt.PubAck;
import io.thingflux.mqtt.Publish;
import io.thingflux.mqtt.SubAck;
import io.thingflux.mqtt.SubAckReturnCode;
import io.thingflux.mqtt.Subscribe;
import io.thingflux.mqtt.Subscription;
import io.thingflux.mqtt.Unsubscribe;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

class NettyMqttLinkTest {

    private MqttClientResources resources;
    private ScriptedBroker broker;

    @BeforeEach
    void setUp() {
        resources = MqttClientResources.create(1);
        broker = ScriptedBroker.start();
    }

    @AfterEach
    void tearDown() {
        broker.close();
        resources.dispose();
    }

    private NettyMqttLink link() {
        return NettyMqttLink.create(
                MqttClientOptions.builder("127.0.0.1", broker.port()).clientId("link-1").build(),
                resources);
    }

    @Test
    void linkConnectsPublishesSubscribesAndDisconnectsThroughTheClient() throws Exception {
        NettyMqttLink link = link();
        assertThat(link.state()).isEqualTo(LinkState.DISCONNECTED);

        StepVerifier.create(link.connect())
                .then(() -> answerConnect())
                .expectComplete()
                .verify(Duration.ofSeconds(10));
        assertThat(link.state()).isEqualTo(LinkState.CONNECTED);
        ScriptedBroker.Connection c = current;

        StepVerifier.create(
                        link.publish(
                                "up/1",
                                "hello".getBytes(StandardCharsets.UTF_8),
                                MqttQos.AT_LEAST_ONCE))
                .then(
                        () -> {
                            Publish p = await(() -> c.expect(Publish.class));
                            assertThat(p.topic()).isEqualTo("up/1");
                            assertThat(p.payloadAsString()).isEqualTo("hello");
                            c.send(new PubAck(p.packetId()));
                        })
                .expectComplete()
                .verify(Duration.ofSeconds(10));

        StepVerifier.create(link.subscribe("down/#", MqttQos.AT_MOST_ONCE).take(1))
                .then(
                        () -> {
                            Subscribe s = await(() -> c.expect(Subscribe.class));
                            c.send(
                                    SubAck.of(s.packetId(), SubAckReturnCode.GRANTED_QOS_0),
                                    Publish.qos0("down/x", "cmd"));
                        })
                .assertNext(
                        m ->
                                assertThat(m)
                                        .isEqualTo(
                                                new LinkMessage(
                                                        "down/x",
                                                        "cmd".getBytes(StandardCharsets.UTF_8),
                                                        MqttQos.AT_MOST_ONCE,
                                                        false)))
                .expectComplete()
                .verify(Duration.ofSeconds(10));

        StepVerifier.create(link.disconnect()).expectComplete().verify(Duration.ofSeconds(10));
        c.expect(io.thingflux.mqtt.Unsubscribe.class);
        assertThat(c.expect(Disconnect.class)).isSameAs(Disconnect.INSTANCE);
        assertThat(link.state()).isEqualTo(LinkState.CLOSED);
    }

    @Test
    void refusedFilterFailsTheLinkSubscriptionWithSubscriptionRefused() throws Exception {
        NettyMqttLink link = link();
        StepVerifier.create(link.connect())
                .then(this::answerConnect)
                .expectComplete()
                .verify(Duration.ofSeconds(10));
        ScriptedBroker.Connection c = current;
        StepVerifier.create(link.subscribe("forbidden/#", MqttQos.AT_LEAST_ONCE))
                .then(
                        () -> {
                            Subscribe s = await(() -> c.expect(Subscribe.class));
                            c.send(SubAck.of(s.packetId(), SubAckReturnCode.FAILURE));
                        })
                .expectErrorSatisfies(
                        e ->
                                assertThat(e)
                                        .isInstanceOf(SubscriptionRefusedException.class)
                                        .hasMessageContaining("forbidden/#"))
                .verify(Duration.ofSeconds(10));
    }

    @Test
    void severalFiltersGoInOneSubscribeAndARefusedOneIsReportedWhileTheOthersDeliver()
            throws Exception {
        NettyMqttLink link = link();
        StepVerifier.create(link.connect())
                .then(this::answerConnect)
                .expectComplete()
                .verify(Duration.ofSeconds(10));
        ScriptedBroker.Connection c = current;
        List<SubscribeAck> acks = new CopyOnWriteArrayList<>();
        StepVerifier.create(
                        link.subscribe(
                                        List.of("a/#", "forbidden/#", "b/+"),
                                        MqttQos.AT_LEAST_ONCE,
                                        acks::add)
                                .take(2))
                .then(
                        () -> {
                            Subscribe s = await(() -> c.expect(Subscribe.class));
                            assertThat(s.subscriptions())
                                    .containsExactly(
                                            new Subscription("a/#", MqttQos.AT_LEAST_ONCE),
                                            new Subscription("forbidden/#", MqttQos.AT_LEAST_ONCE),
                                            new Subscription("b/+", MqttQos.AT_LEAST_ONCE));
                            c.send(
                                    SubAck.of(
                                            s.packetId(),
                                            SubAckReturnCode.GRANTED_QOS_1,
                                            SubAckReturnCode.FAILURE,
                                            SubAckReturnCode.GRANTED_QOS_0),
                                    Publish.qos0("b/x", "one"),
                                    Publish.qos0("a/y/z", "two"));
                        })
                .assertNext(m -> assertThat(m.topic()).isEqualTo("b/x"))
                .assertNext(m -> assertThat(m.topic()).isEqualTo("a/y/z"))
                .expectComplete()
                .verify(Duration.ofSeconds(10));
        assertThat(acks)
                .containsExactly(new SubscribeAck(List.of("a/#", "b/+"), List.of("forbidden/#")));
        // the next packet is the cancel's UNSUBSCRIBE: no SUBSCRIBE per filter went out
        Unsubscribe u = c.expect(Unsubscribe.class);
        assertThat(u.filters()).contains("a/#", "b/+");
    }

    @Test
    void severalFiltersAllRefusedReportEachThenFailWithSubscriptionRefused() throws Exception {
        NettyMqttLink link = link();
        StepVerifier.create(link.connect())
                .then(this::answerConnect)
                .expectComplete()
                .verify(Duration.ofSeconds(10));
        ScriptedBroker.Connection c = current;
        List<SubscribeAck> acks = new CopyOnWriteArrayList<>();
        StepVerifier.create(
                        link.subscribe(List.of("no/1", "no/2"), MqttQos.AT_MOST_ONCE, acks::add))
                .then(
                        () -> {
                            Subscribe s = await(() -> c.expect(Subscribe.class));
                            assertThat(s.subscriptions()).hasSize(2);
                            c.send(
                                    SubAck.of(
                                            s.packetId(),
                                            SubAckReturnCode.FAILURE,
                                            SubAckReturnCode.FAILURE));
                        })
                .expectError(SubscriptionRefusedException.class)
                .verify(Duration.ofSeconds(10));
        assertThat(acks).containsExactly(new SubscribeAck(List.of(), List.of("no/1", "no/2")));
    }

    @Test
    void theLinkSignalsOnTheEventLoopEvenWhenItsClientHasAScheduler() throws Exception {
        Scheduler scheduler = Schedulers.newSingle("user-signals");
        try {
            NettyMqttLink link =
                    NettyMqttLink.create(
                            MqttClientOptions.builder("127.0.0.1", broker.port())
                                    .clientId("link-1")
                                    .scheduler(scheduler)
                                    .build(),
                            resources);
            List<String> threads = new CopyOnWriteArrayList<>();
            link.states()
                    .skip(1)
                    .subscribe(s -> threads.add("state " + Thread.currentThread().getName()));
            link.connect()
                    .subscribe(
                            v -> {},
                            e -> {},
                            () -> threads.add("connect " + Thread.currentThread().getName()));
            answerConnect();
            ScriptedBroker.Connection c = current;
            ClientTestSupport.await(
                    () -> threads.stream().anyMatch(t -> t.startsWith("connect")), "connected");

            link.subscribe("down/#", MqttQos.AT_MOST_ONCE)
                    .subscribe(m -> threads.add("message " + Thread.currentThread().getName()));
            Subscribe s = c.expect(Subscribe.class);
            c.send(
                    SubAck.of(s.packetId(), SubAckReturnCode.GRANTED_QOS_0),
                    Publish.qos0("down/x", "cmd"));
            link.publish("up/1", new byte[1], MqttQos.AT_LEAST_ONCE)
                    .subscribe(
                            v -> {},
                            e -> {},
                            () -> threads.add("publish " + Thread.currentThread().getName()));
            c.send(new PubAck(c.expect(Publish.class).packetId()));
            ClientTestSupport.await(
                    () -> threads.size() == 5, "connecting, connected, connect, message, publish");
            assertThat(threads).allSatisfy(t -> assertThat(t).contains(" thingflux-mqtt"));

            List<String> viaClient = new CopyOnWriteArrayList<>();
            link.client()
                    .publish("up/2", new byte[1], MqttQos.AT_LEAST_ONCE)
                    .subscribe(r -> viaClient.add(Thread.currentThread().getName()));
            c.send(new PubAck(c.expect(Publish.class).packetId()));
            ClientTestSupport.await(() -> viaClient.size() == 1, "the client's own publish result");
            assertThat(viaClient)
                    .as("the client itself keeps its scheduler")
                    .allSatisfy(t -> assertThat(t).startsWith("user-signals"));
        } finally {
            scheduler.dispose();
        }
    }

    private ScriptedBroker.Connection current;

    private void answerConnect() {
        current = await(() -> broker.awaitConnection());
        Connect connect = await(() -> current.expect(Connect.class));
        assertThat(connect.clientId()).isEqualTo("link-1");
        current.send(ConnAck.accepted(false));
    }

    interface Step<T> {
        T run() throws Exception;
    }

    static <T> T await(Step<T> step) {
        try {
            return step.run();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
