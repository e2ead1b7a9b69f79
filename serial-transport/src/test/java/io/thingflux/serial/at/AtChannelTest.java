package io.thingflux.serial.at;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.test.scheduler.VirtualTimeScheduler;

/**
 * The AT engine against scripted byte streams: every pitfall of the reference notes (§6) has a case
 * here.
 */
class AtChannelTest {

    private VirtualTimeScheduler time;
    private ScriptedModule module;
    private AtChannel channel;
    private final List<AtUrc> urcs = new CopyOnWriteArrayList<>();
    private Disposable urcSubscription;

    @BeforeEach
    void setUp() {
        time = VirtualTimeScheduler.create();
        InMemoryByteTransport[] pair = InMemoryByteTransport.pair();
        module = new ScriptedModule(pair[1]);
        channel = AtChannel.builder(pair[0]).scheduler(time).maxQueued(4).open();
        urcSubscription = channel.urcs().subscribe(urcs::add);
    }

    @AfterEach
    void tearDown() {
        urcSubscription.dispose();
        channel.close();
        time.dispose();
    }

    private <T> Result<T> run(reactor.core.publisher.Mono<T> mono) {
        Result<T> r = new Result<>();
        mono.subscribe(v -> r.value.set(v), r.error::set);
        return r;
    }

    static final class Result<T> {
        final AtomicReference<T> value = new AtomicReference<>();
        final AtomicReference<Throwable> error = new AtomicReference<>();
    }

    @Test
    void queryCompletesWithItsInformationLinesAtOk() {
        Result<AtResponse> r = run(channel.execute(AtCommand.of("AT+CPIN?")));
        assertThat(module.written()).isEqualTo("AT+CPIN?\r");
        module.send("\r\n+CPIN: READY\r\n\r\nOK\r\n");
        assertThat(r.value.get().lines()).containsExactly("+CPIN: READY");
        assertThat(urcs).isEmpty();
    }

    @Test
    void countedPayloadCutShortIsDroppedAfterTheGapSoTheLinesAfterItAreRead() {
        module.send("\r\n+QMTRECV: 0,0,\"a/b\",100,\"cut short\"\r\n");
        time.advanceTimeBy(AtChannel.DEFAULT_PAYLOAD_GAP.minusMillis(100));
        assertThat(channel.truncatedPayloads()).isZero();
        time.advanceTimeBy(Duration.ofMillis(200));
        assertThat(channel.truncatedPayloads()).isEqualTo(1);
        module.send("\r\n+QMTSTAT: 0,1\r\n");
        assertThat(urcs).extracting(AtUrc::line).containsExactly("+QMTSTAT: 0,1");
        Result<AtResponse> r = run(channel.execute(AtCommand.of("AT")));
        module.send("\r\nOK\r\n");
        assertThat(r.value.get()).isNotNull();
    }

    @Test
    void countedPayloadArrivingWithPausesShorterThanTheGapIsKept() {
        module.send("\r\n+QMTRECV: 0,0,\"a/b\",6,\"ab");
        time.advanceTimeBy(AtChannel.DEFAULT_PAYLOAD_GAP.minusMillis(100));
        module.send("cd");
        time.advanceTimeBy(AtChannel.DEFAULT_PAYLOAD_GAP.minusMillis(100));
        module.send("ef\"\r\n");
        time.advanceTimeBy(AtChannel.DEFAULT_PAYLOAD_GAP.multipliedBy(2));
        assertThat(channel.truncatedPayloads()).isZero();
        assertThat(urcs)
                .singleElement()
                .satisfies(
                        u ->
                                assertThat(new String(u.payload(), StandardCharsets.US_ASCII))
                                        .isEqualTo("abcdef"));
    }

    @Test
    void urcBetweenCommandAndOkGoesToTheUrcFluxNotTheResponse() {
        Result<AtResponse> r = run(channel.execute(AtCommand.of("AT+CREG?")));
        module.send("\r\n+CREG: 0,1\r\n\r\n+QMTSTAT: 0,1\r\n\r\nOK\r\n");
        assertThat(r.value.get().lines()).containsExactly("+CREG: 0,1");
        assertThat(urcs).extracting(AtUrc::line).containsExactly("+QMTSTAT: 0,1");
    }

