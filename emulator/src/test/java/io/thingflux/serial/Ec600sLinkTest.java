package io.thingflux.serial;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.thingflux.aliyun.AliyunDeviceIdentity;
import io.thingflux.emulator.ec600s.Ec600sEmulator;
import io.thingflux.emulator.ec600s.FakeBrokerAccess;
import io.thingflux.emulator.ec600s.Pty;
import io.thingflux.link.ConnectRefusedException;
import io.thingflux.link.LinkMessage;
import io.thingflux.link.LinkState;
import io.thingflux.link.ReconnectPolicy;
import io.thingflux.link.SubscriptionRefusedException;
import io.thingflux.mqtt.ConnectReturnCode;
import io.thingflux.mqtt.MqttQos;
import io.thingflux.serial.at.JSerialCommTransport;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;

/**
 * The driver against the emulator over a real pseudo-terminal opened through jSerialComm, with an
 * in-memory broker behind the emulator.
 */
class Ec600sLinkTest {

    static final Duration T = Duration.ofSeconds(15);
    static final AliyunDeviceIdentity DEVICE =
            new AliyunDeviceIdentity("a1wFylTxYeD", "co_0001", "7ab0c4b3532b5783df5fdc58a2895d7a");
    static final String SET = "/sys/a1wFylTxYeD/co_0001/thing/service/property/set";
    static final String POST = "/sys/a1wFylTxYeD/co_0001/thing/event/property/post";

    private final FakeBrokerAccess broker = new FakeBrokerAccess();
    private Ec600sEmulator emulator;
    private Ec600sLink link;

    @AfterEach
    void tearDown() {
        if (link != null) {
            link.disconnect().onErrorResume(e -> reactor.core.publisher.Mono.empty()).block(T);
        }
        if (emulator != null) {
            emulator.close();
        }
    }

    private Ec600sOptions.Builder options() {
        return Ec600sOptions.builder()
                .aliyunDevice(DEVICE)
                .clientId("clientExample_0")
                .reconnectPolicy(
                        ReconnectPolicy.exponential()
                                .withDelays(Duration.ofMillis(100), Duration.ofMillis(500)));
    }

    private Ec600sLink start(Ec600sEmulator.Builder emu, Ec600sOptions options) throws Exception {
        emulator = emu.build();
        Pty pty = emulator.attachPty(null);
        link = Ec600sLink.open(JSerialCommTransport.open(pty.devicePath(), 115_200), options);
        return link;
    }

    private Ec600sLink connected() throws Exception {
        start(Ec600sEmulator.builder(broker.factory()), options().build());
        link.connect().block(T);
        return link;
    }

