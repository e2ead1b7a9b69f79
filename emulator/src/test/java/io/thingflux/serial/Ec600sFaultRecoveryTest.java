package io.thingflux.serial;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.thingflux.emulator.ec600s.Ec600sEmulator;
import io.thingflux.emulator.ec600s.FakeBrokerAccess;
import io.thingflux.emulator.ec600s.Pty;
import io.thingflux.link.LinkMessage;
import io.thingflux.link.LinkState;
import io.thingflux.link.ReconnectPolicy;
import io.thingflux.link.outbox.FileOutboxOptions;
import io.thingflux.link.outbox.FsyncPolicy;
import io.thingflux.mqtt.MqttQos;
import io.thingflux.serial.at.AtTimeoutException;
import io.thingflux.serial.at.JSerialCommTransport;
import io.thingflux.serial.at.ModuleRebootedException;
import io.thingflux.serial.internal.QmtRecv;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

/**
 * Serial faults injected through the EC600S emulator on a real pseudo-terminal (opened through
 * jSerialComm), with an in-memory broker behind it. Each test subscribes once, injects one fault,
 * and proves that the link gets back to a subscribed state on its own: a message the broker
 * publishes after the fault arrives in the same {@code Flux} (the test never subscribes again, and
 * that {@code Flux} never terminates), and a publish after the fault reaches the broker.
 */
class Ec600sFaultRecoveryTest {

    /** Generous bound of every wait: the suite must hold on two busy cores. */
    static final Duration T = Duration.ofSeconds(30);

    static final String SET = Ec600sLinkTest.SET;
    static final String POST = Ec600sLinkTest.POST;

    private final FakeBrokerAccess broker = new FakeBrokerAccess();
    private Ec600sEmulator emulator;
    private Ec600sLink link;
    private final List<LinkMessage> got = new CopyOnWriteArrayList<>();
    private final AtomicReference<String> terminated = new AtomicReference<>();
    private Disposable subscription;

    @BeforeEach
    void connectAndSubscribe() throws Exception {
        emulator = Ec600sEmulator.builder(broker.factory()).build();
        Pty pty = emulator.attachPty(null);
        link =
                Ec600sLink.open(
                        JSerialCommTransport.open(pty.devicePath(), 115_200),
                        Ec600sOptions.builder()
                                .aliyunDevice(Ec600sLinkTest.DEVICE)
                                .clientId("clientExample_0")
                                .reconnectPolicy(
                                        ReconnectPolicy.exponential()
                                                .withDelays(
                                                        Duration.ofMillis(100),
                                                        Duration.ofMillis(500)))
                                .build());
        link.connect().block(T);
        subscription =
                link.subscribe(SET, MqttQos.AT_MOST_ONCE)
                        .subscribe(
                                got::add,
                                e -> terminated.set("error " + e),
                                () -> terminated.set("complete"));
        arrivesInTheSubscription("before the fault");
    }

    @AfterEach
    void tearDown() {
        if (subscription != null) {
            subscription.dispose();
        }
        if (link != null) {
            link.disconnect().onErrorResume(e -> Mono.empty()).block(T);
        }
        if (emulator != null) {
            emulator.close();
        }
    }

    // ------------------------------------------------------------------ faults

    @ParameterizedTest(name = "+QMTSTAT: 0,{0}")
    @ValueSource(ints = {1, 2, 6, 7})
    void qmtstatClosingTheMqttLinkIsReopenedAndTheSubscriptionCarriesOn(int code) throws Exception {
        reconnectsAfter(() -> emulator.injectQmtStat(0, code));
        assertThat(broker.connects()).hasSize(2);
        carriesOn();
    }

    @Test
    void pdpDeactivationIsReactivatedAndTheSubscriptionCarriesOn() throws Exception {
        reconnectsAfter(emulator::deactivatePdp);
        assertThat(broker.connects()).hasSize(2);
        carriesOn();
    }