    @Test
    void sharedPrefixQueryAnswerIsTheResponseAndResultShapeIsAUrc() {
        AtCommand query =
                AtCommand.builder("AT+QMTOPEN?")
                        .responseLines(l -> l.matches("\\+QMTOPEN: \\d+,\".*"))
                        .build();
        Result<AtResponse> r = run(channel.execute(query));
        module.send("\r\n+QMTOPEN: 0,0\r\n\r\n+QMTOPEN: 0,\"iot.example\",1883\r\n\r\nOK\r\n");
        assertThat(r.value.get().lines()).containsExactly("+QMTOPEN: 0,\"iot.example\",1883");
        assertThat(urcs).extracting(AtUrc::line).containsExactly("+QMTOPEN: 0,0");
    }

    @Test
    void resultUrcArrivingInTheSameChunkAsOkIsNotLost() {
        AtCommand open =
                AtCommand.builder("AT+QMTOPEN=0,\"h\",1883")
                        .resultUrc(u -> u.is("+QMTOPEN: 0,"), Duration.ofSeconds(120))
                        .build();
        Result<AtResponse> r = run(channel.execute(open));
        module.send("\r\nOK\r\n\r\n+QMTOPEN: 0,0\r\n");
        assertThat(r.value.get().urc()).map(AtUrc::line).contains("+QMTOPEN: 0,0");
        assertThat(r.value.get().lines()).isEmpty();
    }

    @Test
    void resultUrcBeforeOkCompletesTheCommandAtOk() {
        AtCommand conn =
                AtCommand.builder("AT+QMTCONN=0,\"c\"")
                        .resultUrc(u -> u.is("+QMTCONN: 0,"), Duration.ofSeconds(5))
                        .build();
        Result<AtResponse> r = run(channel.execute(conn));
        module.send("\r\n+QMTCONN: 0,0,0\r\n");
        assertThat(r.value.get()).isNull();
        module.send("\r\nOK\r\n");
        assertThat(r.value.get().urc()).map(AtUrc::line).contains("+QMTCONN: 0,0,0");
    }

    @Test
    void nextCommandGoesAfterOkWhileThePreviousWaitsForItsUrc() {
        AtCommand sub =
                AtCommand.builder("AT+QMTSUB=0,1,\"a\",0")
                        .resultUrc(u -> u.is("+QMTSUB: 0,1,"), Duration.ofSeconds(15))
                        .build();
        Result<AtResponse> r1 = run(channel.execute(sub));
        Result<AtResponse> r2 = run(channel.execute(AtCommand.of("AT+CSQ")));
        assertThat(module.written()).isEqualTo("AT+QMTSUB=0,1,\"a\",0\r");
        module.send("\r\nOK\r\n");
        assertThat(module.written()).endsWith("AT+CSQ\r");
        module.send("\r\n+CSQ: 20,99\r\n\r\nOK\r\n\r\n+QMTSUB: 0,1,0,0\r\n");
        assertThat(r2.value.get().lines()).containsExactly("+CSQ: 20,99");
        assertThat(r1.value.get().urc()).map(AtUrc::line).contains("+QMTSUB: 0,1,0,0");
    }

    @Test
    void resultUrcThatNeverComesTimesOutAfterItsOwnTimeout() {
        AtCommand open =
                AtCommand.builder("AT+QMTOPEN=0,\"h\",1883")
                        .resultUrc(u -> u.is("+QMTOPEN: 0,"), Duration.ofSeconds(120))
                        .build();
        Result<AtResponse> r = run(channel.execute(open));
        module.send("\r\nOK\r\n");
        time.advanceTimeBy(Duration.ofSeconds(119));
        assertThat(r.error.get()).isNull();
        time.advanceTimeBy(Duration.ofSeconds(2));
        assertThat(r.error.get())
                .isInstanceOfSatisfying(
                        AtTimeoutException.class,
                        e -> assertThat(e.phase()).isEqualTo(AtTimeoutException.Phase.RESULT_URC));
    }

