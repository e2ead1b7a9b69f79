package io.thingflux.serial;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.thingflux.alink.AliyunDevice;
import io.thingflux.aliyun.AliyunDeviceIdentity;
import io.thingflux.link.ConnectRefusedException;
import io.thingflux.link.LinkMessage;
import io.thingflux.link.LinkState;
import io.thingflux.mqtt.ConnectReturnCode;
import io.thingflux.mqtt.MqttQos;
import io.thingflux.serial.at.InMemoryByteTransport;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;

/** The driver against a scripted modem: command sequences, result-code mapping and URC parsing. */
class Ec600sLinkScriptedTest {

    static final Duration T = Duration.ofSeconds(15);
    private ScriptedModem modem;
    private Ec600sLink link;

    private Ec600sLink link(Ec600sOptions.Builder options) {
        InMemoryByteTransport[] pair = InMemoryByteTransport.pair();
        modem = new ScriptedModem(pair[1]);
        link = Ec600sLink.open(pair[0], options.build());
        return link;
    }

    private static Ec600sOptions.Builder aliyun() {
        return Ec600sOptions.builder()
                .aliyunDevice(
                        new AliyunDeviceIdentity(
                                "a1wFylTxYeD", "co_0001", "7ab0c4b3532b5783df5fdc58a2895d7a"))
                .clientId("clientExample_0");
    }

    @AfterEach
    void tearDown() {
        if (link != null && link.state() != LinkState.CLOSED) {
            link.disconnect().onErrorResume(e -> reactor.core.publisher.Mono.empty()).block(T);
        }
    }

    @Test
    void connectRunsTheBootChecksAndMqttSetupInOrder() {
        link(
                aliyun().apn("CMNET", "", "", 1)
                        .urcPort("uart1")
                        .keepAlive(Duration.ofSeconds(300))
                        .cleanSession(false));
        modem.on(
                "AT\\+QIACT\\?",
                c ->
                        modem.commands("AT\\+QIACT=1").isEmpty()
                                ? ScriptedModem.lines("OK")
                                : ScriptedModem.lines("+QIACT: 1,1,1,\"10.0.0.2\"", "OK"));
        link.connect().block(T);
        assertThat(modem.commands)
                .containsExactly(
                        "AT",
                        "ATE0",
                        "AT+CPIN?",
                        "AT+QURCCFG=\"urcport\",\"uart1\"",
                        "AT+CREG?",
                        "AT+CGREG?",
                        "AT+CEREG?",
                        "AT+QICSGP=1",
                        "AT+QICSGP=1,1,\"CMNET\",\"\",\"\",1",
                        "AT+QIACT?",
                        "AT+QIACT=1",
                        "AT+QIACT?",
                        "AT+QMTPUBEX=?",
                        "AT+QMTCFG=\"version\",0,4",
                        "AT+QMTCFG=\"keepalive\",0,300",
                        "AT+QMTCFG=\"session\",0,0",
                        "AT+QMTCFG=\"timeout\",0,5,3,0",
                        "AT+QMTCFG=\"recv/mode\",0,0,1",
                        "AT+QMTCFG=\"aliauth\",0,\"a1wFylTxYeD\",\"co_0001\",\"7ab0c4b3532b5783df5fdc58a2895d7a\"",
                        "AT+QMTOPEN=0,\"a1wFylTxYeD.iot-as-mqtt.cn-shanghai.aliyuncs.com\",1883",
                        "AT+QMTCONN=0,\"clientExample_0\"");
        assertThat(link.state()).isEqualTo(LinkState.CONNECTED);
    }

    @Test
    void openResultCodesBecomeTypedErrors() {
        link(aliyun());
        modem.on("AT\\+QMTOPEN=0,.*", c -> ScriptedModem.lines("OK", "+QMTOPEN: 0,4"));
        assertThatThrownBy(() -> link.connect().block(T))
                .isInstanceOfSatisfying(
                        MqttOpenException.class,
                        e -> {
                            assertThat(e.result()).isEqualTo(4);
                            assertThat(e.reason()).isEqualTo(MqttOpenException.Reason.DNS_FAILED);
                        });
        assertThat(link.state()).isEqualTo(LinkState.DISCONNECTED);
        modem.on("AT\\+QMTOPEN=0,.*", c -> ScriptedModem.lines("OK", "+QMTOPEN: 0,-1"));
        assertThatThrownBy(() -> link.connect().block(T))
                .isInstanceOfSatisfying(
                        MqttOpenException.class,
                        e -> assertThat(e.reason()).isEqualTo(MqttOpenException.Reason.FAILED));
    }