    /**
     * The driver does not retry a publish the module may or may not have sent: it fails with the
     * typed {@link ModuleRebootedException} (the caller decides), and the link sets the module up
     * again.
     */
    @Test
    void rebootInTheMiddleOfAPublishFailsThatPublishTypedAndTheLinkComesBackSubscribed()
            throws Exception {
        CompletableFuture<LinkState> back = reconnected();
        emulator.rebootOnNextPublish();
        assertThatThrownBy(
                        () ->
                                link.publish(
                                                POST,
                                                "in flight".getBytes(StandardCharsets.UTF_8),
                                                MqttQos.AT_LEAST_ONCE)
                                        .block(T))
                .isInstanceOf(ModuleRebootedException.class);
        assertThat(back.get(T.toSeconds(), TimeUnit.SECONDS)).isEqualTo(LinkState.CONNECTED);
        assertThat(broker.connects()).hasSize(2);
        carriesOn();
        assertThat(broker.published())
                .extracting(LinkMessage::payloadAsString)
                .doesNotContain("in flight");
    }

    /**
     * Publishes made while the module reconnects wait in the link's outbox and leave in the order
     * they were made, after the subscription is back; a publish made meanwhile queues behind them.
     */
    @Test
    void publishesMadeWhileReconnectingWaitAndLeaveInOrderAfterResubscription() throws Exception {
        broker.refuseConnections(); // the reconnect keeps failing until we let it through
        emulator.injectQmtStat(0, 1);
        Ec600sLinkTest.await(() -> link.state() == LinkState.RECONNECTING);
        List<String> done = new CopyOnWriteArrayList<>();
        for (int i = 0; i < 3; i++) {
            String text = "queued " + i;
            link.publish(POST, text.getBytes(StandardCharsets.UTF_8), MqttQos.AT_LEAST_ONCE)
                    .subscribe(null, e -> done.add("failed " + e), () -> done.add(text));
        }
        int publishedBefore = broker.published().size();
        Ec600sLinkTest.await(() -> broker.connects().size() >= 3); // refused attempts went by
        assertThat(done).isEmpty();
        assertThat(broker.published()).hasSize(publishedBefore);
        broker.acceptConnections();
        Ec600sLinkTest.await(() -> done.size() == 3);
        assertThat(done).containsExactly("queued 0", "queued 1", "queued 2");
        assertThat(broker.published())
                .extracting(LinkMessage::payloadAsString)
                .endsWith("queued 0", "queued 1", "queued 2");
        assertThat(link.state()).isEqualTo(LinkState.CONNECTED);
        carriesOn();
    }

    /** Beyond the outbox capacity the link's overflow policy decides, with a typed error. */
    @Test
    void aFullOutboxWhileReconnectingRefusesTyped() throws Exception {
        link.disconnect().block(T);
        subscription.dispose();
        emulator.close();
        emulator = Ec600sEmulator.builder(broker.factory()).build();
        Pty pty = emulator.attachPty(null);
        link =
                Ec600sLink.open(
                        JSerialCommTransport.open(pty.devicePath(), 115_200),
                        Ec600sOptions.builder()
                                .aliyunDevice(Ec600sLinkTest.DEVICE)
                                .clientId("clientExample_0")
                                .outbox(1, io.thingflux.link.outbox.OverflowPolicy.FAIL)
                                .reconnectPolicy(
                                        ReconnectPolicy.exponential()
                                                .withDelays(
                                                        Duration.ofMillis(100),
                                                        Duration.ofMillis(500)))
                                .build());
        link.connect().block(T);
        broker.refuseConnections();
        emulator.injectQmtStat(0, 1);
        Ec600sLinkTest.await(() -> link.state() == LinkState.RECONNECTING);
        List<String> done = new CopyOnWriteArrayList<>();
        link.publish(POST, "kept".getBytes(StandardCharsets.UTF_8), MqttQos.AT_LEAST_ONCE)
                .subscribe(null, e -> done.add("failed"), () -> done.add("kept"));
        assertThatThrownBy(
                        () ->
                                link.publish(
                                                POST,
                                                "refused".getBytes(StandardCharsets.UTF_8),
                                                MqttQos.AT_LEAST_ONCE)
                                        .block(T))
                .isInstanceOf(io.thingflux.link.outbox.OutboxFullException.class);
        broker.acceptConnections();
        Ec600sLinkTest.await(() -> done.size() == 1);
        assertThat(done).containsExactly("kept");
        subscription = null;
    }

