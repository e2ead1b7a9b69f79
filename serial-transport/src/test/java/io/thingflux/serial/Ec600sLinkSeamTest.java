package io.thingflux.serial;

import static org.assertj.core.api.Assertions.assertThat;

import io.thingflux.aliyun.AliyunDeviceIdentity;
import io.thingflux.link.ConnectRefusedException;
import io.thingflux.link.LinkMessage;
import io.thingflux.link.LinkState;
import io.thingflux.link.ReconnectPolicy;
import io.thingflux.link.SubscribeAck;
import io.thingflux.link.SubscriptionRefusedException;
import io.thingflux.link.outbox.FileOutboxOptions;
import io.thingflux.link.outbox.OutboxStore;
import io.thingflux.mqtt.ConnectReturnCode;
import io.thingflux.mqtt.MqttQos;
import io.thingflux.serial.at.AtChannel;
import io.thingflux.serial.at.AtTimeoutException;
import io.thingflux.serial.at.InMemoryByteTransport;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

/**
 * The link on the {@link io.thingflux.link.MqttLink} seam against a scripted modem: the thread it
 * signals on, CONNACK refusals and reconnects (in virtual time: the link runs its timers on the AT
 * channel's scheduler), and the list subscribe's acknowledgements.
 */
class Ec600sLinkSeamTest {

    static final Duration T = Duration.ofSeconds(15);
    private static final Duration FIRST_RETRY = Duration.ofSeconds(1);

    private ScriptedModem modem;
    private Ec600sLink link;
    private AtChannel channel;
    private VirtualTimeScheduler time;

    @AfterEach
    void tearDown() {
        if (link != null && link.state() != LinkState.CLOSED) {
            link.disconnect().onErrorResume(e -> Mono.empty()).block(T);
        }
        if (channel != null) {
            channel.close();
        }
        if (time != null) {
            time.dispose();
        }
    }

    private static Ec600sOptions.Builder aliyun() {
        return Ec600sOptions.builder()
                .aliyunDevice(
                        new AliyunDeviceIdentity(
                                "a1wFylTxYeD", "co_0001", "7ab0c4b3532b5783df5fdc58a2895d7a"))
                .clientId("clientExample_0")
                // no jitter: retries come exactly 1 s, 2 s, 4 s ... after each failure
                .reconnectPolicy(
                        ReconnectPolicy.exponential()
                                .withDelays(FIRST_RETRY, Duration.ofSeconds(8))
                                .withJitter(0));
    }

    /**
     * A connected link whose AT channel (and so the link's state, signals and timers) runs in
     * virtual time.
     */
    private Ec600sLink connectedInVirtualTime() {
        time = VirtualTimeScheduler.create();
        InMemoryByteTransport[] pair = InMemoryByteTransport.pair();
        modem = new ScriptedModem(pair[1]);
        channel = AtChannel.builder(pair[0]).scheduler(time).open();
        link = Ec600sLink.over(channel, aliyun().build());
        StepVerifier.create(link.connect()).expectComplete().verify(T);
        return link;
    }

    private void receive(String topic, String payload) {
        modem.send(
                "\r\n+QMTRECV: 0,0,\""
                        + topic
                        + "\","
                        + payload.length()
                        + ",\""
                        + payload
                        + "\"\r\n");
    }

    // ------------------------------------------------------------------ (a) one I/O thread