    static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + T.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within " + T);
            }
            Thread.sleep(10);
        }
    }

    @Test
    void connectsWithAliauthSoTheBrokerSeesTheSignedCredentials() throws Exception {
        connected();
        assertThat(link.state()).isEqualTo(LinkState.CONNECTED);
        assertThat(link.publishDialect()).isEqualTo(PublishDialect.QMTPUBEX);
        var c = broker.connects().get(0);
        assertThat(c.clientId()).isEqualTo("clientExample_0|securemode=3,signmethod=hmacsha256|");
        assertThat(c.username()).isEqualTo("co_0001&a1wFylTxYeD");
        // printf 'clientIdclientExample_0deviceNameco_0001productKeya1wFylTxYeD' \
        //     | openssl dgst -sha256 -hmac 7ab0c4b3532b5783df5fdc58a2895d7a
        assertThat(c.password())
                .isEqualTo("a16797d302eddbe94dcb7b15e5819b2126847a7ce4ef6044c116912d33b3a4b5");
        assertThat(c.requestedHost()).isEqualTo("a1wFylTxYeD.iot-as-mqtt.cn-shanghai.aliyuncs.com");
        assertThat(c.keepAliveSeconds()).isEqualTo(120);
        assertThat(c.protocolLevel()).isEqualTo(4);
    }

    @Test
    void explicitCredentialsGoInQmtconn() throws Exception {
        start(
                Ec600sEmulator.builder(broker.factory()),
                Ec600sOptions.builder()
                        .broker("broker.example", 1883)
                        .clientId("dev-1")
                        .credentials("user", "p@ss")
                        .build());
        link.connect().block(T);
        var c = broker.connects().get(0);
        assertThat(c.clientId()).isEqualTo("dev-1");
        assertThat(c.username()).isEqualTo("user");
        assertThat(c.password()).isEqualTo("p@ss");
    }

    @Test
    void publishWithQmtpubexDeliversAnyBytesExactly() throws Exception {
        connected();
        byte[] payload =
                "{\"a\":\"x,\\\"y\\\"\"}\r\n\",\"\r\nOK\r\n".getBytes(StandardCharsets.UTF_8);
        link.publish(POST, payload, MqttQos.AT_LEAST_ONCE).block(T);
        link.publish(POST, new byte[] {0, 1, 0x1A, (byte) 0xff}, MqttQos.AT_MOST_ONCE).block(T);
        assertThat(broker.published()).extracting(LinkMessage::topic).containsExactly(POST, POST);
        assertThat(broker.published().get(0).payload()).isEqualTo(payload);
        assertThat(broker.published().get(0).qos()).isEqualTo(MqttQos.AT_LEAST_ONCE);
        assertThat(broker.published().get(1).payload())
                .isEqualTo(new byte[] {0, 1, 0x1A, (byte) 0xff});
    }

    @Test
    void probesTheCtrlZDialectWhenQmtpubexIsMissingAndPublishesText() throws Exception {
        start(
                Ec600sEmulator.builder(broker.factory()).dialect(PublishDialect.QMTPUB),
                options().build());
        link.connect().block(T);
        assertThat(link.publishDialect()).isEqualTo(PublishDialect.QMTPUB);
        link.publish(POST, "{\"v\":1}".getBytes(StandardCharsets.UTF_8), MqttQos.AT_MOST_ONCE)
                .block(T);
        assertThat(broker.published())
                .singleElement()
                .extracting(LinkMessage::payloadAsString)
                .isEqualTo("{\"v\":1}");
        assertThatThrownBy(
                        () ->
                                link.publish(POST, new byte[] {'a', 0x1A}, MqttQos.AT_MOST_ONCE)
                                        .block(T))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Ctrl+Z");
    }

    @Test
    void configuredDialectIsUsedWithoutProbing() throws Exception {
        emulator = Ec600sEmulator.builder(broker.factory()).build();
        Pty pty = emulator.attachPty(null);
        RecordingTransport host =
                new RecordingTransport(JSerialCommTransport.open(pty.devicePath(), 115_200));
        link = Ec600sLink.open(host, options().publishDialect(PublishDialect.QMTPUB).build());
        link.connect().block(T);
        link.publish(POST, "x".getBytes(StandardCharsets.UTF_8), MqttQos.AT_MOST_ONCE).block(T);
        assertThat(broker.published()).hasSize(1);
        assertThat(host.writtenLines())
                .as("commands the host sent")
                .noneMatch(l -> l.startsWith("AT+QMTPUBEX"))
                .anyMatch(l -> l.equals("AT+QMTPUB=0,0,0,0,\"" + POST + "\""));
    }

    @Test
    void receivedPayloadsWithQuotesCommasAndLineEndsArriveIntact() throws Exception {
        connected();
        List<LinkMessage> got = new CopyOnWriteArrayList<>();
        Disposable d = link.subscribe(SET, MqttQos.AT_MOST_ONCE).subscribe(got::add);
        await(() -> broker.subscribers(SET) == 1);
        byte[] tricky =
                "{\"method\":\"x\",\"p\":\"a\"\r\n\",\"b\"}\"\r\n".getBytes(StandardCharsets.UTF_8);
        broker.publish(SET, tricky, MqttQos.AT_MOST_ONCE);
        broker.publish(SET, "second".getBytes(StandardCharsets.UTF_8), MqttQos.AT_LEAST_ONCE);
        await(() -> got.size() == 2);
        assertThat(got.get(0).payload()).isEqualTo(tricky);
        assertThat(got.get(0).topic()).isEqualTo(SET);
        assertThat(got.get(1).payloadAsString()).isEqualTo("second");
        assertThat(got.get(1).qos()).isEqualTo(MqttQos.AT_LEAST_ONCE);
        d.dispose();
        await(() -> broker.subscribers(SET) == 0);
    }

    @Test
    void messagesWithoutASubscriptionGoToUnsolicited() throws Exception {
        connected();
        CompletableFuture<LinkMessage> first = link.unsolicited().next().toFuture();
        Disposable d = link.subscribe(SET, MqttQos.AT_MOST_ONCE).subscribe();
        await(() -> broker.subscribers(SET) == 1);
        broker.pushUnsolicited("/ext/register", "{}".getBytes(StandardCharsets.UTF_8));
        assertThat(first.get(T.toSeconds(), TimeUnit.SECONDS).topic()).isEqualTo("/ext/register");
        d.dispose();
    }

    @Test
    void refusedSubscriptionErrorsWithSubscriptionRefused() throws Exception {
        broker.refuseFilter("/forbidden/#");
        start(
                Ec600sEmulator.builder(broker.factory()).urcDelay(Duration.ofMillis(200)),
                options().build());
        link.connect().block(T);
        assertThatThrownBy(() -> link.subscribe("/forbidden/#", MqttQos.AT_MOST_ONCE).blockFirst(T))
                .isInstanceOf(SubscriptionRefusedException.class);
    }

    @Test
    void atInjectionThroughATopicIsRefusedBeforeAnythingIsSent() throws Exception {
        connected();
        int before = broker.published().size();
        assertThatThrownBy(
                        () ->
                                link.publish(
                                                "a\",1\r\nAT+QMTDISC=0\r\"",
                                                "x".getBytes(),
                                                MqttQos.AT_MOST_ONCE)
                                        .block(T))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("quote");
        assertThatThrownBy(() -> link.subscribe("a/\"b", MqttQos.AT_MOST_ONCE).blockFirst(T))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(
                        () ->
                                link.publish("a\u0000b", "x".getBytes(), MqttQos.AT_MOST_ONCE)
                                        .block(T))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(broker.published()).hasSize(before);
        assertThat(link.state()).isEqualTo(LinkState.CONNECTED);
        link.publish(POST, "still fine".getBytes(), MqttQos.AT_MOST_ONCE).block(T);
    }

    @Test
    void secretsWithQuotesAreRefusedWithoutShowingThem() {
        assertThatThrownBy(
                        () ->
                                Ec600sOptions.builder()
                                        .aliyunDevice(
                                                new AliyunDeviceIdentity(
                                                        "pk", "dn", "se\"cret\",\"x"))
                                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("device secret")
                .hasMessageNotContaining("se\"cret");
        assertThatThrownBy(
                        () -> Ec600sOptions.builder().broker("h", 1883).clientId("c\r\nAT").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("client id");
        assertThat(options().credentials(null, null).build().toString())
                .doesNotContain(DEVICE.deviceSecret());
    }

    @Test
    void payloadOverTheMaximumIsRefused() throws Exception {
        start(Ec600sEmulator.builder(broker.factory()), options().maxPayload(64).build());
        link.connect().block(T);
        assertThatThrownBy(() -> link.publish(POST, new byte[65], MqttQos.AT_MOST_ONCE).block(T))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("65");
        link.publish(POST, new byte[64], MqttQos.AT_MOST_ONCE).block(T);
        assertThat(broker.published()).hasSize(1);
    }

    @Test
    void brokerRefusalMapsToATypedConnectErrorAndClosesTheLink() throws Exception {
        broker.refuseConnections(ConnectReturnCode.NOT_AUTHORIZED);
        start(Ec600sEmulator.builder(broker.factory()), options().build());
        assertThatThrownBy(() -> link.connect().block(T))
                .isInstanceOfSatisfying(
                        ConnectRefusedException.class,
                        e ->
                                assertThat(e.returnCode())
                                        .isEqualTo(ConnectReturnCode.NOT_AUTHORIZED));
        assertThat(link.state()).isEqualTo(LinkState.CLOSED);
    }

    @Test
    void connectFailureWithoutReturnCodeLeavesTheLinkDisconnected() throws Exception {
        broker.refuseConnections();
        start(Ec600sEmulator.builder(broker.factory()), options().build());
        assertThatThrownBy(() -> link.connect().block(T))
                .isInstanceOfSatisfying(
                        QmtConnException.class, e -> assertThat(e.result()).isEqualTo(2));
        assertThat(link.state()).isEqualTo(LinkState.DISCONNECTED);
    }

    private void awaitReconnect(Runnable fault) throws Exception {
        CompletableFuture<LinkState> back =
                link.states()
                        .filter(s -> s == LinkState.RECONNECTING)
                        .next()
                        .then(link.states().filter(s -> s == LinkState.CONNECTED).next())
                        .toFuture();
        fault.run();
        assertThat(back.get(T.toSeconds(), TimeUnit.SECONDS)).isEqualTo(LinkState.CONNECTED);
    }

    private void assertSubscriptionDelivers(List<LinkMessage> got, String text)
            throws InterruptedException {
        int before = got.size();
        await(() -> broker.subscribers(SET) == 1);
        broker.publish(SET, text.getBytes(StandardCharsets.UTF_8), MqttQos.AT_MOST_ONCE);
        await(() -> got.size() == before + 1);
        assertThat(got.get(before).payloadAsString()).isEqualTo(text);
    }

    @Test
    void qmtstatReopensAndResubscribes() throws Exception {
        connected();
        List<LinkMessage> got = new CopyOnWriteArrayList<>();
        Disposable d = link.subscribe(SET, MqttQos.AT_MOST_ONCE).subscribe(got::add);
        assertSubscriptionDelivers(got, "before");
        awaitReconnect(() -> emulator.injectQmtStat(0, 1));
        assertThat(broker.connects()).hasSize(2);
        assertSubscriptionDelivers(got, "after");
        d.dispose();
    }

    /** The link going RECONNECTING and then CONNECTED again, subscribed to before a fault. */
    private CompletableFuture<LinkState> reconnected() {
        return link.states()
                .filter(s -> s == LinkState.RECONNECTING)
                .next()
                .then(link.states().filter(s -> s == LinkState.CONNECTED).next())
                .toFuture();
    }

    /**
     * The PDP and open commands among {@code commands}, by name and in order: {@code AT+QIDEACT},
     * {@code AT+QIACT} (the write form; the {@code AT+QIACT?} query is left out) and {@code
     * AT+QMTOPEN}.
     */
    private static List<String> pdpAndOpenCommands(List<String> commands) {
        return commands.stream()
                .filter(
                        c ->
                                c.startsWith("AT+QIDEACT=")
                                        || c.startsWith("AT+QIACT=")
                                        || c.startsWith("AT+QMTOPEN="))
                .map(c -> c.substring(0, c.indexOf('=')))
                .toList();
    }

    /**
     * Injects {@code +QMTSTAT: 0,code} into the connected link and returns the PDP and open
     * commands the driver sent after it, up to and including its first {@code AT+QMTOPEN} (checked
     * before the link is back, so that a driver that never recovers fails on the order, not on a
     * timeout).
     */
    private List<String> pdpAndOpenCommandsAfterQmtstat(int code) throws InterruptedException {
        emulator.clearReceivedCommands();
        emulator.injectQmtStat(0, code);
        await(() -> pdpAndOpenCommands(emulator.receivedCommands()).contains("AT+QMTOPEN"));
        List<String> sent = pdpAndOpenCommands(emulator.receivedCommands());
        return sent.subList(0, sent.indexOf("AT+QMTOPEN") + 1);
    }

    /**
     * Reference (ec600s-at-commands.md §3.8, the AN's host action): after {@code +QMTSTAT: <idx>,2}
     * (PINGREQ timed out or failed) "deactivate and reactivate PDP, then reopen". The emulator
     * leaves the context stale (listed as active, but QMTOPEN fails with result 3 until
     * AT+QIDEACT), so the order is checked and recovery needs it.
     */
    @Test
    void qmtstatPingFailureReactivatesThePdpContextFirst() throws Exception {
        connected();
        List<LinkMessage> got = new CopyOnWriteArrayList<>();
        Disposable d = link.subscribe(SET, MqttQos.AT_MOST_ONCE).subscribe(got::add);
        assertSubscriptionDelivers(got, "before");
        CompletableFuture<LinkState> back = reconnected();
        assertThat(pdpAndOpenCommandsAfterQmtstat(2))
                .containsExactly("AT+QIDEACT", "AT+QIACT", "AT+QMTOPEN");
        assertThat(back.get(T.toSeconds(), TimeUnit.SECONDS)).isEqualTo(LinkState.CONNECTED);
        assertSubscriptionDelivers(got, "after");
        d.dispose();
    }

    /**
     * Reference (ec600s-at-commands.md §3.8, the AN's host action): after {@code +QMTSTAT: <idx>,1}
     * (closed or reset by peer) only "{@code AT+QMTOPEN} again"; the PDP context is fine and stays
     * as it is.
     */
    @Test
    void qmtstatClosedByPeerReopensWithoutTouchingThePdpContext() throws Exception {
        connected();
        List<LinkMessage> got = new CopyOnWriteArrayList<>();
        Disposable d = link.subscribe(SET, MqttQos.AT_MOST_ONCE).subscribe(got::add);
        assertSubscriptionDelivers(got, "before");
        CompletableFuture<LinkState> back = reconnected();
        assertThat(pdpAndOpenCommandsAfterQmtstat(1)).containsExactly("AT+QMTOPEN");
        assertThat(back.get(T.toSeconds(), TimeUnit.SECONDS)).isEqualTo(LinkState.CONNECTED);
        assertThat(pdpAndOpenCommands(emulator.receivedCommands())).containsExactly("AT+QMTOPEN");
        assertSubscriptionDelivers(got, "after");
        d.dispose();
    }

    /**
     * Reference (ec600s-at-commands.md §2): {@code +QMTOPEN} result 3 is "PDP activation failed". A
     * reopen after a peer close (which by itself leaves the PDP context alone) that meets it must
     * reset the context before the next attempt, or every attempt fails the same way.
     */
    @Test
    void anOpenFailingWithPdpActivationFailedResetsThePdpContextBeforeTheNextAttempt()
            throws Exception {
        connected();
        List<LinkMessage> got = new CopyOnWriteArrayList<>();
        Disposable d = link.subscribe(SET, MqttQos.AT_MOST_ONCE).subscribe(got::add);
        assertSubscriptionDelivers(got, "before");
        emulator.losePdpDataPath();
        CompletableFuture<LinkState> back = reconnected();
        emulator.clearReceivedCommands();
        emulator.injectQmtStat(0, 1);
        assertThat(back.get(T.toSeconds(), TimeUnit.SECONDS)).isEqualTo(LinkState.CONNECTED);
        assertThat(pdpAndOpenCommands(emulator.receivedCommands()))
                .as("open (result 3), then the context reset, then open again")
                .containsExactly("AT+QMTOPEN", "AT+QIDEACT", "AT+QIACT", "AT+QMTOPEN");
        assertSubscriptionDelivers(got, "after");
        d.dispose();
    }

    @Test
    void receivedCommandsMaskTheQmtconnPasswordAndTheApnPassword() throws Exception {
        start(
                Ec600sEmulator.builder(broker.factory()),
                Ec600sOptions.builder()
                        .broker("broker.example", 1883)
                        .clientId("dev-1")
                        .credentials("user", "p@ss")
                        .apn("CMNET", "apn-user", "apn-secret", 1)
                        .build());
        link.connect().block(T);
        List<String> sent = emulator.receivedCommands();
        assertThat(sent)
                .contains(
                        "AT+QMTCONN=0,\"dev-1\",\"user\",\"***\"",
                        "AT+QICSGP=1,1,\"CMNET\",\"apn-user\",\"***\",1");
        assertThat(sent).noneMatch(c -> c.contains("p@ss") || c.contains("apn-secret"));
    }

    @Test
    void receivedCommandsMaskTheAliauthDeviceSecret() throws Exception {
        connected();
        List<String> sent = emulator.receivedCommands();
        assertThat(sent).contains("AT+QMTCFG=\"aliauth\",0,\"a1wFylTxYeD\",\"co_0001\",\"***\"");
        assertThat(sent).noneMatch(c -> c.contains(DEVICE.deviceSecret()));
    }

    @Test
    void pdpDeactivationIsRecovered() throws Exception {
        connected();
        List<LinkMessage> got = new CopyOnWriteArrayList<>();
        Disposable d = link.subscribe(SET, MqttQos.AT_MOST_ONCE).subscribe(got::add);
        assertSubscriptionDelivers(got, "before");
        awaitReconnect(emulator::deactivatePdp);
        assertSubscriptionDelivers(got, "after");
        d.dispose();
    }

    @Test
    void moduleRebootIsSetUpAgainFromScratch() throws Exception {
        connected();
        List<LinkMessage> got = new CopyOnWriteArrayList<>();
        Disposable d = link.subscribe(SET, MqttQos.AT_MOST_ONCE).subscribe(got::add);
        assertSubscriptionDelivers(got, "before");
        awaitReconnect(emulator::reboot);
        assertSubscriptionDelivers(got, "after");
        link.publish(POST, "after reboot".getBytes(StandardCharsets.UTF_8), MqttQos.AT_MOST_ONCE)
                .block(T);
        assertThat(broker.published())
                .extracting(LinkMessage::payloadAsString)
                .containsExactly("after reboot");
        d.dispose();
    }

    @Test
    void garbageAndSplitPromptsDoNotDisturbTheSession() throws Exception {
        connected();
        emulator.splitPrompts(true);
        emulator.sendRaw(new byte[] {(byte) 0xff, 0x00, '#', '\r', '\n', (byte) 0x80});
        emulator.sendRaw("\r\n".getBytes(StandardCharsets.US_ASCII));
        link.publish(POST, "one".getBytes(StandardCharsets.UTF_8), MqttQos.AT_LEAST_ONCE).block(T);
        link.publish(POST, "two".getBytes(StandardCharsets.UTF_8), MqttQos.AT_MOST_ONCE).block(T);
        assertThat(broker.published())
                .extracting(LinkMessage::payloadAsString)
                .containsExactly("one", "two");
    }

    @Test
    void silentModuleTimesOutThenTheSessionResumes() throws Exception {
        connected();
        emulator.silence(true);
        assertThatThrownBy(
                        () -> link.publish(POST, "lost".getBytes(), MqttQos.AT_MOST_ONCE).block(T))
                .isInstanceOf(io.thingflux.serial.at.AtTimeoutException.class);
        emulator.silence(false);
        link.publish(POST, "heard".getBytes(StandardCharsets.UTF_8), MqttQos.AT_MOST_ONCE).block(T);
        assertThat(broker.published())
                .extracting(LinkMessage::payloadAsString)
                .containsExactly("heard");
    }

    @Test
    void portGoingAwayClosesTheLinkAndFailsSubscriptions() throws Exception {
        connected();
        CompletableFuture<Throwable> failed = new CompletableFuture<>();
        link.subscribe(SET, MqttQos.AT_MOST_ONCE).subscribe(m -> {}, failed::complete);
        await(() -> broker.subscribers(SET) == 1);
        emulator.close();
        assertThat(failed.get(T.toSeconds(), TimeUnit.SECONDS))
                .isInstanceOf(io.thingflux.serial.at.AtChannelClosedException.class);
        assertThat(link.state()).isEqualTo(LinkState.CLOSED);
        emulator = null;
    }

    @Test
    void disconnectClosesForGood() throws Exception {
        connected();
        Disposable d = link.subscribe(SET, MqttQos.AT_MOST_ONCE).subscribe();
        await(() -> broker.subscribers(SET) == 1);
        link.disconnect().block(T);
        assertThat(link.state()).isEqualTo(LinkState.CLOSED);
        await(() -> broker.liveLinks() == 0);
        assertThatThrownBy(() -> link.publish(POST, "x".getBytes(), MqttQos.AT_MOST_ONCE).block(T))
                .isInstanceOf(LinkUnavailableException.class);
        d.dispose();
        link = null;
    }
}