    @Test
    void onlyOneCommandIsInFlightAndTheQueueIsBounded() {
        Result<AtResponse> first = run(channel.execute(AtCommand.of("AT")));
        for (int i = 0; i < 4; i++) {
            run(channel.execute(AtCommand.of("AT+CSQ")));
        }
        Result<AtResponse> overflow = run(channel.execute(AtCommand.of("AT+CSQ")));
        assertThat(module.written()).isEqualTo("AT\r");
        assertThat(overflow.error.get()).isInstanceOf(AtQueueFullException.class);
        module.send("\r\nOK\r\n");
        assertThat(first.value.get()).isNotNull();
        assertThat(module.written()).isEqualTo("AT\rAT+CSQ\r");
    }

    @Test
    void echoedCommandLinesAreDropped() {
        Result<AtResponse> r = run(channel.execute(AtCommand.of("AT+CGREG?")));
        module.send("AT+CGREG?\r\r\n+CGREG: 0,1\r\n\r\nOK\r\n");
        assertThat(r.value.get().lines()).containsExactly("+CGREG: 0,1");
        assertThat(urcs).isEmpty();
    }

    @Test
    void echoOfABareCommandWithCompactOkIsStillSplit() {
        Result<AtResponse> r = run(channel.execute(AtCommand.of("ATI")));
        module.send("ATI\rQuectel\r\nEC600S\r\nOK\r\n");
        assertThat(r.value.get().lines()).containsExactly("Quectel", "EC600S");
    }

    @Test
    void promptWithoutLineEndSplitAcrossChunksGetsExactlyTheCountedData() {
        byte[] payload = "{\"a\":\"x,y\"}\r\n\"".getBytes(StandardCharsets.UTF_8);
        AtCommand pub =
                AtCommand.builder("AT+QMTPUBEX=0,0,0,0,\"t\"," + payload.length)
                        .data(payload, AtCommand.DataEnd.COUNTED)
                        .timeout(Duration.ofSeconds(5))
                        .resultUrc(u -> u.is("+QMTPUBEX: 0,0,"), Duration.ofSeconds(16))
                        .build();
        Result<AtResponse> r = run(channel.execute(pub));
        module.send("\r");
        module.send("\n>");
        String header = "AT+QMTPUBEX=0,0,0,0,\"t\"," + payload.length + "\r";
        assertThat(module.written()).isEqualTo(header);
        module.send(" ");
        assertThat(module.written())
                .isEqualTo(header + new String(payload, StandardCharsets.ISO_8859_1));
        module.send("\r\nOK\r\n\r\n+QMTPUBEX: 0,0,0\r\n");
        assertThat(r.value.get().urc()).map(AtUrc::line).contains("+QMTPUBEX: 0,0,0");
    }

    @Test
    void dataCommandWithoutPromptIsCancelledWithEscBeforeTheResync() {
        AtCommand pub =
                AtCommand.builder("AT+QMTPUB=0,0,0,0,\"t\"")
                        .data("hi".getBytes(StandardCharsets.US_ASCII), AtCommand.DataEnd.CTRL_Z)
                        .build();
        Result<AtResponse> r = run(channel.execute(pub));
        time.advanceTimeBy(AtCommand.DEFAULT_TIMEOUT);
        assertThat(r.error.get()).isInstanceOf(AtTimeoutException.class);
        assertThat(module.written()).isEqualTo("AT+QMTPUB=0,0,0,0,\"t\"\r\u001bAT\r");
        module.send("\r\n> ");
        assertThat(module.written()).doesNotContain("hi");
    }

    @Test
    void ctrlZDataEndsWithCtrlZ() {
        AtCommand pub =
                AtCommand.builder("AT+QMTPUB=0,0,0,0,\"t\"")
                        .data("hi".getBytes(StandardCharsets.US_ASCII), AtCommand.DataEnd.CTRL_Z)
                        .build();
        run(channel.execute(pub));
        module.send("\r\n> ");
        assertThat(module.written()).endsWith("\rhi\u001a");
    }

    @Test
    void receivedPayloadWithQuotesCommasAndCrLfArrivesIntact() {
        String payload = "{\"k\":\"a\",\"b\"\r\n\",\"\r\nOK\r\n";
        byte[] bytes = payload.getBytes(StandardCharsets.UTF_8);
        module.send("\r\n+QMTRECV: 0,0,\"/a/b\"," + bytes.length + ",\"");
        module.send(bytes);
        module.send("\"\r\n");
        assertThat(urcs).hasSize(1);
        assertThat(urcs.get(0).line()).isEqualTo("+QMTRECV: 0,0,\"/a/b\"," + bytes.length + ",");
        assertThat(urcs.get(0).payload()).isEqualTo(bytes);
    }