    @Test
    void everySignalArrivesOnTheLinksIoThread() throws Exception {
        InMemoryByteTransport[] pair = InMemoryByteTransport.pair();
        modem = new ScriptedModem(pair[1]);
        link = Ec600sLink.open(pair[0], aliyun().build());
        Map<String, String> threads = new ConcurrentHashMap<>();
        Disposable states =
                link.states()
                        .subscribe(
                                s ->
                                        threads.putIfAbsent(
                                                "state " + s, Thread.currentThread().getName()));
        Disposable unsolicited =
                link.unsolicited()
                        .subscribe(
                                m -> threads.put("unsolicited", Thread.currentThread().getName()));
        link.connect()
                .doOnSuccess(v -> threads.put("connect", Thread.currentThread().getName()))
                .block(T);
        Disposable messages =
                link.subscribe(
                                List.of("a/#"),
                                MqttQos.AT_LEAST_ONCE,
                                ack -> threads.put("ack", Thread.currentThread().getName()))
                        .subscribe(m -> threads.put("message", Thread.currentThread().getName()));
        link.publish("t/a", "x".getBytes(StandardCharsets.UTF_8), MqttQos.AT_LEAST_ONCE)
                .doOnSuccess(v -> threads.put("publish", Thread.currentThread().getName()))
                .block(T);
        awaitSubscribed("a/#");
        receive("a/b", "hi");
        receive("elsewhere", "hi");
        long deadline = System.nanoTime() + T.toNanos();
        while (threads.size() < 8 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(threads)
                .containsOnlyKeys(
                        "state DISCONNECTED",
                        "state CONNECTING",
                        "state CONNECTED",
                        "connect",
                        "ack",
                        "publish",
                        "message",
                        "unsolicited");
        // Schedulers.newSingle("at-" + transport) of the AtChannel, not a hop to another pool
        assertThat(threads.values())
                .allSatisfy(name -> assertThat(name).startsWith("at-in-memory:host"));
        states.dispose();
        unsolicited.dispose();
        messages.dispose();
    }

    private void awaitSubscribed(String filter) {
        long deadline = System.nanoTime() + T.toNanos();
        while (!modem.subscribedFilters().contains(filter) && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
    }

    // ------------------------------------------------------------------ (b) CONNACK refusals

    @Test
    void aConnackCodeIsAConnectRefusedExceptionWithThatCode() {
        time = VirtualTimeScheduler.create();
        InMemoryByteTransport[] pair = InMemoryByteTransport.pair();
        modem = new ScriptedModem(pair[1]);
        channel = AtChannel.builder(pair[0]).scheduler(time).open();
        link = Ec600sLink.over(channel, aliyun().build());
        modem.on("AT\\+QMTCONN=0,.*", c -> ScriptedModem.lines("OK", "+QMTCONN: 0,0,3"));
        StepVerifier.create(link.connect())
                .expectErrorSatisfies(
                        e ->
                                assertThat(e)
                                        .isInstanceOfSatisfying(
                                                ConnectRefusedException.class,
                                                r -> {
                                                    assertThat(r.returnCode())
                                                            .isEqualTo(
                                                                    ConnectReturnCode
                                                                            .SERVER_UNAVAILABLE);
                                                    assertThat(r.isFatal()).isFalse();
                                                }))
                .verify(T);
        assertThat(link.state()).isEqualTo(LinkState.DISCONNECTED);

        modem.on("AT\\+QMTCONN=0,.*", c -> ScriptedModem.lines("OK", "+QMTCONN: 0,0,2"));
        StepVerifier.create(link.connect())
                .expectErrorSatisfies(
                        e ->
                                assertThat(e)
                                        .isInstanceOfSatisfying(
                                                ConnectRefusedException.class,
                                                r ->
                                                        assertThat(r.returnCode())
                                                                .isEqualTo(
                                                                        ConnectReturnCode
                                                                                .IDENTIFIER_REJECTED)))
                .verify(T);
        assertThat(link.state()).isEqualTo(LinkState.CLOSED);
    }

    @Test
    void qmtconnFailureWithoutACodeIsAQmtConnException() {
        time = VirtualTimeScheduler.create();
        InMemoryByteTransport[] pair = InMemoryByteTransport.pair();
        modem = new ScriptedModem(pair[1]);
        channel = AtChannel.builder(pair[0]).scheduler(time).open();
        link = Ec600sLink.over(channel, aliyun().build());
        modem.on("AT\\+QMTCONN=0,.*", c -> ScriptedModem.lines("OK", "+QMTCONN: 0,2"));
        StepVerifier.create(link.connect())
                .expectErrorSatisfies(
                        e ->
                                assertThat(e)
                                        .isInstanceOfSatisfying(
                                                QmtConnException.class,
                                                q -> assertThat(q.result()).isEqualTo(2)))
                .verify(T);
        assertThat(link.state()).isEqualTo(LinkState.DISCONNECTED);
    }

    @Test
    void reconnectRetriesAServerUnavailableRefusalAsThePolicySaysAndStopsAtAFatalOne() {
        connectedInVirtualTime();
        AtomicReference<Throwable> ended = new AtomicReference<>();
        link.subscribe("a/#", MqttQos.AT_MOST_ONCE).subscribe(m -> {}, ended::set);
        modem.on("AT\\+QMTCONN=0,.*", c -> ScriptedModem.lines("OK", "+QMTCONN: 0,0,3"));

        modem.send("\r\n+QMTSTAT: 0,1\r\n");
        // the first attempt runs at once and is refused; the next waits for the policy's delay
        assertThat(link.state()).isEqualTo(LinkState.RECONNECTING);
        assertThat(modem.commands("AT\\+QMTCONN=.*")).hasSize(2);
        time.advanceTimeBy(FIRST_RETRY.minusMillis(1));
        assertThat(modem.commands("AT\\+QMTCONN=.*")).hasSize(2);
        time.advanceTimeBy(Duration.ofMillis(1));
        assertThat(modem.commands("AT\\+QMTCONN=.*")).hasSize(3);

        modem.on("AT\\+QMTCONN=0,.*", c -> ScriptedModem.lines("OK", "+QMTCONN: 0,0,5"));
        time.advanceTimeBy(FIRST_RETRY.multipliedBy(2));
        assertThat(modem.commands("AT\\+QMTCONN=.*")).hasSize(4);
        assertThat(link.state()).isEqualTo(LinkState.CLOSED);
        assertThat(ended.get())
                .isInstanceOfSatisfying(
                        ConnectRefusedException.class,
                        r ->
                                assertThat(r.returnCode())
                                        .isEqualTo(ConnectReturnCode.NOT_AUTHORIZED));

        time.advanceTimeBy(Duration.ofHours(1));
        assertThat(modem.commands("AT\\+QMTCONN=.*")).hasSize(4);
    }

    @Test
    void reconnectGivesUpWhenThePolicysAttemptsAreUsedUp() {
        time = VirtualTimeScheduler.create();
        InMemoryByteTransport[] pair = InMemoryByteTransport.pair();
        modem = new ScriptedModem(pair[1]);
        channel = AtChannel.builder(pair[0]).scheduler(time).open();
        link =
                Ec600sLink.over(
                        channel,
                        aliyun().reconnectPolicy(
                                        ReconnectPolicy.exponential()
                                                .withDelays(FIRST_RETRY, FIRST_RETRY)
                                                .withJitter(0)
                                                .withMaxAttempts(2))
                                .build());
        StepVerifier.create(link.connect()).expectComplete().verify(T);
        modem.on("AT\\+QMTOPEN=0,.*", c -> ScriptedModem.lines("OK", "+QMTOPEN: 0,5"));
        modem.send("\r\n+QMTSTAT: 0,1\r\n");
        time.advanceTimeBy(FIRST_RETRY.multipliedBy(10));
        // the first attempt and two retries
        assertThat(modem.commands("AT\\+QMTOPEN=.*")).hasSize(1 + 3);
        assertThat(link.state()).isEqualTo(LinkState.CLOSED);
    }

    @Test
    void aQos1PublishTheBrokerAnswersByClosingFailsOnceIsNotResentAndStaysInTheFileOutbox(
            @TempDir Path dir) {
        time = VirtualTimeScheduler.create();
        InMemoryByteTransport[] pair = InMemoryByteTransport.pair();
        modem = new ScriptedModem(pair[1]);
        channel = AtChannel.builder(pair[0]).scheduler(time).open();
        Ec600sOptions options = aliyun().outboxStorage(FileOutboxOptions.in(dir)).build();
        link = Ec600sLink.over(channel, options);
        StepVerifier.create(link.connect()).expectComplete().verify(T);
        // the module sends the PUBLISH; the broker closes the connection instead of a PUBACK (an
        // ACL refusal under MQTT 3.1.1): no +QMTPUBEX result, +QMTSTAT instead
        modem.on(
                "AT\\+QMTPUBEX=0,\\d+,\\d,\\d,\".*\",\\d+",
                c -> {
                    String[] f = c.split(",");
                    return modem.prompt(
                            Integer.parseInt(f[f.length - 1]), ScriptedModem.lines("OK"));
                });
        AtomicReference<Throwable> failed = new AtomicReference<>();
        link.publish("t/refused", "x".getBytes(StandardCharsets.UTF_8), MqttQos.AT_LEAST_ONCE)
                .subscribe(null, failed::set);
        assertThat(modem.data).hasSize(1);
        modem.send("\r\n+QMTSTAT: 0,1\r\n");
        // the link reconnects at once (a result wait does not hold the AT channel); the publish
        // still waits for its result, which never comes
        assertThat(link.state()).isEqualTo(LinkState.CONNECTED);
        assertThat(failed.get()).isNull();

        time.advanceTimeBy(options.resultTimeout());
        assertThat(failed.get())
                .isInstanceOfSatisfying(
                        AtTimeoutException.class,
                        e -> assertThat(e.phase()).isEqualTo(AtTimeoutException.Phase.RESULT_URC));
        time.advanceTimeBy(Duration.ofMinutes(1));
        assertThat(link.state()).isEqualTo(LinkState.CONNECTED);
        // the link does not send it again in this process ...
        assertThat(modem.data).hasSize(1);
        StepVerifier.create(link.disconnect()).expectComplete().verify(T);
        // ... but the module may have delivered it, so the file outbox keeps it for the next one
        try (OutboxStore next = FileOutboxOptions.in(dir).open(options.clientId())) {
            assertThat(next.recovered().publishes())
                    .singleElement()
                    .satisfies(p -> assertThat(p.message().topic()).isEqualTo("t/refused"));
        }
    }

    // ------------------------------------------------------------------ (c) list subscribe

    @Test
    void aListSubscriptionReportsGrantedAndRefusedFiltersInOneAckAgainAfterAReconnect() {
        connectedInVirtualTime();
        modem.on(
                "AT\\+QMTSUB=0,(\\d+),.*",
                c ->
                        ScriptedModem.lines(
                                "OK", ScriptedModem.subAck(c, f -> f.startsWith("forbidden/"))));
        List<Object> events = new CopyOnWriteArrayList<>();
        Disposable d =
                link.subscribe(
                                List.of("a/#", "forbidden/#", "b/+"),
                                MqttQos.AT_LEAST_ONCE,
                                events::add)
                        .subscribe(m -> events.add(m.topic()));
        SubscribeAck expected = new SubscribeAck(List.of("a/#", "b/+"), List.of("forbidden/#"));
        assertThat(modem.commands("AT\\+QMTSUB=.*"))
                .singleElement()
                .asString()
                .endsWith(",\"a/#\",1,\"forbidden/#\",1,\"b/+\",1");
        assertThat(events).containsExactly(expected);
        receive("a/x", "1");

        modem.send("\r\n+QMTSTAT: 0,1\r\n");
        assertThat(link.state()).isEqualTo(LinkState.CONNECTED);
        receive("b/y", "2");
        // one ack per (re)subscription, each before the messages that follow it; the same Flux
        // carries on
        assertThat(events).containsExactly(expected, "a/x", expected, "b/y");
        assertThat(modem.commands("AT\\+QMTSUB=.*")).hasSize(2);

        d.dispose();
        // the cancel unsubscribes the granted filters only
        assertThat(modem.commands("AT\\+QMTUNS=.*"))
                .singleElement()
                .asString()
                .endsWith(",\"a/#\",\"b/+\"");
    }

    @Test
    void whenEveryFilterIsRefusedTheAckComesThenSubscriptionRefused() {
        connectedInVirtualTime();
        modem.on(
                "AT\\+QMTSUB=0,(\\d+),.*",
                c -> ScriptedModem.lines("OK", ScriptedModem.subAck(c, f -> true)));
        List<SubscribeAck> acks = new ArrayList<>();
        StepVerifier.create(
                        link.subscribe(List.of("no/1", "no/2"), MqttQos.AT_MOST_ONCE, acks::add))
                .expectError(SubscriptionRefusedException.class)
                .verify(T);
        assertThat(acks).containsExactly(new SubscribeAck(List.of(), List.of("no/1", "no/2")));
        assertThat(modem.commands("AT\\+QMTUNS=.*")).isEmpty();
        assertThat(link.state()).isEqualTo(LinkState.CONNECTED);
    }

    @Test
    void aResubscriptionRefusedEverywhereEndsThatSubscriptionAfterItsAck() {
        connectedInVirtualTime();
        List<Object> events = new CopyOnWriteArrayList<>();
        link.subscribe(List.of("a/#"), MqttQos.AT_MOST_ONCE, events::add)
                .subscribe(
                        m -> events.add(m.topic()), e -> events.add(e.getClass().getSimpleName()));
        modem.on(
                "AT\\+QMTSUB=0,(\\d+),.*",
                c -> ScriptedModem.lines("OK", ScriptedModem.subAck(c, f -> true)));
        modem.send("\r\n+QMTSTAT: 0,1\r\n");
        assertThat(events)
                .containsExactly(
                        new SubscribeAck(List.of("a/#"), List.of()),
                        new SubscribeAck(List.of(), List.of("a/#")),
                        "SubscriptionRefusedException");
        assertThat(link.state()).isEqualTo(LinkState.CONNECTED);
    }

    @Test
    void manyFiltersAreSplitOverCommandsThatFitALineAndAckedTogether() {
        connectedInVirtualTime();
        List<String> filters =
                IntStream.range(0, 20)
                        .mapToObj(i -> "/sys/a1wFylTxYeD/co_0001/thing/service/number_" + i + "/#")
                        .toList();
        List<SubscribeAck> acks = new ArrayList<>();
        Disposable d = link.subscribe(filters, MqttQos.AT_LEAST_ONCE, acks::add).subscribe();
        List<String> commands = modem.commands("AT\\+QMTSUB=.*");
        assertThat(commands)
                .hasSizeGreaterThan(1)
                .allSatisfy(
                        c ->
                                assertThat(c.getBytes(StandardCharsets.UTF_8).length)
                                        .isLessThanOrEqualTo(Ec600sLink.MAX_COMMAND_LINE));
        assertThat(modem.subscribedFilters()).containsExactlyElementsOf(filters);
        assertThat(acks).containsExactly(new SubscribeAck(filters, List.of()));
        d.dispose();
    }

    @Test
    void aFilterHeldByAnotherSubscriptionOfTheLinkIsRefusedAtOnce() {
        connectedInVirtualTime();
        Disposable d = link.subscribe("a/#", MqttQos.AT_MOST_ONCE).subscribe();
        StepVerifier.create(link.subscribe(List.of("b/#", "a/#"), MqttQos.AT_MOST_ONCE, ack -> {}))
                .expectError(IllegalStateException.class)
                .verify(T);
        assertThat(modem.subscribedFilters()).containsExactly("a/#");
        d.dispose();
    }

    @Test
    void messagesMatchingTwoFiltersOfOneSubscriptionArriveOnce() {
        connectedInVirtualTime();
        List<LinkMessage> got = new ArrayList<>();
        Disposable d =
                link.subscribe(List.of("a/#", "a/+"), MqttQos.AT_MOST_ONCE, ack -> {})
                        .subscribe(got::add);
        receive("a/b", "x");
        assertThat(got).extracting(LinkMessage::topic).containsExactly("a/b");
        d.dispose();
    }
}
