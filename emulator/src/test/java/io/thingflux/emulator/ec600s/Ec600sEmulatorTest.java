package io.thingflux.emulator.ec600s;

import static org.assertj.core.api.Assertions.assertThat;

import io.thingflux.link.ConnectRefusedException;
import io.thingflux.mqtt.ConnectReturnCode;
import io.thingflux.mqtt.MqttQos;
import io.thingflux.serial.PublishDialect;
import io.thingflux.serial.at.InMemoryByteTransport;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The emulator's command set and faults, over an in-memory transport, read line by line. */
class Ec600sEmulatorTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private final FakeBroker broker = new FakeBroker();
    private Ec600sEmulator emulator;
    private HostSide host;

    @AfterEach
    void tearDown() {
        if (emulator != null) {
            emulator.close();
        }
    }

    private void start(Ec600sEmulator.Builder b) throws Exception {
        InMemoryByteTransport[] pair = InMemoryByteTransport.pair();
        host = new HostSide(pair[0]);
        emulator = b.build().attach(pair[1]);
        assertThat(host.next(WAIT)).isEqualTo("RDY");
    }

    private void start() throws Exception {
        start(Ec600sEmulator.builder(broker));
        exchange("ATE0", "ATE0", "OK");
    }

    /** Sends a command and expects exactly these lines (within the wait), nothing else. */
    private void exchange(String command, String... expected) throws Exception {
        host.sendCommand(command);
        List<String> got = new ArrayList<>();
        for (int i = 0; i < expected.length; i++) {
            String l = host.next(WAIT);
            assertThat(l).as("reply %d to %s, got so far %s", i, command, got).isNotNull();
            got.add(l);
        }
        assertThat(got).containsExactly(expected);
    }

    private void connect() throws Exception {
        exchange("AT+QIACT=1", "OK");
        exchange("AT+QMTOPEN=0,\"iot.example\",1883", "OK", "+QMTOPEN: 0,0");
        exchange("AT+QMTCONN=0,\"dev\",\"u\",\"p\"", "OK", "+QMTCONN: 0,0,0");
    }

    @Test
    void echoesCommandsUntilAte0() throws Exception {
        start(Ec600sEmulator.builder(broker));
        exchange("AT", "AT", "OK");
        exchange("ATE0", "ATE0", "OK");
        exchange("AT", "OK");
    }

    /**
     * The module reports the broker's CONNACK code when the link fails with
     * ConnectRefusedException.
     */
    @Test
    void aRefusedConnectReportsTheConnackCodeAndAnyOtherFailureSendFailed() throws Exception {
        start();
        exchange("AT+QIACT=1", "OK");
        exchange("AT+QMTOPEN=0,\"iot.example\",1883", "OK", "+QMTOPEN: 0,0");
        broker.refusal = ConnectReturnCode.NOT_AUTHORIZED;
        broker.accept = r -> false;
        exchange("AT+QMTCONN=0,\"dev\",\"u\",\"p\"", "OK", "+QMTCONN: 0,0,5");
        broker.refusal = null;
        exchange("AT+QMTCONN=0,\"dev\",\"u\",\"p\"", "OK", "+QMTCONN: 0,2");
    }

    @Test
    void theRefusalCodeIsFoundAnywhereInTheCauseChain() {
        assertThat(
                        EmulatedMqttClient.refusalCode(
                                new IllegalStateException(
                                        "wrapped",
                                        new ConnectRefusedException(
                                                ConnectReturnCode.BAD_USERNAME_OR_PASSWORD))))
                .hasValue(4);
        assertThat(EmulatedMqttClient.refusalCode(new IllegalStateException("no CONNACK")))
                .isEmpty();
    }

    @Test
    void unknownCommandsAndBadParametersGetError() throws Exception {
        start();
        exchange("AT+FOO", "ERROR");
        exchange("AT+QMTOPEN=0,\"h\"", "ERROR");
        exchange("AT+QMTOPEN=9,\"h\",1883", "ERROR");
        exchange("AT+QMTCFG=\"nonsense\",0,1", "ERROR");
        exchange("AT+QMTCFG=\"keepalive\",0,4000", "ERROR");
        exchange("AT+QICSGP=1,7,\"apn\"", "ERROR");
        exchange("AT+QMTCONN=0,\"c\"", "ERROR"); // not open
        connect();
        exchange("AT+QMTSUB=0,0,\"a\",0", "ERROR"); // msgid 0
        exchange("AT+QMTSUB=0,1,\"a/#/b\",0", "ERROR"); // bad filter
        exchange("AT+QMTPUBEX=0,0,1,0,\"t\",3", "ERROR"); // qos 1 needs a msgid
        exchange("AT+QMTPUBEX=0,0,0,0,\"t\",5000", "ERROR"); // over 4096
        exchange("AT+QMTPUBEX=0,0,0,0,\"t/+\",3", "ERROR"); // wildcard in a name
    }

    @Test
    void pdpStateDecidesOpenResults() throws Exception {
        start();
        exchange("AT+QIACT?", "OK");
        exchange("AT+QMTOPEN=0,\"h\",1883", "OK", "+QMTOPEN: 0,3");
        exchange("AT+QIACT=1", "OK");
        exchange("AT+QIACT?", "+QIACT: 1,1,1,\"" + Ec600sEmulator.DEFAULT_PDP_ADDRESS + "\"", "OK");
        exchange("AT+QMTOPEN=0,\"h\",1883", "OK", "+QMTOPEN: 0,0");
        exchange("AT+QMTOPEN=0,\"h\",1883", "OK", "+QMTOPEN: 0,2");
        exchange("AT+QMTCONN?", "+QMTCONN: 0,1", "OK");
        exchange("AT+QMTCLOSE=0", "OK", "+QMTCLOSE: 0,0");
        exchange("AT+QMTOPEN?", "OK");
    }

    @Test
    void recvModeWithoutLengthPushesThePayloadQuotedOnly() throws Exception {
        start();
        exchange("AT+QMTCFG=\"recv/mode\",0,0,0", "OK");
        connect();
        exchange("AT+QMTSUB=0,7,\"a/#\",1", "OK", "+QMTSUB: 0,7,0,1");
        broker.publish("a/b", "hello".getBytes(StandardCharsets.UTF_8), MqttQos.AT_MOST_ONCE);
        assertThat(host.next(WAIT)).isEqualTo("+QMTRECV: 0,0,\"a/b\",\"hello\"");
        exchange("AT+QMTCFG=\"recv/mode\",0,0,1", "OK");
        broker.publish("a/c", "hi".getBytes(StandardCharsets.UTF_8), MqttQos.AT_LEAST_ONCE);
        assertThat(host.next(WAIT)).isEqualTo("+QMTRECV: 0,1,\"a/c\",2,\"hi\"");
        exchange("AT+QMTCFG=\"recv/mode\",0,2,0", "ERROR");
    }

    @Test
    void bufferedRecvModeKeepsFiveMessagesUntilRead() throws Exception {
        start();
        exchange("AT+QMTCFG=\"recv/mode\",0,1,1", "OK");
        connect();
        exchange("AT+QMTSUB=0,7,\"a/#\",1", "OK", "+QMTSUB: 0,7,0,1");
        for (int i = 0; i < 6; i++) {
            broker.publish(
                    "a/" + i, ("m" + i).getBytes(StandardCharsets.UTF_8), MqttQos.AT_MOST_ONCE);
        }
        for (int i = 0; i < 5; i++) {
            assertThat(host.next(WAIT)).isEqualTo("+QMTRECV: 0," + i);
        }
        assertThat(host.next(Duration.ofMillis(300))).as("the sixth has no free slot").isNull();
        exchange("AT+QMTRECV?", "+QMTRECV: 0,1,1,1,1,1", "OK");
        exchange("AT+QMTRECV=0,2", "+QMTRECV: 0,0,\"a/2\",2,\"m2\"", "OK");
        exchange("AT+QMTRECV?", "+QMTRECV: 0,1,1,0,1,1", "OK");
        exchange(
                "AT+QMTRECV=0",
                "+QMTRECV: 0,0,\"a/0\",2,\"m0\"",
                "+QMTRECV: 0,0,\"a/1\",2,\"m1\"",
                "+QMTRECV: 0,0,\"a/3\",2,\"m3\"",
                "+QMTRECV: 0,0,\"a/4\",2,\"m4\"",
                "OK");
        exchange("AT+QMTRECV?", "+QMTRECV: 0,0,0,0,0,0", "OK");
    }

    @Test
    void ctrlZDialectPublishesTextAndRefusesQmtpubex() throws Exception {
        start(Ec600sEmulator.builder(broker).dialect(PublishDialect.QMTPUB));
        exchange("ATE0", "ATE0", "OK");
        exchange("AT+QMTPUBEX=?", "ERROR");
        exchange("AT+QMTPUB=?", "+QMTPUB: (0-5),<msgid>,(0-2),(0,1),<topic>", "OK");
        connect();
        exchange("AT+QMTPUB=0,3,1,0,\"t/x\"", "> ");
        host.sendRaw("{\"a\":1}\u001a".getBytes(StandardCharsets.UTF_8));
        assertThat(host.next(WAIT)).isEqualTo("OK");
        assertThat(host.next(WAIT)).isEqualTo("+QMTPUB: 0,3,0");
        assertThat(broker.published)
                .singleElement()
                .satisfies(
                        m -> {
                            assertThat(m.payloadAsString()).isEqualTo("{\"a\":1}");
                            assertThat(m.qos()).isEqualTo(MqttQos.AT_LEAST_ONCE);
                        });
    }

    @Test
    void escCancelsACtrlZPublish() throws Exception {
        start();
        connect();
        exchange("AT+QMTPUB=0,0,0,0,\"t\"", "> ");
        host.sendRaw("drop me\u001b".getBytes(StandardCharsets.UTF_8));
        assertThat(host.next(WAIT)).isEqualTo("OK");
        exchange("AT", "OK");
        assertThat(broker.published).isEmpty();
    }

    @Test
    void faultsAreInjected() throws Exception {
        start();
        connect();
        emulator.injectQmtStat(0, 1);
        assertThat(host.next(WAIT)).isEqualTo("+QMTSTAT: 0,1");
        exchange("AT+QMTCONN?", "OK");
        emulator.deactivatePdp();
        assertThat(host.next(WAIT)).isEqualTo("+QIURC: \"pdpdeact\",1");
        exchange("AT+QIACT?", "OK");
        emulator.sendRaw("\r\n#garbage#\r\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(host.next(WAIT)).isEqualTo("#garbage#");
        emulator.silence(true);
        host.sendCommand("AT");
        assertThat(host.next(Duration.ofMillis(300))).isNull();
        emulator.silence(false);
        emulator.reboot();
        assertThat(host.next(WAIT)).isEqualTo("RDY");
        exchange("AT", "AT", "OK"); // echo is back after a reboot
    }

    @Test
    void brokerDropIsReportedAsQmtstat() throws Exception {
        start();
        connect();
        broker.dropAll();
        assertThat(host.next(WAIT)).isEqualTo("+QMTSTAT: 0,1");
    }

    @Test
    void urcsFollowTheirOkAfterTheConfiguredDelay() throws Exception {
        start(Ec600sEmulator.builder(broker).urcDelay(Duration.ofMillis(200)));
        exchange("ATE0", "ATE0", "OK");
        exchange("AT+QIACT=1", "OK");
        host.sendCommand("AT+QMTOPEN=0,\"h\",1883");
        assertThat(host.next(WAIT)).isEqualTo("OK");
        exchange("AT", "OK"); // answered while the open result is still pending
        assertThat(host.next(WAIT)).isEqualTo("+QMTOPEN: 0,0");
    }
}