    @Test
    void occupiedClientIndexIsClosedAndOpenedAgain() {
        link(aliyun());
        modem.on(
                "AT\\+QMTOPEN=0,.*",
                c ->
                        ScriptedModem.lines(
                                "OK",
                                modem.commands("AT\\+QMTCLOSE=0").isEmpty()
                                        ? "+QMTOPEN: 0,2"
                                        : "+QMTOPEN: 0,0"));
        link.connect().block(T);
        assertThat(modem.commands("AT\\+QMT(OPEN|CLOSE)=.*")).hasSize(3);
    }

    @Test
    void connectReturnCodesBecomeTypedErrors() {
        link(aliyun());
        modem.on("AT\\+QMTCONN=0,.*", c -> ScriptedModem.lines("OK", "+QMTCONN: 0,0,4"));
        assertThatThrownBy(() -> link.connect().block(T))
                .isInstanceOfSatisfying(
                        ConnectRefusedException.class,
                        e ->
                                assertThat(e.returnCode())
                                        .isEqualTo(ConnectReturnCode.BAD_USERNAME_OR_PASSWORD));
        assertThat(link.state()).isEqualTo(LinkState.CLOSED);
    }

    @Test
    void explicitPasswordStaysOutOfErrorMessages() {
        link(
                Ec600sOptions.builder()
                        .broker("b.example", 1883)
                        .clientId("c")
                        .credentials("u", "hunter2"));
        modem.on("AT\\+QMTCONN=0,.*", c -> ScriptedModem.lines("ERROR"));
        assertThatThrownBy(() -> link.connect().block(T))
                .satisfies(
                        e ->
                                assertThat(e.getMessage())
                                        .doesNotContain("hunter2")
                                        .contains("AT+QMTCONN="));
    }

    @Test
    void moduleStillBootingIsWaitedForUntilRdy() {
        link(aliyun());
        modem.on(
                "AT",
                c -> {
                    int n = modem.commands("AT").size();
                    return n < 3
                            ? ""
                            : n == 3 ? ScriptedModem.lines("RDY", "OK") : ScriptedModem.lines("OK");
                });
        link.connect().block(T);
        assertThat(link.state()).isEqualTo(LinkState.CONNECTED);
        assertThat(modem.commands("AT").size()).isGreaterThanOrEqualTo(4);
    }

    @Test
    void rebootDuringConnectStartsTheSetUpAgain() {
        link(aliyun());
        modem.on(
                "AT\\+CPIN\\?",
                c ->
                        modem.commands("AT\\+CPIN\\?").size() == 1
                                ? ScriptedModem.lines("RDY")
                                : ScriptedModem.lines("+CPIN: READY", "OK"));
        link.connect().block(T);
        assertThat(link.state()).isEqualTo(LinkState.CONNECTED);
        assertThat(modem.commands("ATE0")).hasSize(2);
    }

    @Test
    void simNotReadyFailsTheBootChecks() {
        link(aliyun());
        modem.on("AT\\+CPIN\\?", c -> ScriptedModem.lines("+CPIN: SIM PIN", "OK"));
        assertThatThrownBy(() -> link.connect().block(T))
                .isInstanceOf(ModuleSetupException.class)
                .hasMessageContaining("SIM PIN");
    }

    @Test
    void registrationIsPolledUntilRoamingOrHome() {
        link(aliyun());
        modem.on(
                "AT\\+CEREG\\?",
                c ->
                        ScriptedModem.lines(
                                modem.commands("AT\\+CEREG\\?").size() < 3
                                        ? "+CEREG: 0,2"
                                        : "+CEREG: 0,5",
                                "OK"));
        modem.on("AT\\+C(G)?REG\\?", c -> ScriptedModem.lines("+CREG: 0,0", "OK"));
        link.connect().block(T);
        assertThat(modem.commands("AT\\+CEREG\\?")).hasSize(3);
    }