    /**
     * With a file outbox, what one link accepted while reconnecting and never sent is published by
     * the next link over that outbox (another process, after a crash), first, after its connect.
     */
    @Test
    void aFileOutboxHandsWhatWasNotSentToTheNextLink(@TempDir Path dir) throws Exception {
        link.disconnect().block(T);
        subscription.dispose();
        subscription = null;
        FileOutboxOptions file = FileOutboxOptions.in(dir).fsync(FsyncPolicy.never());
        link = fileLink(file);
        link.connect().block(T);
        broker.refuseConnections();
        emulator.injectQmtStat(0, 1);
        Ec600sLinkTest.await(() -> link.state() == LinkState.RECONNECTING);
        List<Throwable> failed = new CopyOnWriteArrayList<>();
        for (String text : List.of("stored 0", "stored 1")) {
            link.publish(POST, text.getBytes(StandardCharsets.UTF_8), MqttQos.AT_LEAST_ONCE)
                    .subscribe(null, failed::add);
        }
        link.disconnect().block(T); // the process goes away before the link came back
        Ec600sLinkTest.await(() -> failed.size() == 2);
        broker.acceptConnections();
        link = fileLink(file);
        link.connect().block(T);
        Ec600sLinkTest.await(
                () ->
                        broker.published().stream()
                                        .map(LinkMessage::payloadAsString)
                                        .filter(s -> s.startsWith("stored"))
                                        .count()
                                == 2);
        assertThat(broker.published())
                .extracting(LinkMessage::payloadAsString)
                .endsWith("stored 0", "stored 1");
    }

    private Ec600sLink fileLink(FileOutboxOptions file) throws Exception {
        emulator.close();
        emulator = Ec600sEmulator.builder(broker.factory()).build();
        Pty pty = emulator.attachPty(null);
        return Ec600sLink.open(
                JSerialCommTransport.open(pty.devicePath(), 115_200),
                Ec600sOptions.builder()
                        .aliyunDevice(Ec600sLinkTest.DEVICE)
                        .clientId("clientExample_0")
                        .outboxStorage(file)
                        .reconnectPolicy(
                                ReconnectPolicy.exponential()
                                        .withDelays(Duration.ofMillis(100), Duration.ofMillis(500)))
                        .build());
    }

    @Test
    void garbageAndPartialLinesAreSkippedAndMalformedReceivesCounted() throws Exception {
        long malformedBefore = link.malformedUrcs();
        emulator.sendRaw(new byte[] {(byte) 0xff, 0x00, '#', (byte) 0x80, '\r', '\n'});
        // a line cut off by a glitch, then the line end
        emulator.sendRaw(
                "\r\n+QMTRECV: 0,0,\"/sys/a1wFylTxYeD/co_0".getBytes(StandardCharsets.US_ASCII));
        emulator.sendRaw("\r\n".getBytes(StandardCharsets.US_ASCII));
        // well framed but not valid: wildcards in a received topic, with and without the length
        emulator.sendRaw(
                "\r\n+QMTRECV: 0,0,\"/sys/+/x\",\"p\"\r\n".getBytes(StandardCharsets.US_ASCII));
        emulator.sendRaw(
                "\r\n+QMTRECV: 0,0,\"/sys/#\",1,\"p\"\r\n".getBytes(StandardCharsets.US_ASCII));
        // a good URC delivered in two writes
        byte[] whole =
                QmtRecv.render(
                        new QmtRecv.Received(
                                0, 0, SET, "two,\"parts\"\r\n".getBytes(StandardCharsets.UTF_8)),
                        true);
        emulator.sendRaw(Arrays.copyOfRange(whole, 0, whole.length / 2));
        emulator.sendRaw(Arrays.copyOfRange(whole, whole.length / 2, whole.length));
        Ec600sLinkTest.await(() -> got.size() == 2);
        assertThat(got.get(1).payloadAsString()).isEqualTo("two,\"parts\"\r\n");
        Ec600sLinkTest.await(() -> link.malformedUrcs() == malformedBefore + 3);
        assertThat(link.state()).isEqualTo(LinkState.CONNECTED);
        assertThat(broker.connects()).hasSize(1); // nothing to recover from
        carriesOn();
        assertThat(link.malformedUrcs()).isEqualTo(malformedBefore + 3);
    }