    @Test
    void cmeErrorFailsTheCommandWithItsCode() {
        Result<AtResponse> r = run(channel.execute(AtCommand.of("AT+CPIN?")));
        module.send("\r\n+CME ERROR: 10\r\n");
        assertThat(r.error.get())
                .isInstanceOfSatisfying(
                        AtCommandException.class,
                        e -> {
                            assertThat(e.kind()).isEqualTo(AtCommandException.Kind.CME_ERROR);
                            assertThat(e.code()).hasValue(10);
                        });
    }

    @Test
    void verboseCmeErrorKeepsItsTextWithoutACode() {
        Result<AtResponse> r = run(channel.execute(AtCommand.of("AT+CPIN?")));
        module.send("\r\n+CME ERROR: SIM not inserted\r\n");
        assertThat(r.error.get())
                .isInstanceOfSatisfying(
                        AtCommandException.class,
                        e -> {
                            assertThat(e.detail()).isEqualTo("SIM not inserted");
                            assertThat(e.code()).isEmpty();
                        });
    }

    @Test
    void lineMerelyContainingErrorIsNotAFinalResult() {
        Result<AtResponse> r = run(channel.execute(AtCommand.of("ATI")));
        module.send("\r\nLAST ERROR LOG: none\r\n\r\n+QIURC: \"ERROR\"\r\n\r\nOK\r\n");
        assertThat(r.value.get().lines()).containsExactly("LAST ERROR LOG: none");
        assertThat(urcs).extracting(AtUrc::line).containsExactly("+QIURC: \"ERROR\"");
    }

    @Test
    void plainErrorFailsTheCommandAndTheNextOneRuns() {
        Result<AtResponse> r = run(channel.execute(AtCommand.of("AT+BOGUS")));
        Result<AtResponse> next = run(channel.execute(AtCommand.of("AT")));
        module.send("\r\nERROR\r\n\r\nOK\r\n");
        assertThat(r.error.get())
                .isInstanceOfSatisfying(
                        AtCommandException.class,
                        e -> assertThat(e.kind()).isEqualTo(AtCommandException.Kind.ERROR));
        assertThat(next.value.get()).isNotNull();
    }

    @Test
    void timeoutFailsTheCommandThenResynchronisesDiscardingTheLateAnswer() {
        Result<AtResponse> r = run(channel.execute(AtCommand.of("AT+CSQ")));
        Result<AtResponse> next = run(channel.execute(AtCommand.of("AT+CPIN?")));
        time.advanceTimeBy(Duration.ofMillis(299));
        assertThat(r.error.get()).isNull();
        time.advanceTimeBy(Duration.ofMillis(1));
        assertThat(r.error.get())
                .isInstanceOfSatisfying(
                        AtTimeoutException.class,
                        e -> assertThat(e.phase()).isEqualTo(AtTimeoutException.Phase.RESPONSE));
        assertThat(module.written()).isEqualTo("AT+CSQ\rAT\r");
        // the late answer of AT+CSQ, a URC, then the OK of the resync AT
        module.send("\r\n+CSQ: 20,99\r\n\r\n+QMTSTAT: 0,1\r\n\r\nOK\r\n");
        assertThat(module.written()).isEqualTo("AT+CSQ\rAT\rAT+CPIN?\r");
        module.send("\r\n+CPIN: READY\r\n\r\nOK\r\n");
        assertThat(next.value.get().lines()).containsExactly("+CPIN: READY");
        assertThat(urcs).extracting(AtUrc::line).containsExactly("+QMTSTAT: 0,1");
    }