    @Test
    void registrationThatNeverComesTimesOut() {
        link(aliyun().registrationTimeout(Duration.ofMillis(1500)));
        modem.on("AT\\+C(E|G)?REG\\?", c -> ScriptedModem.lines("+CREG: 0,3", "OK"));
        assertThatThrownBy(() -> link.connect().block(T))
                .isInstanceOf(ModuleSetupException.class)
                .hasMessageContaining("not registered");
    }

    @Test
    void publishResultsRetransmissionNoticeThenSuccessOrFailure() {
        link(aliyun());
        link.connect().block(T);
        modem.on("AT\\+QMTPUBEX=0,\\d+,\\d,\\d,\".*\",\\d+", c -> promptThen(c, ",1,1", ",0"));
        link.publish("t/a", "x".getBytes(), MqttQos.AT_LEAST_ONCE).block(T);
        modem.on("AT\\+QMTPUBEX=0,\\d+,\\d,\\d,\".*\",\\d+", c -> promptThen(c, ",2"));
        assertThatThrownBy(
                        () -> link.publish("t/a", "y".getBytes(), MqttQos.AT_LEAST_ONCE).block(T))
                .isInstanceOfSatisfying(
                        MqttCommandException.class, e -> assertThat(e.result()).isEqualTo(2));
        assertThat(modem.data).extracting(String::new).containsExactly("x", "y");
    }

    private String promptThen(String cmd, String... results) {
        String[] f = cmd.substring("AT+QMTPUBEX=".length()).split(",");
        String[] lines = new String[results.length + 1];
        lines[0] = "OK";
        for (int i = 0; i < results.length; i++) {
            lines[i + 1] = "+QMTPUBEX: 0," + f[1] + results[i];
        }
        return modem.prompt(Integer.parseInt(f[f.length - 1]), ScriptedModem.lines(lines));
    }