    /**
     * A {@code +QMTRECV} whose length promises more bytes than come would swallow the lines after
     * it; the engine drops it once its bytes stop for the payload gap, and counts it as malformed.
     */
    @Test
    void receiveCutShortIsDroppedAfterThePayloadGapAndTheSubscriptionCarriesOn() throws Exception {
        long malformedBefore = link.malformedUrcs();
        emulator.sendRaw(
                ("\r\n+QMTRECV: 0,0,\"" + SET + "\",4000,\"cut short\"\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
        Ec600sLinkTest.await(() -> link.malformedUrcs() == malformedBefore + 1);
        assertThat(link.state()).isEqualTo(LinkState.CONNECTED);
        carriesOn();
        assertThat(got).extracting(LinkMessage::payloadAsString).doesNotContain("cut short");
    }

    @Test
    void promptSplitAcrossWritesStillTakesThePayload() throws Exception {
        emulator.splitPrompts(true);
        link.publish(
                        POST,
                        "after a split prompt".getBytes(StandardCharsets.UTF_8),
                        MqttQos.AT_LEAST_ONCE)
                .block(T);
        assertThat(broker.published())
                .extracting(LinkMessage::payloadAsString)
                .containsExactly("after a split prompt");
        carriesOn();
    }

    /**
     * The command timeout and the engine's resynchronisation handle a module that stops answering.
     */
    @Test
    void silentModuleTimesOutTheCommandThenTheSessionAndSubscriptionResume() throws Exception {
        emulator.silence(true);
        assertThatThrownBy(
                        () ->
                                link.publish(
                                                POST,
                                                "unanswered".getBytes(StandardCharsets.UTF_8),
                                                MqttQos.AT_MOST_ONCE)
                                        .block(T))
                .isInstanceOf(AtTimeoutException.class);
        emulator.silence(false);
        carriesOn();
        assertThat(link.state()).isEqualTo(LinkState.CONNECTED);
    }

    // ------------------------------------------------------------------ helpers

    /** A future of the link going RECONNECTING and then CONNECTED again (made before the fault). */
    private CompletableFuture<LinkState> reconnected() {
        return link.states()
                .filter(s -> s == LinkState.RECONNECTING)
                .next()
                .then(link.states().filter(s -> s == LinkState.CONNECTED).next())
                .toFuture();
    }

    private void reconnectsAfter(Runnable fault) throws Exception {
        CompletableFuture<LinkState> back = reconnected();
        fault.run();
        assertThat(back.get(T.toSeconds(), TimeUnit.SECONDS)).isEqualTo(LinkState.CONNECTED);
    }

    /**
     * After the fault: the same subscription still delivers, it never ended, and publishing works.
     */
    private void carriesOn() throws Exception {
        arrivesInTheSubscription("after the fault");
        link.publish(
                        POST,
                        "published after the fault".getBytes(StandardCharsets.UTF_8),
                        MqttQos.AT_LEAST_ONCE)
                .block(T);
        assertThat(broker.published())
                .extracting(LinkMessage::payloadAsString)
                .endsWith("published after the fault");
        assertThat(terminated.get()).isNull();
    }

    private void arrivesInTheSubscription(String text) throws Exception {
        int before = got.size();
        Ec600sLinkTest.await(() -> broker.subscribers(SET) == 1);
        broker.publish(SET, text.getBytes(StandardCharsets.UTF_8), MqttQos.AT_MOST_ONCE);
        Ec600sLinkTest.await(() -> got.size() == before + 1);
        assertThat(got.get(before).payloadAsString()).isEqualTo(text);
    }
}
