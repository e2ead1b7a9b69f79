package io.thingflux.interop;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.message.publish.Mqtt3Publish;
import io.thingflux.link.LinkMessage;
import io.thingflux.link.LinkState;
import io.thingflux.link.ReconnectPolicy;
import io.thingflux.mqtt.ConnAck;
import io.thingflux.mqtt.MqttQos;
import io.thingflux.mqtt.SubAckReturnCode;
import io.thingflux.mqtt.Will;
import io.thingflux.netty.client.MqttClient;
import io.thingflux.netty.client.MqttClientOptions;
import io.thingflux.netty.client.MqttClientResources;
import io.thingflux.netty.client.PublishResult;
import io.thingflux.netty.testing.FaultInjectingProxy;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * The interop matrix of our client against a broker nobody here wrote, with the HiveMQ MQTT Client
 * (1.4.x) as the other party: QoS 0, 1 and 2 in each direction, wildcards, retained messages, a
 * will on an abrupt close and on a keepalive timeout, a persistent session, a 1 MiB payload, 10,000
 * messages in order, unsubscribe and a short keepalive. Written once; each broker is a subclass
 * that starts and stops it, one broker per class.
 *
 * <p>Every test uses its own topic prefix and client ids, so tests sharing the broker do not see
 * each other. Waits are bounded ({@link #WAIT}); nothing sleeps to synchronise.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class BrokerInteropMatrix {

    /** Generous bound of any one wait on two busy cores. */
    static final Duration WAIT = Duration.ofSeconds(30);

    /** QoS 1 as the HiveMQ client names it (our {@link MqttQos} has the same simple name). */
    private static final com.hivemq.client.mqtt.datatypes.MqttQos HIVE_QOS_1 =
            com.hivemq.client.mqtt.datatypes.MqttQos.AT_LEAST_ONCE;

    private final List<MqttClient> ourClients = new CopyOnWriteArrayList<>();
    private final List<Mqtt3BlockingClient> hiveMqClients = new CopyOnWriteArrayList<>();
    private final List<Disposable> subscriptions = new CopyOnWriteArrayList<>();
    private MqttClientResources resources;

    /** Unique per test: topics and client ids start with it. */
    private String prefix;

    private TestBroker broker;

    /**
     * Starts the broker under test; called once before the tests of the class, closed after them.
     */
    abstract TestBroker startBroker();

    String host() {
        return broker.host();
    }

    int port() {
        return broker.port();
    }

    @BeforeAll
    void startAll() {
        broker = startBroker();
        resources = MqttClientResources.create(2);
    }

    @AfterAll
    void stopAll() {
        try {
            if (resources != null) {
                resources.dispose();
            }
        } finally {
            if (broker != null) {
                broker.close();
            }
        }
    }

    @BeforeEach
    void name(TestInfo info) {
        prefix =
                "interop/"
                        + info.getTestMethod().orElseThrow().getName()
                        + "-"
                        + UUID.randomUUID().toString().substring(0, 8);
    }

    @AfterEach
    void closeClients() {
        subscriptions.forEach(Disposable::dispose);
        subscriptions.clear();
        for (MqttClient client : ourClients) {
            client.disconnect().onErrorResume(e -> Mono.empty()).block(WAIT);
        }
        ourClients.clear();
        for (Mqtt3BlockingClient client : hiveMqClients) {
            if (client.getState().isConnected()) {
                client.disconnect();
            }
        }
        hiveMqClients.clear();
    }

    // ---------------------------------------------------------------- QoS in each direction

    @ParameterizedTest(name = "QoS {0}")
    @EnumSource(MqttQos.class)
    void ourPublishOfEachQosReachesTheHiveMqClientWithThatQos(MqttQos qos) throws Exception {
        Mqtt3BlockingClient hive = hiveMq("sub");
        String topic = prefix + "/up";
        try (Mqtt3BlockingClient.Mqtt3Publishes publishes =
                hive.publishes(MqttGlobalPublishFilter.ALL)) {
            hive.subscribeWith().topicFilter(topic).qos(hiveQos(qos)).send();
            MqttClient ours = connectedClient("pub", UnaryOperator.identity());
            byte[] payload = ("up at QoS " + qos.code()).getBytes(StandardCharsets.UTF_8);

            StepVerifier.create(ours.publish(topic, payload, qos))
                    .assertNext(r -> assertThat(r.isSuccess()).as("%s", r.error()).isTrue())
                    .expectComplete()
                    .verify(WAIT);

            Mqtt3Publish got = receive(publishes, "the message at QoS " + qos.code());
            assertThat(got.getTopic().toString()).isEqualTo(topic);
            assertThat(got.getPayloadAsBytes()).isEqualTo(payload);
            assertThat(got.getQos().getCode()).isEqualTo(qos.code());
            assertThat(got.isRetain()).isFalse();
        }
    }

    @ParameterizedTest(name = "QoS {0}")
    @EnumSource(MqttQos.class)
    void hiveMqPublishOfEachQosReachesOurSubscriberWithThatQos(MqttQos qos) throws Exception {
        MqttClient ours = connectedClient("sub", UnaryOperator.identity());
        String topic = prefix + "/down";
        Received received = subscribe(ours, topic, qos);
        assertThat(received.subAck).containsExactly(SubAckReturnCode.granted(qos));
        byte[] payload = ("down at QoS " + qos.code()).getBytes(StandardCharsets.UTF_8);

        hiveMq("pub").publishWith().topic(topic).qos(hiveQos(qos)).payload(payload).send();

        LinkMessage got = received.next("the message at QoS " + qos.code());
        assertThat(got.topic()).isEqualTo(topic);
        assertThat(got.payload()).isEqualTo(payload);
        assertThat(got.qos()).isEqualTo(qos);
        assertThat(got.retain()).isFalse();
    }

    // ---------------------------------------------------------------- wildcards

    @Test
    void ourWildcardSubscriptionsReceiveExactlyTheMatchingTopics() throws Exception {
        MqttClient ours = connectedClient("sub", UnaryOperator.identity());
        Received plus = subscribe(ours, prefix + "/+/temp", MqttQos.AT_LEAST_ONCE);
        Received hash = subscribe(ours, prefix + "/room1/#", MqttQos.AT_LEAST_ONCE);
        Mqtt3BlockingClient hive = hiveMq("pub");

        for (String level :
                List.of(
                        "room1/temp",
                        "room2/temp",
                        "room1/hum",
                        "room1/a/b",
                        "room2/a/temp",
                        "room1")) {
            hive.publishWith()
                    .topic(prefix + "/" + level)
                    .qos(HIVE_QOS_1)
                    .payload(level.getBytes(StandardCharsets.UTF_8))
                    .send();
        }
        // markers: once they arrive, every earlier message for the same subscription has arrived
        // too
        hive.publishWith()
                .topic(prefix + "/end/temp")
                .qos(HIVE_QOS_1)
                .payload("end".getBytes(StandardCharsets.UTF_8))
                .send();
        hive.publishWith()
                .topic(prefix + "/room1/end")
                .qos(HIVE_QOS_1)
                .payload("end".getBytes(StandardCharsets.UTF_8))
                .send();

        assertThat(plus.untilPayload("end")).containsExactly("room1/temp", "room2/temp");
        // "#" also matches the parent level itself (MQTT 3.1.1 section 4.7.1.2)
        assertThat(hash.untilPayload("end"))
                .containsExactly("room1/temp", "room1/hum", "room1/a/b", "room1");
    }

    @Test
    void theHiveMqClientsWildcardSubscriptionReceivesOurMatchingPublishes() throws Exception {
        Mqtt3BlockingClient hive = hiveMq("sub");
        try (Mqtt3BlockingClient.Mqtt3Publishes publishes =
                hive.publishes(MqttGlobalPublishFilter.ALL)) {
            hive.subscribeWith().topicFilter(prefix + "/+/x/#").qos(HIVE_QOS_1).send();
            MqttClient ours = connectedClient("pub", UnaryOperator.identity());
            List<String> levels = List.of("a/x", "a/y/x", "b/x/1/2", "x", "c/x/end");
            for (String level : levels) {
                ours.publish(
                                prefix + "/" + level,
                                level.getBytes(StandardCharsets.UTF_8),
                                MqttQos.AT_LEAST_ONCE)
                        .block(WAIT);
            }
            List<String> got = new ArrayList<>();
            do {
                Mqtt3Publish next = receive(publishes, "the matching publishes");
                got.add(new String(next.getPayloadAsBytes(), StandardCharsets.UTF_8));
            } while (!got.get(got.size() - 1).equals("c/x/end"));
            assertThat(got).containsExactly("a/x", "b/x/1/2", "c/x/end");
        }
    }

    // ---------------------------------------------------------------- retained

    @Test
    void aMessageTheHiveMqClientRetainedReachesOurLaterSubscriberFlaggedRetained()
            throws Exception {
        String topic = prefix + "/retained";
        byte[] payload = "last known state".getBytes(StandardCharsets.UTF_8);
        Mqtt3BlockingClient hive = hiveMq("pub");
        hive.publishWith().topic(topic).qos(HIVE_QOS_1).retain(true).payload(payload).send();
        try {
            MqttClient ours = connectedClient("sub", UnaryOperator.identity());
            LinkMessage got =
                    subscribe(ours, topic, MqttQos.AT_LEAST_ONCE).next("the retained message");
            assertThat(got.payload()).isEqualTo(payload);
            assertThat(got.retain()).isTrue();
        } finally {
            hive.publishWith()
                    .topic(topic)
                    .qos(HIVE_QOS_1)
                    .retain(true)
                    .payload(new byte[0])
                    .send(); // clears it
        }
    }

    @Test
    void aMessageWeRetainedReachesALaterHiveMqSubscriberAndAnEmptyOneClearsIt() throws Exception {
        String topic = prefix + "/retained";
        byte[] payload = "retained by thingflux".getBytes(StandardCharsets.UTF_8);
        MqttClient ours = connectedClient("pub", UnaryOperator.identity());
        ours.publish(new LinkMessage(topic, payload, MqttQos.AT_LEAST_ONCE, true)).block(WAIT);

        Mqtt3BlockingClient first = hiveMq("sub1");
        try (Mqtt3BlockingClient.Mqtt3Publishes publishes =
                first.publishes(MqttGlobalPublishFilter.ALL)) {
            first.subscribeWith().topicFilter(topic).qos(HIVE_QOS_1).send();
            Mqtt3Publish got = receive(publishes, "the retained message");
            assertThat(got.getPayloadAsBytes()).isEqualTo(payload);
            assertThat(got.isRetain()).isTrue();
        }

        ours.publish(new LinkMessage(topic, new byte[0], MqttQos.AT_LEAST_ONCE, true)).block(WAIT);
        // after the clear a new subscriber gets nothing for the topic: the marker retained on a
        // sibling comes alone
        ours.publish(
                        new LinkMessage(
                                prefix + "/zz-marker",
                                "marker".getBytes(StandardCharsets.UTF_8),
                                MqttQos.AT_LEAST_ONCE,
                                true))
                .block(WAIT);
        Mqtt3BlockingClient second = hiveMq("sub2");
        try (Mqtt3BlockingClient.Mqtt3Publishes publishes =
                second.publishes(MqttGlobalPublishFilter.ALL)) {
            // subscribed in this order, a retained message still kept for the topic would come
            // before the marker's
            second.subscribeWith().topicFilter(topic).qos(HIVE_QOS_1).send();
            second.subscribeWith().topicFilter(prefix + "/zz-marker").qos(HIVE_QOS_1).send();
            assertThat(receive(publishes, "the marker").getTopic().toString())
                    .as("first message after clearing")
                    .isEqualTo(prefix + "/zz-marker");
        } finally {
            ours.publish(
                            new LinkMessage(
                                    prefix + "/zz-marker",
                                    new byte[0],
                                    MqttQos.AT_LEAST_ONCE,
                                    true))
                    .block(WAIT);
        }
    }

    // ---------------------------------------------------------------- will

    @Test
    void anAbruptCloseMakesTheBrokerPublishOurWill() throws Exception {
        String willTopic = prefix + "/will";
        byte[] will = "{\"status\":\"offline\"}".getBytes(StandardCharsets.UTF_8);
        Mqtt3BlockingClient hive = hiveMq("watcher");
        try (FaultInjectingProxy proxy =
                        FaultInjectingProxy.start(new InetSocketAddress(host(), port()));
                Mqtt3BlockingClient.Mqtt3Publishes publishes =
                        hive.publishes(MqttGlobalPublishFilter.ALL)) {
            hive.subscribeWith().topicFilter(willTopic).qos(HIVE_QOS_1).send();
            MqttClient ours =
                    connectedClient(
                            "dying",
                            b ->
                                    b.port(proxy.port())
                                            .will(
                                                    new Will(
                                                            willTopic,
                                                            will,
                                                            MqttQos.AT_LEAST_ONCE,
                                                            false))
                                            .reconnect(ReconnectPolicy.none()));
            assertThat(publishes.receiveNow()).as("no will while connected").isEmpty();

            proxy.resetAll(); // TCP reset both ways, no DISCONNECT

            Mqtt3Publish got = receive(publishes, "the will");
            assertThat(got.getTopic().toString()).isEqualTo(willTopic);
            assertThat(got.getPayloadAsBytes()).isEqualTo(will);
            assertThat(got.getQos()).isEqualTo(HIVE_QOS_1);
            awaitState(ours, LinkState.DISCONNECTED); // lost and, by its policy, not retried
        }
    }

    @Test
    void aSilentConnectionIsDroppedByTheBrokerAfterOurShortKeepaliveAndItsWillPublished()
            throws Exception {
        String willTopic = prefix + "/will";
        byte[] will = "gone quiet".getBytes(StandardCharsets.UTF_8);
        Mqtt3BlockingClient hive = hiveMq("watcher");
        try (FaultInjectingProxy proxy =
                        FaultInjectingProxy.start(new InetSocketAddress(host(), port()));
                Mqtt3BlockingClient.Mqtt3Publishes publishes =
                        hive.publishes(MqttGlobalPublishFilter.ALL)) {
            hive.subscribeWith().topicFilter(willTopic).qos(HIVE_QOS_1).send();
            connectedClient(
                    "silent",
                    b ->
                            b.port(proxy.port())
                                    .keepAliveSeconds(1)
                                    .pingTimeout(Duration.ofMinutes(5))
                                    .will(new Will(willTopic, will, MqttQos.AT_LEAST_ONCE, false))
                                    .reconnect(ReconnectPolicy.none()));

            // the connection stays open but the broker hears nothing: no PINGREQ gets through
            proxy.blackhole();

            // the broker must give up after 1.5 x 1 s of silence (MQTT 3.1.1 section 3.1.2.10),
            // well inside WAIT
            Mqtt3Publish got = receive(publishes, "the will after the keepalive timeout");
            assertThat(got.getPayloadAsBytes()).isEqualTo(will);
        }
    }

    // ---------------------------------------------------------------- persistent session

    @Test
    void qos1MessagesPublishedWhileWeWereOfflineArriveAfterWeReconnectToOurPersistentSession()
            throws Exception {
        String clientId = "persistent-" + UUID.randomUUID().toString().substring(0, 8);
        String topic = prefix + "/queued";
        MqttClient before =
                connectedClient(clientId, b -> b.clientId(clientId).cleanSession(false));
        subscribe(before, topic, MqttQos.AT_LEAST_ONCE);
        StepVerifier.create(before.disconnect()).expectComplete().verify(WAIT);

        Mqtt3BlockingClient hive = hiveMq("pub");
        for (int i = 1; i <= 3; i++) {
            hive.publishWith()
                    .topic(topic)
                    .qos(HIVE_QOS_1)
                    .payload(("queued-" + i).getBytes(StandardCharsets.UTF_8))
                    .send();
        }

        MqttClient after = client(clientId, b -> b.clientId(clientId).cleanSession(false));
        // registered before the connection, so what the session delivers right after CONNACK has a
        // subscriber
        Received received = new Received();
        subscriptions.add(
                after.subscribe(topic, MqttQos.AT_LEAST_ONCE).subscribe(received.messages::add));
        ConnAck connAck = after.connect().block(WAIT);

        assertThat(connAck.sessionPresent()).as("session present").isTrue();
        assertThat(
                        List.of(
                                received.next("1st").payloadAsString(),
                                received.next("2nd").payloadAsString(),
                                received.next("3rd").payloadAsString()))
                .containsExactly("queued-1", "queued-2", "queued-3");
    }

    // ---------------------------------------------------------------- size and volume

    @Test
    void aOneMebibytePayloadCrossesTheBrokerIntactBothWays() throws Exception {
        byte[] up = new byte[1024 * 1024];
        byte[] down = new byte[1024 * 1024];
        Random random = new Random(7);
        random.nextBytes(up);
        random.nextBytes(down);
        MqttClient ours = connectedClient("big", UnaryOperator.identity());
        Received ourReceived = subscribe(ours, prefix + "/down", MqttQos.AT_LEAST_ONCE);
        Mqtt3BlockingClient hive = hiveMq("big");
        try (Mqtt3BlockingClient.Mqtt3Publishes publishes =
                hive.publishes(MqttGlobalPublishFilter.ALL)) {
            hive.subscribeWith().topicFilter(prefix + "/up").qos(HIVE_QOS_1).send();

            assertThat(
                            ours.publish(prefix + "/up", up, MqttQos.AT_LEAST_ONCE)
                                    .block(WAIT)
                                    .isSuccess())
                    .isTrue();
            hive.publishWith().topic(prefix + "/down").qos(HIVE_QOS_1).payload(down).send();

            assertThat(receive(publishes, "1 MiB from us").getPayloadAsBytes()).isEqualTo(up);
            assertThat(ourReceived.next("1 MiB from the HiveMQ client").payload()).isEqualTo(down);
        }
    }

    @Test
    void tenThousandQos1MessagesArriveInOrderAtOurSubscriberAndAtTheHiveMqClient()
            throws Exception {
        int count = 10_000;
        String topic = prefix + "/seq";
        MqttClient subscriber = connectedClient("seq-sub", UnaryOperator.identity());
        Received ourReceived = subscribe(subscriber, topic, MqttQos.AT_LEAST_ONCE);
        Mqtt3BlockingClient hive = hiveMq("seq-sub");
        try (Mqtt3BlockingClient.Mqtt3Publishes publishes =
                hive.publishes(MqttGlobalPublishFilter.ALL)) {
            hive.subscribeWith().topicFilter(topic).qos(HIVE_QOS_1).send();
            MqttClient publisher = connectedClient("seq-pub", b -> b.maxInFlight(64));

            CompletableFuture<List<PublishResult>> published =
                    publisher
                            .publish(
                                    Flux.range(0, count)
                                            .map(
                                                    i ->
                                                            new LinkMessage(
                                                                    topic,
                                                                    Integer.toString(i)
                                                                            .getBytes(
                                                                                    StandardCharsets
                                                                                            .UTF_8),
                                                                    MqttQos.AT_LEAST_ONCE,
                                                                    false)))
                            .collectList()
                            .toFuture();

            for (int i = 0; i < count; i++) {
                assertThat(ourReceived.next("message " + i).payloadAsString())
                        .as("our subscriber's %dth", i)
                        .isEqualTo(Integer.toString(i));
                assertThat(
                                new String(
                                        receive(publishes, "message " + i).getPayloadAsBytes(),
                                        StandardCharsets.UTF_8))
                        .as("the HiveMQ client's %dth", i)
                        .isEqualTo(Integer.toString(i));
            }
            List<PublishResult> results = published.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(results)
                    .hasSize(count)
                    .allSatisfy(r -> assertThat(r.isSuccess()).as("%s", r.error()).isTrue());
        }
    }

    // ---------------------------------------------------------------- unsubscribe

    @Test
    void afterWeUnsubscribeTheBrokerNoLongerSendsUsTheTopic() throws Exception {
        MqttClient ours = connectedClient("unsub", UnaryOperator.identity());
        List<LinkMessage> unsolicited = new CopyOnWriteArrayList<>();
        subscriptions.add(ours.unsolicited().subscribe(unsolicited::add));
        String topic = prefix + "/gone";
        Mqtt3BlockingClient hive = hiveMq("pub");
        Received received = subscribe(ours, topic, MqttQos.AT_LEAST_ONCE);
        hive.publishWith()
                .topic(topic)
                .qos(HIVE_QOS_1)
                .payload("before".getBytes(StandardCharsets.UTF_8))
                .send();
        assertThat(received.next("the message before unsubscribing").payloadAsString())
                .isEqualTo("before");

        // cancelling sends UNSUBSCRIBE the broker handles our packets in order: once this later
        // SUBACK is back, the UNSUBSCRIBE was handled
        received.subscription.dispose();
        Received marker = subscribe(ours, prefix + "/marker", MqttQos.AT_LEAST_ONCE);
        hive.publishWith()
                .topic(topic)
                .qos(HIVE_QOS_1)
                .payload("after".getBytes(StandardCharsets.UTF_8))
                .send();
        hive.publishWith()
                .topic(prefix + "/marker")
                .qos(HIVE_QOS_1)
                .payload("marker".getBytes(StandardCharsets.UTF_8))
                .send();
        assertThat(marker.next("the marker").payloadAsString()).isEqualTo("marker");

        assertThat(received.messages).as("messages after unsubscribing").isEmpty();
        assertThat(unsolicited).as("messages for no subscription").isEmpty();
        assertThat(ours.droppedMessages()).isZero();
    }

    // ---------------------------------------------------------------- keepalive

    @Test
    void withATwoSecondKeepaliveAnIdleClientStaysConnectedAndStillExchangesMessages()
            throws Exception {
        // 2 s, not 1: HiveMQ CE arms its reader-idle timer with (int) (keepalive * 1.5) seconds, so
        // a 1 s keepalive is closed after 1 s of silence (not 1.5 s), racing the PINGREQ our client
        // sends after 1 s without a write
        MqttClient ours =
                connectedClient(
                        "idle", b -> b.keepAliveSeconds(2).pingTimeout(Duration.ofSeconds(5)));
        // the broker drops a client silent for 1.5 keepalives; without our PINGREQs this would
        // leave CONNECTED
        StepVerifier.create(ours.states())
                .expectNext(LinkState.CONNECTED)
                .expectNoEvent(Duration.ofSeconds(7))
                .thenCancel()
                .verify(WAIT);
        String topic = prefix + "/alive";
        Received received = subscribe(ours, topic, MqttQos.AT_LEAST_ONCE);
        hiveMq("pub")
                .publishWith()
                .topic(topic)
                .qos(HIVE_QOS_1)
                .payload("still here".getBytes(StandardCharsets.UTF_8))
                .send();
        assertThat(received.next("a message after idling").payloadAsString())
                .isEqualTo("still here");
    }

    // ---------------------------------------------------------------- support

    private MqttClient client(String role, UnaryOperator<MqttClientOptions.Builder> customise) {
        MqttClientOptions.Builder builder =
                MqttClientOptions.builder(host(), port())
                        .clientId(
                                "tf-" + role + "-" + UUID.randomUUID().toString().substring(0, 8));
        MqttClient client = MqttClient.create(customise.apply(builder).build(), resources);
        ourClients.add(client);
        return client;
    }

    private MqttClient connectedClient(
            String role, UnaryOperator<MqttClientOptions.Builder> customise) {
        MqttClient client = client(role, customise);
        StepVerifier.create(client.connect()).expectNextCount(1).expectComplete().verify(WAIT);
        return client;
    }

    private Mqtt3BlockingClient hiveMq(String role) {
        Mqtt3BlockingClient client = HiveMqClientRoundTrip.client(host(), port(), "hive-" + role);
        hiveMqClients.add(client);
        client.connect();
        return client;
    }

    private static com.hivemq.client.mqtt.datatypes.MqttQos hiveQos(MqttQos qos) {
        return com.hivemq.client.mqtt.datatypes.MqttQos.fromCode(qos.code());
    }

    /**
     * Subscribes {@code client} and returns once the broker acknowledged, with the messages
     * collecting.
     */
    private Received subscribe(MqttClient client, String filter, MqttQos qos) throws Exception {
        Received received = new Received();
        CompletableFuture<List<SubAckReturnCode>> subAck = new CompletableFuture<>();
        received.subscription =
                client.subscribe(filter, qos)
                        .doOnSubAck(subAck::complete)
                        .subscribe(received.messages::add, received.error::complete);
        subscriptions.add(received.subscription);
        received.subAck = subAck.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        return received;
    }

    private static Mqtt3Publish receive(Mqtt3BlockingClient.Mqtt3Publishes publishes, String what)
            throws InterruptedException {
        Optional<Mqtt3Publish> got = publishes.receive(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(got).as("%s within %s", what, WAIT).isPresent();
        return got.get();
    }

    private static void awaitState(MqttClient client, LinkState state) {
        StepVerifier.create(client.states().filter(s -> s == state).take(1))
                .expectNext(state)
                .expectComplete()
                .verify(WAIT);
    }

    /** The messages of one of our subscriptions. */
    private static final class Received {
        final BlockingQueue<LinkMessage> messages = new LinkedBlockingQueue<>();
        final CompletableFuture<Throwable> error = new CompletableFuture<>();
        Disposable subscription;
        List<SubAckReturnCode> subAck;

        LinkMessage next(String what) throws InterruptedException {
            LinkMessage message = messages.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(message)
                    .as("%s within %s (subscription error: %s)", what, WAIT, error.getNow(null))
                    .isNotNull();
            return message;
        }

        /** The payloads up to (not including) the first one equal to {@code end}. */
        List<String> untilPayload(String end) throws InterruptedException {
            List<String> payloads = new ArrayList<>();
            String payload = next("payload " + end).payloadAsString();
            while (!payload.equals(end)) {
                payloads.add(payload);
                payload = next("payload " + end).payloadAsString();
            }
            return payloads;
        }
    }
}