    @Test
    void
            aThingModelDeviceSubscribesInFewCommandsAndDisconnectsWithoutAnUnsubscribeCommandPerFilter() {
        link(aliyun());
        AliyunDevice device =
                AliyunDevice.create(
                        link,
                        new AliyunDeviceIdentity(
                                "a1wFylTxYeD", "co_0001", "7ab0c4b3532b5783df5fdc58a2895d7a"));
        device.connect().block(T);
        List<String> filters = device.subscriptions();
        long deadline = System.nanoTime() + T.toNanos();
        while (modem.subscribedFilters().size() < filters.size() && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        // all of them, in as few AT+QMTSUB commands as fit a command line
        assertThat(modem.subscribedFilters()).containsExactlyElementsOf(filters);
        assertThat(modem.commands("AT\\+QMTSUB=.*")).hasSizeLessThan(filters.size());
        device.disconnect().block(T);
        // the clean session ends with the connection: one QMTDISC, not a QMTUNS round trip per
        // filter before it
        assertThat(modem.commands("AT\\+QMTUNS=.*")).isEmpty();
        assertThat(modem.commands("AT\\+QMTDISC=.*")).hasSize(1);
        assertThat(link.state()).isEqualTo(LinkState.CLOSED);
    }

    @Test
    void messageIdsAreUniqueAcrossSubscribeUnsubscribeAndPublish() {
        link(aliyun());
        link.connect().block(T);
        Disposable a = link.subscribe("a/#", MqttQos.AT_LEAST_ONCE).subscribe();
        Disposable b = link.subscribe("b/#", MqttQos.AT_MOST_ONCE).subscribe();
        link.publish("t", "1".getBytes(), MqttQos.AT_LEAST_ONCE).block(T);
        link.publish("t", "2".getBytes(), MqttQos.AT_LEAST_ONCE).block(T);
        a.dispose();
        b.dispose();
        long deadline = System.nanoTime() + T.toNanos();
        while (modem.commands("AT\\+QMTUNS=.*").size() < 2 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        List<String> ids =
                modem.commands("AT\\+QMT(SUB|UNS|PUBEX)=[^?].*").stream()
                        .map(c -> c.split(",")[1])
                        .toList();
        assertThat(ids).hasSize(6).doesNotHaveDuplicates().doesNotContain("0");
        link.publish("t", "3".getBytes(), MqttQos.AT_MOST_ONCE).block(T);
        assertThat(modem.commands("AT\\+QMTPUBEX=.*"))
                .last()
                .asString()
                .startsWith("AT+QMTPUBEX=0,0,0,0,");
    }

    @Test
    void receiveWithoutLengthIsParsedUpToTheLastQuote() throws Exception {
        link(aliyun());
        link.connect().block(T);
        List<LinkMessage> got = new CopyOnWriteArrayList<>();
        link.subscribe("a/#", MqttQos.AT_MOST_ONCE).subscribe(got::add);
        modem.send("\r\n+QMTRECV: 0,0,\"a/b\",\"he,\"llo\"\r\n");
        modem.send("\r\n+QMTRECV: 0,5,\"a/c\",4,\"a\r\nb\"\r\n");
        long deadline = System.nanoTime() + T.toNanos();
        while (got.size() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(got).hasSize(2);
        assertThat(got.get(0).payloadAsString()).isEqualTo("he,\"llo");
        assertThat(got.get(1).payloadAsString()).isEqualTo("a\r\nb");
        assertThat(got.get(1).qos()).isEqualTo(MqttQos.AT_LEAST_ONCE);
    }

    @Test
    void malformedReceivesAreCountedAndLoggedWithTheirReasonButNotTheirContent() throws Exception {
        Logger logger = (Logger) LoggerFactory.getLogger(Ec600sLink.class);
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        logger.addAppender(logged);
        try {
            link(aliyun());
            link.connect().block(T);
            List<LinkMessage> got = new CopyOnWriteArrayList<>();
            link.subscribe("#", MqttQos.AT_MOST_ONCE).subscribe(got::add);
            // wildcard in a received topic
            modem.send("\r\n+QMTRECV: 0,0,\"a/#\",\"private-payload\"\r\n");
            // message id out of range
            modem.send("\r\n+QMTRECV: 0,70000,\"a/b\",\"private-payload\"\r\n");
            modem.send("\r\n+QMTRECV: 0,0,\"a/ok\",2,\"ok\"\r\n");
            long deadline = System.nanoTime() + T.toNanos();
            while (got.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertThat(got).extracting(LinkMessage::topic).containsExactly("a/ok");
            assertThat(link.malformedUrcs()).isEqualTo(2);
            assertThat(link.state()).isEqualTo(LinkState.CONNECTED);
            assertThat(logged.list)
                    .filteredOn(e -> e.getFormattedMessage().contains("malformed +QMTRECV"))
                    .hasSize(2)
                    .allSatisfy(
                            e ->
                                    assertThat(e.getFormattedMessage())
                                            .doesNotContain("private-payload"))
                    .anySatisfy(e -> assertThat(e.getFormattedMessage()).contains("wildcard"))
                    .anySatisfy(
                            e -> assertThat(e.getFormattedMessage()).contains("message id 70000"));
        } finally {
            logger.detachAppender(logged);
        }
    }

    @Test
    void disconnectSendsQmtdiscThenQmtcloseAndIgnoresTheStat5ItCauses() {
        link(aliyun());
        link.connect().block(T);
        modem.on(
                "AT\\+QMTDISC=0", c -> ScriptedModem.lines("OK", "+QMTDISC: 0,0", "+QMTSTAT: 0,5"));
        link.disconnect().block(T);
        assertThat(link.state()).isEqualTo(LinkState.CLOSED);
        assertThat(modem.commands("AT\\+QMTOPEN=.*")).hasSize(1);
        assertThat(modem.commands.subList(modem.commands.size() - 2, modem.commands.size()))
                .containsExactly("AT+QMTDISC=0", "AT+QMTCLOSE=0");
    }
}
