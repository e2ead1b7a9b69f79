package io.thingflux.netty.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.thingflux.emulator.platform.AliyunPlatformEmulator;
import io.thingflux.emulator.platform.AuthMode;
import io.thingflux.emulator.platform.EmulatorOptions;
import io.thingflux.emulator.platform.ReceivedPublish;
import io.thingflux.link.LinkState;
import io.thingflux.link.ReconnectPolicy;
import io.thingflux.link.outbox.OutboxFullException;
import io.thingflux.link.outbox.OverflowPolicy;
import io.thingflux.mqtt.MqttQos;
import io.thingflux.netty.client.MqttClient;
import io.thingflux.netty.client.MqttClientMetrics;
import io.thingflux.netty.client.MqttClientOptions;
import io.thingflux.netty.client.MqttClientResources;
import io.thingflux.netty.client.PublishResult;
import io.thingflux.netty.testing.FaultInjectingProxy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

/**
 * Network faults between a client and a broker: a half-open link, a broker that crashes and comes
 * back under QoS 1 traffic, and an outbox that overflows while the broker is away.
 */
class NetworkFaultTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String TOPIC = "devices/d1/telemetry";

    private final MqttClientResources resources = MqttClientResources.create(1);

    @AfterEach
    void disposeResources() {
        resources.disposeLater().block(Duration.ofSeconds(10));
    }

    private static ReconnectPolicy quickReconnect() {
        return ReconnectPolicy.exponential()
                .withDelays(Duration.ofMillis(100), Duration.ofMillis(500));
    }

    /**
     * A link that goes silent (the proxy drops everything both ways): the client's PINGREQ goes
     * unanswered, so it closes the link and reconnects; the broker, which hears nothing, drops its
     * side (MQTT-3.1.2-24). How soon each side notices is checked in {@link NetworkFaultIT}, the
     * timer logic in MqttKeepAliveHandlerTest.
     */
    @Test
    void halfOpenLinkIsDetectedByBothSidesAndTheClientReconnects() {
        int keepAliveSeconds = 2;
        try (AliyunPlatformEmulator broker =
                        AliyunPlatformEmulator.start(
                                EmulatorOptions.builder().port(0).authMode(AuthMode.NONE).build());
                FaultInjectingProxy proxy = FaultInjectingProxy.start(broker.mqttAddress())) {
            MqttClient client =
                    MqttClient.create(
                            MqttClientOptions.builder("127.0.0.1", proxy.port())
                                    .clientId("half-open")
                                    .keepAliveSeconds(keepAliveSeconds)
                                    .pingTimeout(Duration.ofMillis(keepAliveSeconds * 500L))
                                    .reconnect(quickReconnect())
                                    .build(),
                            resources);
            List<LinkState> states = new CopyOnWriteArrayList<>();
            client.states().subscribe(states::add);
            client.connect().block(WAIT);
            client.publish(TOPIC, bytes("before"), MqttQos.AT_LEAST_ONCE).block(WAIT);

            proxy.blackhole();
            Deadline.await(
                    WAIT,
                    () -> client.state() != LinkState.CONNECTED,
                    "client notices the dead link");
            Deadline.await(
                    WAIT,
                    () -> broker.stats().keepAliveTimeouts() == 1,
                    "broker drops the silent client");
            assertThat(proxy.droppedBytes())
                    .as("the PINGREQ went into the black hole")
                    .isPositive();

            proxy.pass();
            Deadline.await(WAIT, () -> client.state() == LinkState.CONNECTED, "client reconnected");
            List<ReceivedPublish> after = new CopyOnWriteArrayList<>();
            broker.addPublishListener(after::add);
            PublishResult result =
                    client.publish(TOPIC, bytes("after"), MqttQos.AT_LEAST_ONCE).block(WAIT);
            assertThat(result.isSuccess()).isTrue();
            Deadline.await(
                    WAIT, () -> !after.isEmpty(), "post after the reconnect reaches the broker");
            assertThat(after.get(0).payloadAsString()).isEqualTo("after");
            Deadline.await(
                    WAIT,
                    () ->
                            states.indexOf(LinkState.RECONNECTING) > 0
                                    && states.lastIndexOf(LinkState.CONNECTED)
                                            > states.indexOf(LinkState.RECONNECTING),
                    () -> "states signalled: " + states);
            assertThat(broker.stats().connectsAccepted()).isEqualTo(2);
            client.disconnect().block(WAIT);
        }
    }

    /**
     * A device posts at QoS 1 every 100 ms while the broker dies and restarts. The broker records
     * each PUBLISH as it came off the wire. Just before the crash it stops acknowledging, so some
     * posts are received but never acknowledged: the client must send those again, and only with
     * DUP set.
     */
    @Test
    void brokerRestartUnderQos1PostsEvery100MsLosesNoPostAndRepeatsCarryDup() {
        int posts = 40;
        try (RecordingBroker broker = new RecordingBroker()) {
            MqttClient client =
                    MqttClient.create(
                            MqttClientOptions.builder("127.0.0.1", broker.port())
                                    .clientId("restart")
                                    .keepAliveSeconds(5)
                                    .reconnect(quickReconnect())
                                    .build(),
                            resources);
            client.connect().block(WAIT);
            List<PublishResult> results = new CopyOnWriteArrayList<>();
            AtomicLong issued = new AtomicLong();
            Flux.interval(Duration.ofMillis(100))
                    .take(posts)
                    .doOnNext(i -> issued.incrementAndGet())
                    .flatMap(
                            i -> client.publish(TOPIC, bytes("seq=" + i), MqttQos.AT_LEAST_ONCE),
                            posts)
                    .subscribe(results::add);

            Deadline.await(WAIT, () -> broker.received().size() >= 8, "first posts arrive");
            broker.withholdAcks(true);
            int seen = broker.received().size();
            Deadline.await(
                    WAIT,
                    () -> broker.received().size() >= seen + 2,
                    "posts received but not acknowledged");
            broker.stop();
            awaitOfflineWhilePostsContinue(client, issued);
            broker.start();

            Deadline.await(
                    Duration.ofSeconds(30),
                    () -> results.size() == posts,
                    () -> results.size() + " of " + posts + " posts completed");
            assertThat(results)
                    .allSatisfy(r -> assertThat(r.isSuccess()).as("post %s", r).isTrue());

            Map<Integer, List<RecordingBroker.Received>> bySeq =
                    new TreeMap<>(
                            broker.received().stream()
                                    .collect(
                                            Collectors.groupingBy(
                                                    r ->
                                                            Integer.parseInt(
                                                                    r.payload().substring(4)))));
            assertThat(bySeq.keySet())
                    .as("every sequence number arrived")
                    .containsExactlyElementsOf(IntStream.range(0, posts).boxed().toList());
            long repeats = 0;
            for (List<RecordingBroker.Received> arrivals : bySeq.values()) {
                // a first arrival may carry DUP too: a post the crash caught on the wire is only
                // received when resent
                for (RecordingBroker.Received again : arrivals.subList(1, arrivals.size())) {
                    assertThat(again.dup()).as("repeat %s carries DUP", again).isTrue();
                    assertThat(again.packetId())
                            .as("repeat keeps the packet id")
                            .isEqualTo(arrivals.get(0).packetId());
                    repeats++;
                }
            }
            System.out.printf(
                    "broker restart: %d posts, %d arrivals, %d repeats (all DUP), 0 lost%n",
                    posts, broker.received().size(), repeats);
            assertThat(repeats)
                    .as("the unacknowledged posts were sent again")
                    .isGreaterThanOrEqualTo(2);
            assertThat(broker.received())
                    .allSatisfy(r -> assertThat(r.qos()).isEqualTo(MqttQos.AT_LEAST_ONCE));
            assertThat(broker.connects()).isEqualTo(2);
            client.disconnect().block(WAIT);
        }
    }

    /**
     * A device posting at QoS 1 every 50 ms through a proxy that delays, throttles, resets (RST
     * both ways) and half-closes (FIN toward the client) the connection: every post arrives,
     * repeats only with DUP.
     */
    @Test
    void delayThrottleResetAndHalfCloseUnderQos1PostsLoseNoPostAndRepeatsCarryDup() {
        int posts = 80;
        try (RecordingBroker broker = new RecordingBroker();
                FaultInjectingProxy proxy =
                        FaultInjectingProxy.start(
                                new java.net.InetSocketAddress("127.0.0.1", broker.port()))) {
            MqttClient client =
                    MqttClient.create(
                            MqttClientOptions.builder("127.0.0.1", proxy.port())
                                    .clientId("faults")
                                    .keepAliveSeconds(5)
                                    .reconnect(quickReconnect())
                                    .build(),
                            resources);
            client.connect().block(WAIT);
            List<PublishResult> results = new CopyOnWriteArrayList<>();
            Flux.interval(Duration.ofMillis(50))
                    .take(posts)
                    .flatMap(
                            i -> client.publish(TOPIC, bytes("seq=" + i), MqttQos.AT_LEAST_ONCE),
                            posts)
                    .subscribe(results::add);
            awaitReceived(broker, 5);
            proxy.delay(200);
            awaitReceived(broker, 15);
            proxy.throttle(400);
            awaitReceived(broker, 22);
            proxy.pass().resetAll();
            awaitReceived(broker, 35);
            proxy.halfCloseAll();
            awaitReceived(broker, 50);
            proxy.resetAll();

            Deadline.await(
                    Duration.ofSeconds(30),
                    () -> results.size() == posts,
                    () -> results.size() + " of " + posts + " posts completed");
            assertThat(results).allSatisfy(r -> assertThat(r.isSuccess()).isTrue());
            Map<Integer, List<RecordingBroker.Received>> bySeq =
                    new TreeMap<>(
                            broker.received().stream()
                                    .collect(
                                            Collectors.groupingBy(
                                                    r ->
                                                            Integer.parseInt(
                                                                    r.payload().substring(4)))));
            assertThat(bySeq.keySet())
                    .containsExactlyElementsOf(IntStream.range(0, posts).boxed().toList());
            for (List<RecordingBroker.Received> arrivals : bySeq.values()) {
                assertThat(arrivals.subList(1, arrivals.size()))
                        .allSatisfy(r -> assertThat(r.dup()).isTrue());
            }
            assertThat(broker.connects()).as("reset, half-close, reset").isGreaterThanOrEqualTo(4);
            System.out.printf(
                    "proxy faults: %d posts, %d arrivals over %d connections, 0 lost%n",
                    posts, broker.received().size(), broker.connects());
            client.disconnect().block(WAIT);
        }
    }

    private static void awaitReceived(RecordingBroker broker, int atLeast) {
        Deadline.await(
                WAIT,
                () -> broker.received().size() >= atLeast,
                () -> broker.received().size() + " received, waiting for " + atLeast);
    }

    /**
     * The same restart against the emulator broker itself: every post is received at least once.
     */
    @Test
    void emulatorRestartUnderQos1PostsLosesNoPost() {
        int posts = 30;
        AliyunPlatformEmulator first =
                AliyunPlatformEmulator.start(
                        EmulatorOptions.builder().port(0).authMode(AuthMode.NONE).build());
        int port = first.mqttAddress().getPort();
        Map<String, Integer> arrivals = new ConcurrentHashMap<>();
        first.addPublishListener(p -> arrivals.merge(p.payloadAsString(), 1, Integer::sum));
        AliyunPlatformEmulator second = null;
        try {
            MqttClient client =
                    MqttClient.create(
                            MqttClientOptions.builder("127.0.0.1", port)
                                    .clientId("restart-emulator")
                                    .keepAliveSeconds(5)
                                    .reconnect(quickReconnect())
                                    .build(),
                            resources);
            client.connect().block(WAIT);
            List<PublishResult> results = new CopyOnWriteArrayList<>();
            AtomicLong issued = new AtomicLong();
            Flux.interval(Duration.ofMillis(100))
                    .take(posts)
                    .doOnNext(i -> issued.incrementAndGet())
                    .flatMap(
                            i -> client.publish(TOPIC, bytes("seq=" + i), MqttQos.AT_LEAST_ONCE),
                            posts)
                    .subscribe(results::add);
            Deadline.await(WAIT, () -> arrivals.size() >= 8, "first posts arrive");
            first.close();
            awaitOfflineWhilePostsContinue(client, issued);
            second =
                    AliyunPlatformEmulator.start(
                            EmulatorOptions.builder().port(port).authMode(AuthMode.NONE).build());
            second.addPublishListener(p -> arrivals.merge(p.payloadAsString(), 1, Integer::sum));

            Deadline.await(
                    Duration.ofSeconds(30),
                    () -> results.size() == posts,
                    () -> results.size() + " of " + posts + " posts completed");
            assertThat(results).allSatisfy(r -> assertThat(r.isSuccess()).isTrue());
            assertThat(arrivals.keySet())
                    .containsExactlyInAnyOrderElementsOf(
                            IntStream.range(0, posts).mapToObj(i -> "seq=" + i).toList());
            client.disconnect().block(WAIT);
        } finally {
            first.close();
            if (second != null) {
                second.close();
            }
        }
    }

    @Test
    void fullOutboxWithFailPolicyRefusesNewPostsCountsThemAndKeepsTheQueuedOnes() {
        outboxOverflow(
                OverflowPolicy.FAIL, "outbox-full", List.of(5, 6, 7), List.of(0, 1, 2, 3, 4));
    }

    @Test
    void fullOutboxWithDropOldestPolicyEvictsTheOldestCountsThemAndKeepsTheNewest() {
        outboxOverflow(
                OverflowPolicy.DROP_OLDEST,
                "outbox-overflow",
                List.of(0, 1, 2),
                List.of(3, 4, 5, 6, 7));
    }

    private void outboxOverflow(
            OverflowPolicy policy, String reason, List<Integer> lost, List<Integer> kept) {
        int capacity = 5;
        CountingMetrics metrics = new CountingMetrics();
        try (RecordingBroker broker = new RecordingBroker()) {
            MqttClient client =
                    MqttClient.create(
                            MqttClientOptions.builder("127.0.0.1", broker.port())
                                    .clientId("outbox")
                                    .outbox(capacity, policy)
                                    .metrics(metrics)
                                    .reconnect(quickReconnect())
                                    .build(),
                            resources);
            client.connect().block(WAIT);
            broker.stop();
            Deadline.await(WAIT, () -> client.state() == LinkState.RECONNECTING, "client offline");

            Map<Integer, Throwable> failures = new ConcurrentHashMap<>();
            List<Integer> succeeded = new CopyOnWriteArrayList<>();
            for (int i = 0; i < capacity + 3; i++) {
                int seq = i;
                client.publish(TOPIC, bytes("seq=" + i), MqttQos.AT_LEAST_ONCE)
                        .subscribe(r -> succeeded.add(seq), e -> failures.put(seq, e));
            }
            Deadline.await(
                    WAIT, () -> failures.size() == lost.size(), () -> "failures " + failures);
            assertThat(failures.keySet()).containsExactlyInAnyOrderElementsOf(lost);
            assertThat(failures.values())
                    .allSatisfy(e -> assertThat(e).isInstanceOf(OutboxFullException.class));
            assertThat(metrics.drops).containsOnlyKeys(reason);
            assertThat(metrics.drops.get(reason).get()).isEqualTo(lost.size());

            broker.start();
            Deadline.await(
                    WAIT, () -> succeeded.size() == kept.size(), () -> "delivered " + succeeded);
            assertThat(
                            broker.received().stream()
                                    .map(r -> Integer.parseInt(r.payload().substring(4)))
                                    .toList())
                    .as("the kept posts arrive in order")
                    .containsExactlyElementsOf(kept);
            client.disconnect().block(WAIT);
        }
    }

    /**
     * Waits until the client has noticed that the broker is gone and three more posts were issued
     * while it was away, so they go to the outbox and must be sent after the restart.
     */
    private static void awaitOfflineWhilePostsContinue(MqttClient client, AtomicLong issued) {
        long atCrash = issued.get();
        Deadline.await(
                WAIT,
                () -> client.state() != LinkState.CONNECTED && issued.get() >= atCrash + 3,
                () ->
                        "client "
                                + client.state()
                                + ", posts issued since the crash: "
                                + (issued.get() - atCrash));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Counts the client's drop reports by reason. */
    static final class CountingMetrics implements MqttClientMetrics {
        final Map<String, AtomicLong> drops = new ConcurrentHashMap<>();

        @Override
        public void dropped(String reason) {
            drops.computeIfAbsent(reason, r -> new AtomicLong()).incrementAndGet();
        }
    }
}
