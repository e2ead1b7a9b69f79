package io.thingflux.serial.at;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The AT engine: writes commands to a {@link ByteTransport} with exactly one in flight, matches the
 * module's lines to it, and routes every other line to {@link #urcs()}.
 *
 * <p>Rules, all applied on one worker of one scheduler (no locks):
 *
 * <ul>
 *   <li>A response ends at {@code OK}, {@code ERROR}, {@code +CME ERROR} or {@code +CMS ERROR}, or
 *       at the command's timeout. Commands wait in a bounded FIFO ({@link Builder#maxQueued}); when
 *       it is full, {@link #execute} fails at once with {@link AtQueueFullException}.
 *   <li>While a command is in flight, a line is its response when {@link AtCommand} says so; any
 *       other line is a URC, including one that arrives between the command and its {@code OK}.
 *       Echoed commands (lines starting with {@code AT}) are dropped: echo is on after every boot.
 *   <li>A command expecting a result URC arms its match when written; after {@code OK} the next
 *       command may go while it waits. Matched URCs also go to {@link #urcs()}.
 *   <li>After a timeout the engine resynchronises: it writes {@code AT} (after an ESC when a data
 *       command never got its prompt) and discards lines until its {@code OK} (lines of
 *       asynchronous URCs such as {@code +QMTRECV} still go to {@link #urcs()}), retrying every
 *       {@link Builder#resyncInterval}.
 *   <li>{@code RDY} means the module rebooted: the command in flight and those waiting for a result
 *       URC fail with {@link ModuleRebootedException}; the line goes to {@link #urcs()} for the
 *       driver.
 *   <li>A counted payload whose bytes stop coming for {@link Builder#payloadGap} (a URC cut short:
 *       its length field promised more than was sent) is dropped and counted in {@link
 *       #truncatedPayloads()}, so it does not swallow the lines that follow. A timeout's
 *       resynchronisation drops it too.
 * </ul>
 *
 * <p>{@link #urcs()} is hot and survives subscribers coming and going. It buffers up to {@link
 * Builder#urcBuffer} URCs for slow or absent subscribers; beyond that, new URCs are dropped and
 * counted in {@link #droppedUrcs()}.
 */
public final class AtChannel implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AtChannel.class);

    /** Default number of commands that may wait behind the one in flight. */
    public static final int DEFAULT_MAX_QUEUED = 32;

    /** Default URC buffer. */
    public static final int DEFAULT_URC_BUFFER = 1024;

    /** Default wait for the {@code OK} of a resynchronisation {@code AT}. */
    public static final Duration DEFAULT_RESYNC_INTERVAL = Duration.ofMillis(500);

    /**
     * Default silence in the middle of a counted payload after which it is taken as cut short (at
     * 115200 baud a module sends a 64 KB payload in under 6 s, without pauses).
     */
    public static final Duration DEFAULT_PAYLOAD_GAP = Duration.ofSeconds(2);

    /** Failed resynchronisation attempts after which queued commands are failed. */
    public static final int RESYNC_ATTEMPTS_BEFORE_FAILING_QUEUE = 10;

    private static final Set<String> BARE_URCS = Set.of("RDY", "POWERED DOWN", "NORMAL POWER DOWN");

    /** Prefixes that are never a late answer to a query, so they survive a resynchronisation. */
    private static final List<String> ASYNC_URC_PREFIXES =
            List.of(
                    "+QMTRECV:",
                    "+QMTSTAT:",
                    "+QIURC:",
                    "+QMTOPEN: ",
                    "+QMTCONN: ",
                    "+QMTSUB:",
                    "+QMTUNS:",
                    "+QMTPUB:",
                    "+QMTPUBEX:",
                    "+QMTDISC:",
                    "+QMTCLOSE:",
                    "+QMTPING:",
                    "+QIND:",
                    "+QUSIM:",
                    "+CFUN:");

    private final ByteTransport transport;
    private final Scheduler scheduler;
    private final Scheduler.Worker worker;
    private final Scheduler ownedScheduler;
    private final int maxQueued;
    private final Duration resyncInterval;
    private final AtFramer framer;
    private final Sinks.Many<AtUrc> urcSink;
    private final Sinks.One<Throwable> closedSink = Sinks.one();
    private final AtomicLong droppedUrcs = new AtomicLong();
    private final AtomicLong truncatedPayloads = new AtomicLong();
    private final Duration payloadGap;

    // engine state: touched only on the worker
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private final List<Pending> awaitingUrc = new ArrayList<>();
    private Pending inFlight;
    private boolean resyncing;
    private int resyncAttempts;
    private Disposable resyncTimer;
    private Disposable payloadGapTimer;
    private long chunksFed;
    private boolean closed;
    private Throwable closeCause;

    private AtChannel(Builder b) {
        this.transport = b.transport;
        this.maxQueued = b.maxQueued;
        this.resyncInterval = b.resyncInterval;
        this.payloadGap = b.payloadGap;
        if (b.scheduler != null) {
            this.ownedScheduler = null;
            this.scheduler = b.scheduler;
        } else {
            this.ownedScheduler = Schedulers.newSingle("at-" + transport.describe());
            this.scheduler = ownedScheduler;
        }
        this.worker = scheduler.createWorker();
        this.urcSink = Sinks.many().multicast().onBackpressureBuffer(b.urcBuffer, false);
        this.framer =
                new AtFramer(
                        b.payloadRule,
                        AtFramer.DEFAULT_MAX_LINE_BYTES,
                        b.maxPayloadBytes,
                        this::onFrame);
    }

    /** A channel over {@code transport} with the defaults, started. */
    public static AtChannel open(ByteTransport transport) {
        return builder(transport).open();
    }

    public static Builder builder(ByteTransport transport) {
        return new Builder(transport);
    }

    private AtChannel start() {
        transport.start(
                new ByteTransport.Listener() {
                    @Override
                    public void onBytes(byte[] chunk) {
                        worker.schedule(() -> onChunk(chunk));
                    }

                    @Override
                    public void onClosed(Throwable cause) {
                        worker.schedule(() -> shutDown(cause));
                    }
                });
        return this;
    }

    private void onChunk(byte[] chunk) {
        framer.feed(chunk);
        long fed = ++chunksFed;
        if (payloadGapTimer != null) {
            payloadGapTimer.dispose();
            payloadGapTimer = null;
        }
        if (framer.readingPayload() && !closed) {
            payloadGapTimer =
                    worker.schedule(
                            () -> {
                                if (chunksFed == fed && framer.readingPayload()) {
                                    framer.reset();
                                    long n = truncatedPayloads.incrementAndGet();
                                    log.warn(
                                            "counted payload cut short: no byte for {}, dropped (cut short so far: {})",
                                            payloadGap,
                                            n);
                                }
                            },
                            payloadGap.toNanos(),
                            java.util.concurrent.TimeUnit.NANOSECONDS);
        }
    }

    /**
     * Executes {@code command} when subscribed: queues it, writes it when its turn comes, and
     * completes with its response (and result URC) or fails with an {@link AtException}. Cancelling
     * removes a queued command; a command already written runs to its end but its result is
     * dropped.
     */
    public Mono<AtResponse> execute(AtCommand command) {
        Objects.requireNonNull(command, "command");
        return Mono.create(
                sink -> {
                    Pending p = new Pending(command, sink);
                    sink.onCancel(() -> worker.schedule(() -> cancel(p)));
                    worker.schedule(() -> enqueue(p));
                });
    }

    /**
     * Every line no command claimed, and the result URCs commands waited for. Hot; never completes
     * before close.
     */
    public Flux<AtUrc> urcs() {
        return urcSink.asFlux();
    }

    /**
     * The single-threaded scheduler the engine runs on: command results, URCs and {@link #closed()}
     * are all signalled on its thread, so a driver that keeps its own state there (and runs its
     * timers there) needs no locks. Disposed by {@link #close()} when the channel made it.
     */
    public Scheduler scheduler() {
        return scheduler;
    }

    /**
     * Counted payloads dropped because their bytes stopped coming for {@link Builder#payloadGap}
     * (URCs cut short).
     */
    public long truncatedPayloads() {
        return truncatedPayloads.get();
    }

    /** URCs dropped because the buffer was full. */
    public long droppedUrcs() {
        return droppedUrcs.get();
    }

    /**
     * Completes (with the cause, if any, as value) when the transport closed or {@link #close()}
     * was called.
     */
    public Mono<Optional<Throwable>> closed() {
        return closedSink
                .asMono()
                .map(Optional::of)
                .switchIfEmpty(Mono.fromSupplier(Optional::empty));
    }

    /** Closes the transport; pending commands fail with {@link AtChannelClosedException}. */
    @Override
    public void close() {
        worker.schedule(() -> shutDown(null));
    }

    // ---------------------------------------------------------------- engine (worker only)

    private void enqueue(Pending p) {
        if (p.cancelled) {
            return;
        }
        if (closed) {
            p.sink.error(new AtChannelClosedException(p.command.describe(), closeCause));
            return;
        }
        if (queue.size() >= maxQueued) {
            p.sink.error(new AtQueueFullException(p.command.describe(), maxQueued));
            return;
        }
        queue.add(p);
        pump();
    }

    private void pump() {
        while (inFlight == null && !resyncing && !closed && !queue.isEmpty()) {
            Pending p = queue.poll();
            if (p.cancelled) {
                continue;
            }
            inFlight = p;
            if (p.command.resultUrc() != null) {
                awaitingUrc.add(p);
            }
            log.debug("> {}", p.command.describe());
            if (!write(p.command.lineBytes(), p)) {
                continue;
            }
            p.timer =
                    worker.schedule(
                            () -> onTimeout(p),
                            p.command.timeout().toNanos(),
                            java.util.concurrent.TimeUnit.NANOSECONDS);
        }
    }

    private boolean write(byte[] bytes, Pending p) {
        try {
            transport.write(bytes);
            return true;
        } catch (IOException | RuntimeException e) {
            log.debug("write failed", e);
            if (p != null) {
                finish(p);
                p.sink.error(new AtChannelClosedException(p.command.describe(), e));
            }
            return false;
        }
    }

    private void onFrame(AtFrame frame) {
        if (closed) {
            return;
        }
        if (frame instanceof AtFrame.Line l) {
            onLine(l.text());
        } else if (frame instanceof AtFrame.PayloadLine pl) {
            emitUrc(new AtUrc(pl.header(), pl.payload()));
        } else {
            onPrompt();
        }
    }

    private void onPrompt() {
        Pending p = inFlight;
        if (p == null || !p.command.hasData() || p.dataSent) {
            log.debug("unexpected prompt ignored");
            return;
        }
        p.dataSent = true;
        write(p.command.dataBytes(), p);
    }

    private void onLine(String line) {
        if (line.regionMatches(true, 0, "AT", 0, 2)) {
            return; // echo; not logged, it may hold a secret parameter
        }
        log.debug("< {}", line);
        if (line.equals("CONNECT") && inFlight != null && inFlight.command.hasData()) {
            onPrompt(); // AT+QFUPL's prompt is a CONNECT line
            return;
        }
        if (BARE_URCS.contains(line)) {
            if (line.equals("RDY")) {
                onReboot();
            }
            emitUrc(AtUrc.of(line));
            return;
        }
        boolean finalResult = isFinal(line);
        if (resyncing) {
            if (line.equals("OK")) {
                endResync();
            } else if (ASYNC_URC_PREFIXES.stream().anyMatch(line::startsWith)) {
                emitUrc(AtUrc.of(line));
            } else {
                log.debug("discarded while resynchronising: {}", line);
            }
            return;
        }
        Pending p = inFlight;
        if (p == null) {
            if (finalResult) {
                log.debug("final result with no command in flight dropped: {}", line);
            } else {
                emitUrc(AtUrc.of(line));
            }
            return;
        }
        if (finalResult) {
            complete(p, line);
        } else if (p.command.isResponseLine(line)) {
            p.lines.add(line);
        } else {
            emitUrc(AtUrc.of(line));
        }
    }

    private static boolean isFinal(String line) {
        return line.equals("OK")
                || line.equals("ERROR")
                || line.startsWith("+CME ERROR:")
                || line.startsWith("+CMS ERROR:");
    }

    private void complete(Pending p, String finalLine) {
        cancelTimer(p);
        inFlight = null;
        if (finalLine.equals("OK")) {
            if (p.command.resultUrc() == null) {
                finish(p);
                p.sink.success(new AtResponse(p.lines, Optional.empty()));
            } else if (p.urc != null) {
                finish(p);
                p.sink.success(new AtResponse(p.lines, Optional.of(p.urc)));
            } else {
                p.okReceived = true;
                Duration t = p.command.resultTimeout();
                p.timer =
                        worker.schedule(
                                () -> onUrcTimeout(p),
                                t.toNanos(),
                                java.util.concurrent.TimeUnit.NANOSECONDS);
            }
        } else {
            finish(p);
            p.sink.error(AtCommandException.of(p.command.describe(), finalLine));
        }
        pump();
    }

    private void emitUrc(AtUrc urc) {
        for (Iterator<Pending> it = awaitingUrc.iterator(); it.hasNext(); ) {
            Pending p = it.next();
            if (p.urc == null && p.command.resultUrc().test(urc)) {
                p.urc = urc;
                it.remove();
                if (p.okReceived) {
                    cancelTimer(p);
                    p.sink.success(new AtResponse(p.lines, Optional.of(urc)));
                }
                break;
            }
        }
        Sinks.EmitResult r = urcSink.tryEmitNext(urc);
        if (r.isFailure()) {
            droppedUrcs.incrementAndGet();
            log.warn("URC dropped ({}): {}", r, urc);
        }
    }

    private void onTimeout(Pending p) {
        if (inFlight != p) {
            return;
        }
        inFlight = null;
        finish(p);
        p.sink.error(
                new AtTimeoutException(
                        p.command.describe(),
                        AtTimeoutException.Phase.RESPONSE,
                        p.command.timeout()));
        if (p.command.hasData() && !p.dataSent) {
            // a late prompt would take the resync AT as data: ESC leaves data mode (and does
            // nothing at the command line)
            write(new byte[] {0x1B}, null);
        }
        startResync();
    }

    private void onUrcTimeout(Pending p) {
        if (!awaitingUrc.remove(p)) {
            return;
        }
        p.sink.error(
                new AtTimeoutException(
                        p.command.describe(),
                        AtTimeoutException.Phase.RESULT_URC,
                        p.command.resultTimeout()));
    }

    private void startResync() {
        resyncing = true;
        resyncAttempts = 0;
        framer.reset();
        sendResyncAt();
    }

    private void sendResyncAt() {
        if (!resyncing || closed) {
            return;
        }
        log.debug("> AT (resynchronising, attempt {})", resyncAttempts + 1);
        write("AT\r".getBytes(java.nio.charset.StandardCharsets.US_ASCII), null);
        resyncTimer =
                worker.schedule(
                        this::onResyncTimeout,
                        resyncInterval.toNanos(),
                        java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    private void onResyncTimeout() {
        if (!resyncing) {
            return;
        }
        resyncAttempts++;
        if (resyncAttempts == RESYNC_ATTEMPTS_BEFORE_FAILING_QUEUE) {
            Duration waited = resyncInterval.multipliedBy(resyncAttempts);
            for (Pending q; (q = queue.poll()) != null; ) {
                q.sink.error(
                        new AtTimeoutException(
                                q.command.describe(), AtTimeoutException.Phase.QUEUED, waited));
            }
        }
        sendResyncAt();
    }

    private void endResync() {
        resyncing = false;
        if (resyncTimer != null) {
            resyncTimer.dispose();
        }
        pump();
    }

    private void onReboot() {
        log.info("module rebooted (RDY)");
        Pending p = inFlight;
        if (p != null) {
            inFlight = null;
            finish(p);
            p.sink.error(new ModuleRebootedException(p.command.describe()));
        }
        for (Pending w : List.copyOf(awaitingUrc)) {
            finish(w);
            w.sink.error(new ModuleRebootedException(w.command.describe()));
        }
        if (resyncing) {
            endResync();
        } else {
            pump();
        }
    }

    private void cancel(Pending p) {
        p.cancelled = true;
        queue.remove(p);
        awaitingUrc.remove(p);
        // a command in flight keeps its slot until its final result (or timeout): the module is
        // still on it
    }

    private void finish(Pending p) {
        cancelTimer(p);
        awaitingUrc.remove(p);
    }

    private static void cancelTimer(Pending p) {
        if (p.timer != null) {
            p.timer.dispose();
            p.timer = null;
        }
    }

    private void shutDown(Throwable cause) {
        if (closed) {
            return;
        }
        closed = true;
        closeCause = cause;
        List<Pending> all = new ArrayList<>(queue);
        queue.clear();
        if (inFlight != null) {
            all.add(inFlight);
            inFlight = null;
        }
        for (Pending p : awaitingUrc) {
            if (!all.contains(p)) {
                all.add(p);
            }
        }
        awaitingUrc.clear();
        for (Pending p : all) {
            cancelTimer(p);
            p.sink.error(new AtChannelClosedException(p.command.describe(), cause));
        }
        if (resyncTimer != null) {
            resyncTimer.dispose();
        }
        if (payloadGapTimer != null) {
            payloadGapTimer.dispose();
        }
        transport.close();
        urcSink.tryEmitComplete();
        if (cause != null) {
            closedSink.tryEmitValue(cause);
        } else {
            closedSink.tryEmitEmpty();
        }
        if (ownedScheduler != null) {
            worker.schedule(ownedScheduler::dispose);
        }
    }

    private static final class Pending {
        final AtCommand command;
        final MonoSink<AtResponse> sink;
        final List<String> lines = new ArrayList<>(2);
        Disposable timer;
        boolean dataSent;
        boolean okReceived;
        boolean cancelled;
        AtUrc urc;

        Pending(AtCommand command, MonoSink<AtResponse> sink) {
            this.command = command;
            this.sink = sink;
        }
    }

    /** Builds an {@link AtChannel}. */
    public static final class Builder {
        private final ByteTransport transport;
        private Scheduler scheduler;
        private int maxQueued = DEFAULT_MAX_QUEUED;
        private int urcBuffer = DEFAULT_URC_BUFFER;
        private Duration resyncInterval = DEFAULT_RESYNC_INTERVAL;
        private AtFramer.PayloadRule payloadRule = AtFramer.QMTRECV_WITH_LENGTH;
        private int maxPayloadBytes = AtFramer.DEFAULT_MAX_PAYLOAD_BYTES;
        private Duration payloadGap = DEFAULT_PAYLOAD_GAP;

        private Builder(ByteTransport transport) {
            this.transport = Objects.requireNonNull(transport, "transport");
        }

        /**
         * The single-threaded scheduler that runs the engine: all its tasks on one thread, one at a
         * time, such as {@link Schedulers#newSingle} or a test's virtual-time scheduler (a driver
         * on top keeps its state there too). Default: a new single-thread scheduler named after the
         * transport, disposed on close.
         */
        public Builder scheduler(Scheduler scheduler) {
            this.scheduler = scheduler;
            return this;
        }

        /**
         * Commands that may wait behind the one in flight (default {@value #DEFAULT_MAX_QUEUED}).
         */
        public Builder maxQueued(int maxQueued) {
            if (maxQueued < 1) {
                throw new IllegalArgumentException("maxQueued must be positive");
            }
            this.maxQueued = maxQueued;
            return this;
        }

        /** URCs kept for slow or absent subscribers (default {@value #DEFAULT_URC_BUFFER}). */
        public Builder urcBuffer(int urcBuffer) {
            this.urcBuffer = urcBuffer;
            return this;
        }

        /**
         * How long to wait for the {@code OK} of each resynchronisation {@code AT} (default 500
         * ms).
         */
        public Builder resyncInterval(Duration resyncInterval) {
            this.resyncInterval = Objects.requireNonNull(resyncInterval, "resyncInterval");
            return this;
        }

        /**
         * Which lines carry a length-counted payload (default {@link
         * AtFramer#QMTRECV_WITH_LENGTH}).
         */
        public Builder payloadRule(AtFramer.PayloadRule rule, int maxPayloadBytes) {
            this.payloadRule = Objects.requireNonNull(rule, "rule");
            this.maxPayloadBytes = maxPayloadBytes;
            return this;
        }

        /**
         * Silence in the middle of a counted payload after which it is dropped as cut short
         * (default {@link #DEFAULT_PAYLOAD_GAP}).
         */
        public Builder payloadGap(Duration payloadGap) {
            if (payloadGap.isNegative() || payloadGap.isZero()) {
                throw new IllegalArgumentException("payloadGap must be positive");
            }
            this.payloadGap = payloadGap;
            return this;
        }

        /** Builds the channel and starts reading the transport. */
        public AtChannel open() {
            return new AtChannel(this).start();
        }
    }
}