    @Test
    void silentModuleIsPolledUntilItAnswersAndQueuedCommandsFailAfterAWhile() {
        run(channel.execute(AtCommand.of("AT+CSQ")));
        Result<AtResponse> queued = run(channel.execute(AtCommand.of("AT+CPIN?")));
        time.advanceTimeBy(Duration.ofMillis(300));
        time.advanceTimeBy(AtChannel.DEFAULT_RESYNC_INTERVAL.multipliedBy(3));
        assertThat(module.written()).isEqualTo("AT+CSQ\rAT\rAT\rAT\rAT\r");
        time.advanceTimeBy(
                AtChannel.DEFAULT_RESYNC_INTERVAL.multipliedBy(
                        AtChannel.RESYNC_ATTEMPTS_BEFORE_FAILING_QUEUE));
        assertThat(queued.error.get())
                .isInstanceOfSatisfying(
                        AtTimeoutException.class,
                        e -> assertThat(e.phase()).isEqualTo(AtTimeoutException.Phase.QUEUED));
        module.send("\r\nOK\r\n");
        Result<AtResponse> after = run(channel.execute(AtCommand.of("AT")));
        module.send("\r\nOK\r\n");
        assertThat(after.value.get()).isNotNull();
    }

    @Test
    void rdyMidCommandFailsItAsRebootedAndReachesTheUrcFlux() {
        AtCommand conn =
                AtCommand.builder("AT+QMTCONN=0,\"c\"")
                        .resultUrc(u -> u.is("+QMTCONN: 0,"), Duration.ofSeconds(5))
                        .build();
        Result<AtResponse> waiting = run(channel.execute(conn));
        module.send("\r\nOK\r\n");
        Result<AtResponse> r = run(channel.execute(AtCommand.of("AT+CSQ")));
        module.send("\r\nRDY\r\n");
        assertThat(r.error.get()).isInstanceOf(ModuleRebootedException.class);
        assertThat(waiting.error.get()).isInstanceOf(ModuleRebootedException.class);
        assertThat(urcs).extracting(AtUrc::line).containsExactly("RDY");
        Result<AtResponse> after = run(channel.execute(AtCommand.of("ATE0")));
        module.send("ATE0\r\r\nOK\r\n");
        assertThat(after.value.get()).isNotNull();
    }

    @Test
    void urcFluxSurvivesSubscribersComingAndGoing() {
        urcSubscription.dispose();
        List<AtUrc> second = new CopyOnWriteArrayList<>();
        Disposable d = channel.urcs().subscribe(second::add);
        d.dispose();
        List<AtUrc> third = new CopyOnWriteArrayList<>();
        channel.urcs().subscribe(third::add);
        module.send("\r\n+QIURC: \"pdpdeact\",1\r\n");
        assertThat(second).isEmpty();
        assertThat(third).extracting(AtUrc::line).containsExactly("+QIURC: \"pdpdeact\",1");
    }

    @Test
    void garbageBytesBecomeAnUnknownLineAndTheSessionCarriesOn() {
        module.send(new byte[] {(byte) 0xff, 0x00, (byte) 0xfe, '\r', '\n'});
        Result<AtResponse> r = run(channel.execute(AtCommand.of("AT+CSQ")));
        module.send("\r\n+CSQ: 31,99\r\n\r\nOK\r\n");
        assertThat(urcs).hasSize(1);
        assertThat(r.value.get().lines()).containsExactly("+CSQ: 31,99");
    }

    @Test
    void cancelledQueuedCommandIsNeverWritten() {
        run(channel.execute(AtCommand.of("AT")));
        Disposable d = channel.execute(AtCommand.of("AT+CSQ")).subscribe();
        d.dispose();
        module.send("\r\nOK\r\n");
        assertThat(module.written()).isEqualTo("AT\r");
    }

    @Test
    void sensitiveCommandsKeepTheirParametersOutOfErrors() {
        AtCommand auth =
                AtCommand.builder("AT+QMTCFG=\"aliauth\",0,\"pk\",\"dn\",\"s3cr3t\"")
                        .sensitive()
                        .build();
        Result<AtResponse> r = run(channel.execute(auth));
        module.send("\r\nERROR\r\n");
        assertThat(r.error.get().getMessage()).doesNotContain("s3cr3t").contains("AT+QMTCFG=");
    }

    @Test
    void closingFailsPendingCommands() {
        Result<AtResponse> r = run(channel.execute(AtCommand.of("AT")));
        channel.close();
        assertThat(r.error.get()).isInstanceOf(AtChannelClosedException.class);
        Result<AtResponse> after = run(channel.execute(AtCommand.of("AT")));
        assertThat(after.error.get()).isInstanceOf(AtChannelClosedException.class);
    }
}
