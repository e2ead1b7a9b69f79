package io.thingflux.serial;

import io.thingflux.aliyun.AliyunSigner;
import io.thingflux.aliyun.MqttCredentials;
import io.thingflux.link.ConnectRefusedException;
import io.thingflux.link.LinkMessage;
import io.thingflux.link.LinkState;
import io.thingflux.link.MqttLink;
import io.thingflux.link.ReconnectPolicy;
import io.thingflux.link.SubscribeAck;
import io.thingflux.link.SubscriptionRefusedException;
import io.thingflux.link.outbox.OutboxException;
import io.thingflux.link.outbox.OutboxFullException;
import io.thingflux.link.outbox.OutboxStore;
import io.thingflux.link.outbox.OverflowPolicy;
import io.thingflux.mqtt.ConnectReturnCode;
import io.thingflux.mqtt.MqttQos;
import io.thingflux.mqtt.MqttTopics;
import io.thingflux.serial.at.AtChannel;
import io.thingflux.serial.at.AtChannelClosedException;
import io.thingflux.serial.at.AtCommand;
import io.thingflux.serial.at.AtCommandException;
import io.thingflux.serial.at.AtResponse;
import io.thingflux.serial.at.AtUrc;
import io.thingflux.serial.at.ByteTransport;
import io.thingflux.serial.at.MalformedUrcException;
import io.thingflux.serial.at.ModuleRebootedException;
import io.thingflux.serial.internal.AtFields;
import io.thingflux.serial.internal.ModuleTlsSetup;
import io.thingflux.serial.internal.QmtRecv;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.util.concurrent.Queues;
import reactor.util.retry.Retry;

/**
 * An {@link MqttLink} over a Quectel EC600S/EC200S module's MQTT AT commands, so the thing-model
 * device API works over a cellular module unchanged.
 *
 * <p>{@link #connect()} runs the boot checks ({@code AT}, {@code ATE0}, {@code AT+CPIN?},
 * registration on CREG/CGREG/CEREG, {@code AT+QICSGP}, {@code AT+QIACT?}/{@code AT+QIACT=1}), sets
 * the MQTT options (version 3.1.1, keepalive, session, timeout, {@code recv/mode} 0,1 so every
 * {@code +QMTRECV} carries its payload length, and {@code aliauth} or explicit credentials), probes
 * the publish dialect unless configured, then {@code AT+QMTOPEN} and {@code AT+QMTCONN}, mapping
 * their result codes to {@link MqttOpenException}, {@link ConnectRefusedException} (the broker's
 * CONNACK code in {@code +QMTCONN: <idx>,0,<ret_code>}) and {@link QmtConnException} (the module
 * could not send or finish the CONNECT). With {@link Ec600sOptions#tls()} the module's TLS is set
 * up before {@code aliauth}: the CA uploaded and checked, the SSL context configured and bound
 * ({@link io.thingflux.serial.internal.ModuleTlsSetup}, failures as {@link ModuleTlsException}).
 *
 * <p>When the connection breaks ({@code +QMTSTAT}, {@code +QIURC: "pdpdeact"}, or {@code RDY} after
 * a reboot) the link goes {@link LinkState#RECONNECTING} and reopens with exponential backoff as
 * Quectel advises, as {@link Ec600sOptions#reconnectPolicy()} says: {@code +QMTSTAT} code 2 and PDP
 * loss reactivate the PDP context first; a reboot redoes the whole setup. A fatal refusal ({@link
 * ConnectRefusedException#isFatal()}), or the policy's attempts used up, closes the link instead.
 * Subscriptions are then made again (their {@code onAck} hears each new acknowledgement), and their
 * {@code Flux}es carry on. A command in flight when the module reboots, a publish included, fails
 * with {@link ModuleRebootedException} and is not retried: the module may or may not have sent it,
 * so the caller decides.
 *
 * <p>Publishes made while the link is {@link LinkState#RECONNECTING} wait in a bounded outbox
 * ({@link Ec600sOptions.Builder#outbox}) and leave one at a time, in order, once the subscriptions
 * are made again; new publishes queue behind them. With a {@linkplain
 * Ec600sOptions.Builder#outboxStorage file outbox} every QoS 1/2 publish is written there until the
 * module reports it sent, and what a previous process left is published first.
 *
 * <p>A QoS 1/2 publish the broker answers by closing the connection (MQTT 3.1.1 has no negative
 * PUBACK; this is how it refuses a publish by ACL): the module does the MQTT, so the link sees no
 * PUBACK-or-close choice, only a {@code +QMTPUBEX}/{@code +QMTPUB} result that does not come and a
 * {@code +QMTSTAT}. The link reconnects at once and the publish fails with {@link
 * io.thingflux.serial.at.AtTimeoutException} (phase {@code RESULT_URC}) after {@link
 * Ec600sOptions#resultTimeout()}, or with {@link MqttCommandException} when the module reports
 * result 2 after its own retransmissions ({@link Ec600sOptions.Builder#packetTimeout}). The link
 * itself never sends a publish twice in one process, so no {@code publishAttempts} cap applies (the
 * Netty client's cap counts its own resends after reconnects, which this link does not make). With
 * a file outbox such a publish stays stored, since the module may have delivered it, and the next
 * process sends it once more on start: once per start, with no cap across starts (a record keeps no
 * attempt count). {@link MqttCommandException} and invalid publishes are removed at once.
 *
 * <p>A list {@link #subscribe(List, MqttQos, Consumer)} sends its filters in as few {@code
 * AT+QMTSUB} commands as fit {@link #MAX_COMMAND_LINE} (one for a device's usual dozen) and reports
 * the granted QoS values of all of them (128 = refused) as one {@link SubscribeAck}.
 *
 * <p>A {@code +QMTRECV} that is not well formed ({@link io.thingflux.serial.internal.QmtRecv}) or
 * cut short is dropped, logged once with its reason (never its content) and counted in {@link
 * #malformedUrcs()}.
 *
 * <p>Refused before anything is sent: topics and all other AT string parameters holding {@code "},
 * CR, LF or NUL ({@link IllegalArgumentException}; no AT injection), payloads over {@link
 * Ec600sOptions#maxPayload()}, empty payloads, and for the {@link PublishDialect#QMTPUB} dialect
 * payloads holding Ctrl+Z or ESC.
 *
 * <p>When the serial transport itself closes (the port went away) the link is {@link
 * LinkState#CLOSED} and subscriptions fail with {@link AtChannelClosedException}.
 *
 * <p>One thread: the link keeps its state on the AT channel's single-threaded scheduler ({@link
 * AtChannel#scheduler()}) and signals everything there: connect, publish and disconnect results,
 * subscription messages and acknowledgements, {@link #states()} and {@link #unsolicited()}. Never
 * block in those signals; a device on top takes its own scheduler for user code. Each subscription
 * buffers up to {@link Ec600sOptions#subscriptionBuffer()} messages for a slow subscriber; newer
 * messages beyond that are dropped and counted in {@link #droppedMessages()}.
 */
public final class Ec600sLink implements MqttLink {

    private static final Logger log = LoggerFactory.getLogger(Ec600sLink.class);

    /** Wait for the immediate {@code OK} (or prompt) of a QMT command (Quectel's SDK uses 3 s). */
    static final Duration QMT_OK_TIMEOUT = Duration.ofSeconds(5);

    private static final Duration CPIN_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration QIDEACT_TIMEOUT = Duration.ofSeconds(40);
    private static final Duration SYNC_INTERVAL = Duration.ofMillis(500);
    private static final int SYNC_ATTEMPTS = 20;
    private static final Duration REGISTRATION_POLL = Duration.ofSeconds(1);

    /** Reboots ({@code RDY}) tolerated during {@link #connect()} before it fails. */
    static final int REBOOTS_DURING_CONNECT = 3;

    /**
     * Longest {@code AT+QMTSUB}/{@code AT+QMTUNS} line, in bytes, before the filters are split over
     * several commands. The module's command-line limit is not documented; a Quectel note gives 700
     * bytes for an inline publish, and this stays under it. A single longer filter still goes
     * alone.
     */
    public static final int MAX_COMMAND_LINE = 512;

    private final AtChannel at;
    private final boolean ownsChannel;
    private final Ec600sOptions options;
    private final int idx;

    /**
     * The AT channel's single-threaded scheduler: every field below without {@code volatile} lives
     * on it.
     */
    private final Scheduler io;

    private final Sinks.Many<LinkState> stateSink = Sinks.many().replay().latest();
    private final Sinks.Many<LinkMessage> unsolicited = Sinks.many().multicast().directBestEffort();
    private final AtomicLong droppedMessages = new AtomicLong();
    private final AtomicLong malformedUrcs = new AtomicLong();
    private volatile LinkState state = LinkState.DISCONNECTED;
    private volatile PublishDialect dialect;
    private final List<ModuleSubscription> subscriptions = new ArrayList<>();
    private final Map<String, ModuleSubscription> byFilter = new HashMap<>();
    private int lastMsgId;
    private boolean pdpResetRequested;
    private boolean recovering;
    private int breaks;
    private boolean closing;
    private Disposable recovery;

    /** The durable outbox, or null for the in-memory one. */
    private final OutboxStore store;

    /** Publishes waiting for the link (bounded by the options' outbox capacity), in order. */
    private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();

    /** A waiting publish is being sent: later ones wait behind it. */
    private boolean draining;

    private final Disposable urcSubscription;

    private Ec600sLink(AtChannel at, boolean ownsChannel, Ec600sOptions options) {
        OutboxStore opened;
        try {
            opened = options.outboxStorage().open(options.clientId());
        } catch (RuntimeException e) {
            if (ownsChannel) {
                at.close();
            }
            throw e;
        }
        this.store = opened.durable() ? opened : null;
        for (OutboxStore.Pending p : opened.recovered().publishes()) {
            LinkMessage m = p.message();
            waiting.add(new Waiting(m.topic(), m.payloadUnsafe(), m.qos(), p.seq(), null));
        }
        this.at = at;
        this.ownsChannel = ownsChannel;
        this.options = Objects.requireNonNull(options, "options");
        this.io = at.scheduler();
        this.idx = options.clientIndex();
        this.dialect = options.publishDialect();
        stateSink.tryEmitNext(state);
        this.urcSubscription =
                at.urcs().subscribe(this::onUrc, e -> log.debug("URC flux failed", e));
        at.closed()
                .subscribe(
                        cause -> {
                            if (!closing) {
                                log.warn(
                                        "serial transport closed{}",
                                        cause.map(c -> ": " + c.getMessage()).orElse(""));
                                closeForGood(
                                        new AtChannelClosedException(
                                                "serial transport", cause.orElse(null)));
                            }
                        });
    }

    /**
     * A link over {@code transport}; it owns the AT channel it makes and closes it on {@link
     * #disconnect()}.
     */
    public static Ec600sLink open(ByteTransport transport, Ec600sOptions options) {
        return new Ec600sLink(AtChannel.open(transport), true, options);
    }

    /**
     * A link over an existing channel (left open on {@link #disconnect()}); it signals on the
     * channel's scheduler.
     */
    public static Ec600sLink over(AtChannel channel, Ec600sOptions options) {
        return new Ec600sLink(channel, false, options);
    }

    /** The dialect in use (after {@link #connect()} probed it, when not configured). */
    public PublishDialect publishDialect() {
        return dialect;
    }

    /**
     * {@code +QMTRECV} URCs that were not well formed (bad header, length not matching the payload,
     * invalid topic name) or cut short (a counted payload whose bytes stopped coming, see {@link
     * AtChannel#truncatedPayloads()}), and so were dropped; each is logged once with its reason,
     * never with its content.
     */
    public long malformedUrcs() {
        return malformedUrcs.get() + at.truncatedPayloads();
    }

    /** Incoming messages dropped because a subscriber was too slow. */
    public long droppedMessages() {
        return droppedMessages.get();
    }

    // ------------------------------------------------------------------ MqttLink

    @Override
    public Mono<Void> connect() {
        return onIo(
                Mono.defer(
                        () -> {
                            if (state == LinkState.CONNECTED) {
                                return Mono.<Void>empty();
                            }
                            if (state != LinkState.DISCONNECTED) {
                                return Mono.<Void>error(new LinkUnavailableException(state));
                            }
                            setState(LinkState.CONNECTING);
                            return Mono.defer(
                                            () ->
                                                    setUpModule(false)
                                                            .then(setUpMqtt())
                                                            .then(openAndConnect()))
                                    // a module that reboots while we set it up (power-on) is set up
                                    // again from the top
                                    .retryWhen(
                                            Retry.max(REBOOTS_DURING_CONNECT)
                                                    .filter(
                                                            ModuleRebootedException.class
                                                                    ::isInstance))
                                    .doOnSuccess(v -> setState(LinkState.CONNECTED))
                                    .doOnError(
                                            e -> {
                                                log.debug("connect failed", e);
                                                if (isFatal(e)) {
                                                    closeForGood(e);
                                                } else {
                                                    setState(LinkState.DISCONNECTED);
                                                }
                                            });
                        }),
                () -> Mono.error(new LinkUnavailableException(LinkState.CLOSED)));
    }

    @Override
    public Mono<Void> disconnect() {
        return onIo(
                Mono.defer(
                        () -> {
                            if (state == LinkState.CLOSED) {
                                return Mono.<Void>empty();
                            }
                            closing = true;
                            if (recovery != null) {
                                recovery.dispose();
                            }
                            LinkState was = state;
                            // as Quectel's sequence: DISCONNECT, then close the network connection
                            // (its result does not matter)
                            Mono<Void> disc =
                                    was == LinkState.CONNECTED
                                            ? qmt(
                                                            "AT+QMTDISC=" + idx,
                                                            "+QMTDISC: " + idx + ",",
                                                            options.resultTimeout())
                                                    .then()
                                                    .onErrorResume(
                                                            e -> {
                                                                log.debug(
                                                                        "QMTDISC failed; closing anyway",
                                                                        e);
                                                                return Mono.empty();
                                                            })
                                            : Mono.empty();
                            Mono<Void> close =
                                    was == LinkState.CONNECTED
                                                    || was == LinkState.RECONNECTING
                                                    || was == LinkState.CONNECTING
                                            ? qmt(
                                                            "AT+QMTCLOSE=" + idx,
                                                            "+QMTCLOSE: " + idx + ",",
                                                            options.resultTimeout())
                                                    .then()
                                                    .onErrorResume(
                                                            e -> {
                                                                log.debug("QMTCLOSE failed", e);
                                                                return Mono.empty();
                                                            })
                                            : Mono.empty();
                            return disc.then(close)
                                    .then(Mono.<Void>fromRunnable(() -> closeForGood(null)));
                        }),
                Mono::empty);
    }

    @Override
    public LinkState state() {
        return state;
    }

    @Override
    public Flux<LinkState> states() {
        return onIo(
                stateSink.asFlux().takeUntil(s -> s == LinkState.CLOSED),
                () -> Flux.just(LinkState.CLOSED));
    }

    @Override
    public Mono<Void> publish(String topic, byte[] payload, MqttQos qos) {
        return onIo(
                Mono.defer(
                        () -> {
                            Objects.requireNonNull(topic, "topic");
                            Objects.requireNonNull(payload, "payload");
                            Objects.requireNonNull(qos, "qos");
                            String problem = AtFields.quotingProblem(topic);
                            if (problem == null) {
                                problem = MqttTopics.nameProblem(topic);
                            }
                            if (problem != null) {
                                return Mono.error(new IllegalArgumentException("topic " + problem));
                            }
                            if (payload.length > options.maxPayload()) {
                                return Mono.error(
                                        new IllegalArgumentException(
                                                "payload of "
                                                        + payload.length
                                                        + " bytes exceeds the maximum of "
                                                        + options.maxPayload()));
                            }
                            if (payload.length == 0) {
                                return Mono.error(
                                        new IllegalArgumentException(
                                                "the module cannot publish an empty payload"));
                            }
                            PublishDialect d = dialect != null ? dialect : PublishDialect.QMTPUBEX;
                            if (d == PublishDialect.QMTPUB) {
                                for (byte b : payload) {
                                    if (b == 0x1A || b == 0x1B) {
                                        return Mono.error(
                                                new IllegalArgumentException(
                                                        "payload holds Ctrl+Z or ESC, which the QMTPUB (Ctrl+Z) dialect cannot send"));
                                    }
                                }
                            }
                            if (state == LinkState.CONNECTED && waiting.isEmpty() && !draining) {
                                long seq = store(topic, payload, qos);
                                return send(topic, payload, qos, d)
                                        .doOnSuccess(v -> forget(seq))
                                        .doOnError(
                                                e -> {
                                                    if (givenUp(e)) {
                                                        forget(seq);
                                                    }
                                                });
                            }
                            if (state == LinkState.CONNECTED || state == LinkState.RECONNECTING) {
                                return Mono.<Void>create(
                                        sink -> enqueue(topic, payload, qos, sink));
                            }
                            return Mono.error(new LinkUnavailableException(state));
                        }),
                () -> Mono.error(new LinkUnavailableException(LinkState.CLOSED)));
    }

    /** Sends one publish now; on the link's thread. */
    private Mono<Void> send(String topic, byte[] payload, MqttQos qos, PublishDialect d) {
        int msgId = qos == MqttQos.AT_MOST_ONCE ? 0 : nextMsgId();
        String name = d == PublishDialect.QMTPUBEX ? "+QMTPUBEX" : "+QMTPUB";
        String text =
                "AT"
                        + name
                        + "="
                        + idx
                        + ","
                        + msgId
                        + ","
                        + qos.code()
                        + ",0,\""
                        + topic
                        + "\""
                        + (d == PublishDialect.QMTPUBEX ? "," + payload.length : "");
        Pattern result = Pattern.compile("^\\" + name + ": " + idx + "," + msgId + ",[02](,.*)?$");
        AtCommand cmd =
                AtCommand.builder(text)
                        .timeout(QMT_OK_TIMEOUT)
                        .data(
                                payload,
                                d == PublishDialect.QMTPUBEX
                                        ? AtCommand.DataEnd.COUNTED
                                        : AtCommand.DataEnd.CTRL_Z)
                        .resultUrc(u -> result.matcher(u.line()).matches(), options.resultTimeout())
                        .build();
        return at.execute(cmd)
                .flatMap(
                        r -> {
                            int[] f = AtFields.ints(r.urc().orElseThrow().after(name + ":"));
                            return f[2] == 0
                                    ? Mono.<Void>empty()
                                    : Mono.<Void>error(
                                            new MqttCommandException("publish to " + topic, f[2]));
                        });
    }

    // ------------------------------------------------------------------ outbox (link thread)

    /**
     * Writes a QoS 1/2 publish to a durable outbox; its sequence number, or 0 when not stored.
     *
     * @throws io.thingflux.link.outbox.OutboxException when the outbox cannot take it
     */
    private long store(String topic, byte[] payload, MqttQos qos) {
        if (store == null || qos == MqttQos.AT_MOST_ONCE) {
            return 0;
        }
        return store.append(new LinkMessage(topic, payload, qos, false));
    }

    private void forget(long seq) {
        if (seq != 0 && store != null) {
            store.remove(seq);
        }
    }

    /**
     * Whether a failed publish is given up for good (the module refused it, or it is invalid);
     * otherwise (the link broke, the module rebooted) a durable outbox keeps it for the next
     * process, since the module may or may not have sent it.
     */
    private static boolean givenUp(Throwable e) {
        return e instanceof MqttCommandException || e instanceof IllegalArgumentException;
    }

    /** Queues a publish made while the module reconnects (or while earlier ones still wait). */
    private void enqueue(String topic, byte[] payload, MqttQos qos, MonoSink<Void> sink) {
        int capacity = options.outboxCapacity();
        if (waiting.size() >= capacity) {
            if (options.outboxPolicy() == OverflowPolicy.DROP_OLDEST && !waiting.isEmpty()) {
                Waiting oldest = waiting.poll();
                forget(oldest.seq);
                oldest.fail(
                        new OutboxFullException(
                                "publish evicted from the full outbox (capacity "
                                        + capacity
                                        + ", drop oldest)"));
            } else {
                sink.error(
                        new OutboxFullException(
                                "outbox full (capacity " + capacity + "), publish refused"));
                return;
            }
        }
        long seq;
        try {
            seq = store(topic, payload, qos);
        } catch (OutboxException e) {
            sink.error(e);
            return;
        }
        Waiting w = new Waiting(topic, payload, qos, seq, sink);
        waiting.add(w);
        sink.onCancel(
                () ->
                        runOnIo(
                                () -> {
                                    if (waiting.remove(w)) {
                                        forget(w.seq);
                                    }
                                }));
        drain();
    }

    /** Sends waiting publishes one at a time, in order, while connected. */
    private void drain() {
        if (draining || state != LinkState.CONNECTED || waiting.isEmpty()) {
            return;
        }
        Waiting w = waiting.poll();
        draining = true;
        send(w.topic, w.payload, w.qos, dialect != null ? dialect : PublishDialect.QMTPUBEX)
                .subscribe(
                        null,
                        e -> {
                            draining = false;
                            if (givenUp(e)) {
                                forget(w.seq);
                            }
                            w.fail(e);
                            drain();
                        },
                        () -> {
                            draining = false;
                            forget(w.seq);
                            if (w.sink != null) {
                                w.sink.success();
                            }
                            drain();
                        });
    }

    /** A publish waiting for the link; {@code sink} is null for one read back from the outbox. */
    private static final class Waiting {
        final String topic;
        final byte[] payload;
        final MqttQos qos;
        final long seq;
        final MonoSink<Void> sink;

        Waiting(String topic, byte[] payload, MqttQos qos, long seq, MonoSink<Void> sink) {
            this.topic = topic;
            this.payload = payload;
            this.qos = qos;
            this.seq = seq;
            this.sink = sink;
        }

        void fail(Throwable e) {
            if (sink != null) {
                sink.error(e);
            } else {
                log.info("a publish read back from the outbox failed: {}", e.toString());
            }
        }
    }

    /**
     * Subscribes to all of {@code filters} with as few {@code AT+QMTSUB} commands as fit {@link
     * #MAX_COMMAND_LINE}; {@code onAck} hears the result of all of them at once, on the link's
     * thread. A filter is held by one subscription of this link at a time: another subscription to
     * it fails with {@link IllegalStateException} (the module routes one message per topic, not one
     * per subscriber).
     */
    @Override
    public Flux<LinkMessage> subscribe(
            List<String> filters, MqttQos qos, Consumer<? super SubscribeAck> onAck) {
        List<String> asked = filters.stream().distinct().toList();
        if (asked.isEmpty()) {
            throw new IllegalArgumentException("at least one topic filter is needed");
        }
        Objects.requireNonNull(qos, "qos");
        Objects.requireNonNull(onAck, "onAck");
        return onIo(
                Flux.defer(
                        () -> {
                            for (String filter : asked) {
                                String problem = AtFields.quotingProblem(filter);
                                if (problem == null) {
                                    problem = MqttTopics.filterProblem(filter);
                                }
                                if (problem != null) {
                                    return Flux.error(
                                            new IllegalArgumentException("filter " + problem));
                                }
                            }
                            if (state != LinkState.CONNECTED) {
                                return Flux.error(new LinkUnavailableException(state));
                            }
                            for (String filter : asked) {
                                if (byFilter.containsKey(filter)) {
                                    return Flux.error(
                                            new IllegalStateException(
                                                    "already subscribed to "
                                                            + filter
                                                            + " on this link"));
                                }
                            }
                            ModuleSubscription s =
                                    new ModuleSubscription(
                                            asked, qos, onAck, options.subscriptionBuffer());
                            subscriptions.add(s);
                            asked.forEach(f -> byFilter.put(f, s));
                            return qmtSubscribe(s)
                                    .doOnNext(ack -> acknowledged(s, ack))
                                    .thenMany(s.sink.asFlux())
                                    .doFinally(sig -> runOnIo(() -> end(s)));
                        }),
                () -> Flux.error(new LinkUnavailableException(LinkState.CLOSED)));
    }

    @Override
    public Flux<LinkMessage> unsolicited() {
        return onIo(unsolicited.asFlux(), Flux::empty);
    }

    /**
     * {@code work} subscribed (and requested) on the link's thread; {@code ifClosed} when the link
     * is closed and its channel's scheduler already gone.
     */
    private <T> Mono<T> onIo(Mono<T> work, Supplier<Mono<T>> ifClosed) {
        return Mono.defer(
                () ->
                        state == LinkState.CLOSED
                                ? ifClosed.get()
                                : work.subscribeOn(io)
                                        .onErrorResume(
                                                RejectedExecutionException.class,
                                                e -> ifClosed.get()));
    }

    private <T> Flux<T> onIo(Flux<T> work, Supplier<Flux<T>> ifClosed) {
        return Flux.defer(
                () ->
                        state == LinkState.CLOSED
                                ? ifClosed.get()
                                : work.subscribeOn(io)
                                        .onErrorResume(
                                                RejectedExecutionException.class,
                                                e -> ifClosed.get()));
    }

    /**
     * Runs {@code task} on the link's thread, or not at all once the link is closed and its
     * scheduler gone.
     */
    private void runOnIo(Runnable task) {
        try {
            io.schedule(task);
        } catch (RejectedExecutionException e) {
            log.debug("link closed; task dropped");
        }
    }

    // ------------------------------------------------------------------ setup

    private Mono<Void> setUpModule(boolean resetPdp) {
        Mono<AtResponse> sync =
                at.execute(AtCommand.of("AT"))
                        .retryWhen(Retry.fixedDelay(SYNC_ATTEMPTS, SYNC_INTERVAL).scheduler(io));
        return sync.then(at.execute(AtCommand.of("ATE0")))
                .then(at.execute(AtCommand.builder("AT+CPIN?").timeout(CPIN_TIMEOUT).build()))
                .flatMap(
                        r -> {
                            String cpin = r.line("+CPIN:").orElse("");
                            return cpin.equals("READY")
                                    ? Mono.<Void>empty()
                                    : Mono.<Void>error(
                                            new ModuleSetupException(
                                                    "SIM not ready: +CPIN: " + cpin));
                        })
                .then(
                        options.urcPort() == null
                                ? Mono.empty()
                                : at.execute(
                                                AtCommand.of(
                                                        "AT+QURCCFG=\"urcport\",\""
                                                                + options.urcPort()
                                                                + "\""))
                                        .then())
                .then(awaitRegistration())
                .then(configureApn())
                .then(
                        resetPdp
                                ? at.execute(
                                                AtCommand.builder("AT+QIDEACT=1")
                                                        .timeout(QIDEACT_TIMEOUT)
                                                        .build())
                                        .onErrorResume(AtCommandException.class, e -> Mono.empty())
                                        .then()
                                : Mono.empty())
                .then(activatePdp());
    }

    private Mono<Void> awaitRegistration() {
        Mono<Boolean> registered =
                Flux.just("AT+CREG?", "AT+CGREG?", "AT+CEREG?")
                        .concatMap(
                                c ->
                                        at.execute(AtCommand.of(c))
                                                .map(
                                                        r ->
                                                                r.lines().stream()
                                                                        .anyMatch(
                                                                                Ec600sLink
                                                                                        ::isRegisteredLine))
                                                .onErrorResume(
                                                        AtCommandException.class,
                                                        e -> Mono.just(false)))
                        .collectList()
                        .map(
                                all ->
                                        // all three asked, as the seed session does (circuit and
                                        // packet domains)
                                        all.contains(true));
        return registered
                .flatMap(ok -> ok ? Mono.<Void>empty() : Mono.<Void>error(new NotYet()))
                .retryWhen(
                        Retry.fixedDelay(Long.MAX_VALUE, REGISTRATION_POLL)
                                .filter(NotYet.class::isInstance)
                                .scheduler(io))
                .timeout(
                        options.registrationTimeout(),
                        Mono.error(
                                () ->
                                        new ModuleSetupException(
                                                "not registered on the network within "
                                                        + options.registrationTimeout())),
                        io);
    }

    /** {@code +CREG: <n>,<stat>[,...]} with stat 1 (home) or 5 (roaming). */
    static boolean isRegisteredLine(String line) {
        int colon = line.indexOf(':');
        if (colon < 0) {
            return false;
        }
        try {
            List<AtFields.Field> f = AtFields.split(line.substring(colon + 1));
            int stat = f.size() >= 2 ? f.get(1).asInt() : f.get(0).asInt();
            return stat == 1 || stat == 5;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private Mono<Void> configureApn() {
        Mono<Void> query =
                at.execute(AtCommand.of("AT+QICSGP=1"))
                        .doOnNext(r -> log.debug("PDP context 1: {}", r.lines()))
                        .then();
        if (options.apn() == null) {
            return query;
        }
        return query.then(
                        at.execute(
                                AtCommand.builder(
                                                "AT+QICSGP=1,1,\""
                                                        + options.apn()
                                                        + "\",\""
                                                        + options.apnUser()
                                                        + "\",\""
                                                        + options.apnPassword()
                                                        + "\","
                                                        + options.apnAuth())
                                        .sensitive()
                                        .build()))
                .then();
    }

    private Mono<Void> activatePdp() {
        Mono<Boolean> active =
                at.execute(AtCommand.of("AT+QIACT?"))
                        .map(r -> r.lines().stream().anyMatch(l -> l.startsWith("+QIACT: 1,1")));
        return active.flatMap(
                on ->
                        on
                                ? Mono.<Void>empty()
                                : at.execute(
                                                AtCommand.builder("AT+QIACT=1")
                                                        .timeout(options.pdpTimeout())
                                                        .build())
                                        .then(active)
                                        .flatMap(
                                                now ->
                                                        now
                                                                ? Mono.<Void>empty()
                                                                : Mono.<Void>error(
                                                                        new ModuleSetupException(
                                                                                "PDP context 1 did not activate"))));
    }

    private Mono<Void> setUpMqtt() {
        Mono<Void> probe =
                dialect != null
                        ? Mono.empty()
                        : at.execute(AtCommand.of("AT+QMTPUBEX=?"))
                                .map(r -> PublishDialect.QMTPUBEX)
                                .onErrorResume(
                                        AtCommandException.class,
                                        e -> Mono.just(PublishDialect.QMTPUB))
                                .doOnNext(
                                        d -> {
                                            dialect = d;
                                            log.info("module publish dialect: {}", d);
                                        })
                                .then();
        String cfg = "AT+QMTCFG=";
        Mono<Void> settings =
                Flux.just(
                                cfg + "\"version\"," + idx + ",4",
                                cfg
                                        + "\"keepalive\","
                                        + idx
                                        + ","
                                        + options.keepAlive().toSeconds(),
                                cfg + "\"session\"," + idx + "," + (options.cleanSession() ? 1 : 0),
                                cfg
                                        + "\"timeout\","
                                        + idx
                                        + ","
                                        + options.packetTimeout().toSeconds()
                                        + ","
                                        + options.retries()
                                        + ",0",
                                cfg + "\"recv/mode\"," + idx + ",0,1")
                        .concatMap(c -> at.execute(AtCommand.of(c)))
                        .then();
        Mono<Void> tls =
                options.tls() != null ? ModuleTlsSetup.run(at, idx, options.tls()) : Mono.empty();
        Mono<Void> aliauth = Mono.empty();
        if (options.aliyunDevice() != null && !signsSecureMode2()) {
            var d = options.aliyunDevice();
            aliauth =
                    at.execute(
                                    AtCommand.builder(
                                                    cfg
                                                            + "\"aliauth\","
                                                            + idx
                                                            + ",\""
                                                            + d.productKey()
                                                            + "\",\""
                                                            + d.deviceName()
                                                            + "\",\""
                                                            + d.deviceSecret()
                                                            + "\"")
                                            .sensitive()
                                            .build())
                            .then();
        }
        return probe.then(settings).then(tls).then(aliauth);
    }

    /** Whether the link signs the Aliyun credentials itself, securemode 2, for TLS. */
    private boolean signsSecureMode2() {
        return options.aliyunDevice() != null
                && options.tls() != null
                && options.tls().signSecureMode2();
    }

    private Mono<Void> openAndConnect() {
        return open(true).then(Mono.defer(this::connectClient));
    }

    private Mono<Void> open(boolean closeIfOccupied) {
        Pattern result = Pattern.compile("^\\+QMTOPEN: " + idx + ",-?\\d+$");
        AtCommand cmd =
                AtCommand.builder(
                                "AT+QMTOPEN="
                                        + idx
                                        + ",\""
                                        + options.host()
                                        + "\","
                                        + options.port())
                        .timeout(QMT_OK_TIMEOUT)
                        .resultUrc(u -> result.matcher(u.line()).matches(), options.openTimeout())
                        .build();
        return at.execute(cmd)
                .flatMap(
                        r -> {
                            int code = AtFields.ints(r.urc().orElseThrow().after("+QMTOPEN:"))[1];
                            if (code == 0) {
                                return Mono.<Void>empty();
                            }
                            if (code == 3) {
                                // PDP activation failed (reference §2, +QMTOPEN result 3): the next
                                // attempt deactivates and activates the context before it opens
                                pdpResetRequested = true;
                            }
                            if (code == 2 && closeIfOccupied) {
                                log.debug("client {} occupied: closing it and opening again", idx);
                                return qmt(
                                                "AT+QMTCLOSE=" + idx,
                                                "+QMTCLOSE: " + idx + ",",
                                                options.resultTimeout())
                                        .then(open(false));
                            }
                            return Mono.<Void>error(
                                    new MqttOpenException(options.host(), options.port(), code));
                        });
    }

    private Mono<Void> connectClient() {
        StringBuilder text = new StringBuilder("AT+QMTCONN=").append(idx).append(",\"");
        if (signsSecureMode2()) {
            // signed here per attempt (fresh timestamp); the module's aliauth signs securemode 3
            MqttCredentials c =
                    AliyunSigner.builder()
                            .secureMode(AliyunSigner.SECURE_MODE_TLS)
                            .clientId(options.clientId())
                            .build()
                            .sign(options.aliyunDevice());
            text.append(c.clientId())
                    .append("\",\"")
                    .append(c.username())
                    .append("\",\"")
                    .append(c.password())
                    .append('"');
        } else {
            text.append(options.clientId()).append('"');
        }
        if (options.username() != null && !signsSecureMode2()) {
            text.append(",\"")
                    .append(options.username())
                    .append("\",\"")
                    .append(options.password())
                    .append('"');
        }
        Pattern result = Pattern.compile("^\\+QMTCONN: " + idx + ",\\d+(,\\d+)?$");
        AtCommand cmd =
                AtCommand.builder(text.toString())
                        .sensitive()
                        .timeout(QMT_OK_TIMEOUT)
                        .resultUrc(u -> result.matcher(u.line()).matches(), options.resultTimeout())
                        .build();
        return at.execute(cmd)
                .flatMap(
                        r -> {
                            int[] f = AtFields.ints(r.urc().orElseThrow().after("+QMTCONN:"));
                            Integer rc = f.length > 2 ? f[2] : null;
                            if (f[1] == 0 && (rc == null || rc == 0)) {
                                return Mono.<Void>empty();
                            }
                            if (f[1] == 0 && rc >= 1 && rc <= 5) {
                                return Mono.<Void>error(
                                        new ConnectRefusedException(ConnectReturnCode.valueOf(rc)));
                            }
                            return Mono.<Void>error(new QmtConnException(f[1], rc));
                        });
    }

    /**
     * {@code AT+QMTSUB} for all filters of {@code s}, split over as few commands as fit {@link
     * #MAX_COMMAND_LINE}; the granted and refused filters of all of them.
     */
    private Mono<SubscribeAck> qmtSubscribe(ModuleSubscription s) {
        return Flux.fromIterable(commandGroups(s.filters, f -> f.length() + 5))
                .concatMap(group -> qmtSubscribe(group, s.qos))
                .collectList()
                .map(
                        acks -> {
                            List<String> granted = new ArrayList<>();
                            List<String> refused = new ArrayList<>();
                            for (SubscribeAck a : acks) {
                                granted.addAll(a.granted());
                                refused.addAll(a.refused());
                            }
                            return new SubscribeAck(granted, refused);
                        });
    }

    /**
     * One {@code AT+QMTSUB=<idx>,<msgid>,"<t1>",<q>,...}: its result URC {@code +QMTSUB:
     * <idx>,<msgid>,0,<v1>,...} gives each topic's granted QoS, 128 when refused (a value the
     * module leaves out counts as granted).
     */
    private Mono<SubscribeAck> qmtSubscribe(List<String> group, MqttQos qos) {
        int msgId = nextMsgId();
        StringBuilder text = new StringBuilder("AT+QMTSUB=").append(idx).append(',').append(msgId);
        for (String filter : group) {
            text.append(",\"").append(filter).append("\",").append(qos.code());
        }
        String prefix = "+QMTSUB: " + idx + "," + msgId + ",";
        AtCommand cmd =
                AtCommand.builder(text.toString())
                        .timeout(QMT_OK_TIMEOUT)
                        // result 1 is a retransmission notice; the final result follows it
                        .resultUrc(
                                u -> u.is(prefix) && !u.line().startsWith(prefix + "1"),
                                options.resultTimeout())
                        .build();
        return at.execute(cmd)
                .flatMap(
                        r -> {
                            int[] f = AtFields.ints(r.urc().orElseThrow().after("+QMTSUB:"));
                            if (f[2] != 0) {
                                return Mono.error(
                                        new MqttCommandException("subscribe to " + group, f[2]));
                            }
                            List<String> granted = new ArrayList<>(group.size());
                            List<String> refused = new ArrayList<>();
                            for (int i = 0; i < group.size(); i++) {
                                boolean isRefused = f.length > 3 + i && f[3 + i] == 0x80;
                                (isRefused ? refused : granted).add(group.get(i));
                            }
                            return Mono.just(new SubscribeAck(granted, refused));
                        });
    }

    private Mono<Void> qmtUnsubscribe(List<String> filters) {
        return Flux.fromIterable(commandGroups(filters, f -> f.length() + 3))
                .concatMap(
                        group -> {
                            int msgId = nextMsgId();
                            StringBuilder text =
                                    new StringBuilder("AT+QMTUNS=")
                                            .append(idx)
                                            .append(',')
                                            .append(msgId);
                            group.forEach(filter -> text.append(",\"").append(filter).append('"'));
                            return qmt(
                                    text.toString(),
                                    "+QMTUNS: " + idx + "," + msgId + ",",
                                    options.resultTimeout());
                        })
                .then();
    }

    /**
     * {@code filters} in order, split so that each group's command line stays within {@link
     * #MAX_COMMAND_LINE} bytes; {@code cost} is a filter's share of the line in characters (its
     * bytes are counted instead).
     */
    static List<List<String>> commandGroups(List<String> filters, Function<String, Integer> cost) {
        int fixed = "AT+QMTSUB=0,65535".length();
        List<List<String>> groups = new ArrayList<>();
        List<String> group = new ArrayList<>();
        int length = fixed;
        for (String filter : filters) {
            int share =
                    cost.apply(filter)
                            - filter.length()
                            + filter.getBytes(StandardCharsets.UTF_8).length;
            if (!group.isEmpty() && length + share > MAX_COMMAND_LINE) {
                groups.add(group);
                group = new ArrayList<>();
                length = fixed;
            }
            group.add(filter);
            length += share;
        }
        groups.add(group);
        return groups;
    }

    /** A QMT command with its result URC (the one starting with {@code urcPrefix}). */
    private Mono<AtUrc> qmt(String text, String urcPrefix, Duration resultTimeout) {
        return at.execute(
                        AtCommand.builder(text)
                                .timeout(QMT_OK_TIMEOUT)
                                .resultUrc(u -> u.is(urcPrefix), resultTimeout)
                                .build())
                .map(r -> r.urc().orElseThrow());
    }

    private int nextMsgId() {
        lastMsgId = lastMsgId % 65535 + 1;
        return lastMsgId;
    }

    // ------------------------------------------------------------------ subscriptions (link
    // thread)

    /**
     * Hands {@code ack} to the subscription's {@code onAck}; ends it with an error when all was
     * refused.
     */
    private void acknowledged(ModuleSubscription s, SubscribeAck ack) {
        if (s.ended) {
            return;
        }
        s.ack = ack;
        try {
            s.onAck.accept(ack);
        } catch (RuntimeException e) {
            fail(s, e);
            return;
        }
        if (ack.granted().isEmpty()) {
            fail(s, new SubscriptionRefusedException(ack.refused().get(0)));
        }
    }

    private void fail(ModuleSubscription s, Throwable error) {
        end(s);
        s.sink.tryEmitError(error);
    }

    /**
     * Forgets {@code s}; unsubscribes its granted filters when the link is up (all of them before
     * any ack).
     */
    private void end(ModuleSubscription s) {
        if (s.ended) {
            return;
        }
        s.ended = true;
        subscriptions.remove(s);
        s.filters.forEach(f -> byFilter.remove(f, s));
        List<String> subscribed = s.ack == null ? s.filters : s.ack.granted();
        if (!subscribed.isEmpty() && state == LinkState.CONNECTED && !closing) {
            qmtUnsubscribe(subscribed)
                    .subscribe(null, e -> log.debug("QMTUNS {} failed", subscribed, e));
        }
    }

    // ------------------------------------------------------------------ URCs and recovery (link
    // thread)

    private void onUrc(AtUrc urc) {
        if (urc.is("+QMTRECV:")) {
            onReceived(urc);
        } else if (urc.is("+QMTSTAT:")) {
            int[] f;
            try {
                f = AtFields.ints(urc.after("+QMTSTAT:"));
            } catch (RuntimeException e) {
                log.warn("unparsable {}", urc);
                return;
            }
            if (f.length < 2 || f[0] != idx) {
                return;
            }
            if (f[1] == 5 && closing) {
                return; // our own DISCONNECT
            }
            log.info("MQTT link closed by the module: +QMTSTAT: {},{}", f[0], f[1]);
            if (f[1] == 2) {
                pdpResetRequested = true;
            }
            startRecovery();
        } else if (urc.is("+QIURC: \"pdpdeact\"")) {
            log.info("PDP context deactivated by the network");
            pdpResetRequested = true;
            startRecovery();
        } else if (urc.line().equals("RDY")) {
            startRecovery();
        }
    }

    private void onReceived(AtUrc urc) {
        QmtRecv.Received r;
        try {
            r = QmtRecv.parse(urc);
        } catch (MalformedUrcException e) {
            long n = malformedUrcs.incrementAndGet();
            // the reason only: the payload (and a bad topic) could be anything
            log.warn("{} (malformed URCs so far: {})", e.getMessage(), n);
            return;
        }
        if (r.clientIdx() != idx) {
            return;
        }
        String topic = r.topic();
        int msgId = r.msgId();
        LinkMessage m =
                new LinkMessage(
                        topic,
                        r.payload(),
                        msgId == 0 ? MqttQos.AT_MOST_ONCE : MqttQos.AT_LEAST_ONCE,
                        false);
        boolean matched = false;
        for (ModuleSubscription s : subscriptions) {
            if (s.matches(topic)) {
                matched = true;
                if (s.sink.tryEmitNext(m).isFailure()) {
                    droppedMessages.incrementAndGet();
                    log.warn("message on {} dropped: subscriber of {} too slow", topic, s.filters);
                }
            }
        }
        if (!matched) {
            unsolicited.tryEmitNext(m);
        }
    }

    private void startRecovery() {
        breaks++;
        if (closing || (state != LinkState.CONNECTED && state != LinkState.RECONNECTING)) {
            return;
        }
        setState(LinkState.RECONNECTING);
        if (recovering) {
            // the running recovery starts each attempt from the top, so it covers this event too
            return;
        }
        recovering = true;
        int[] breaksAtAttempt = new int[1];
        recovery =
                Mono.defer(
                                () -> {
                                    breaksAtAttempt[0] = breaks;
                                    boolean resetPdp = pdpResetRequested;
                                    pdpResetRequested = false;
                                    return setUpModule(resetPdp)
                                            .then(setUpMqtt())
                                            .then(openAndConnect())
                                            .then(resubscribe());
                                })
                        .doOnError(e -> log.info("reconnect attempt failed: {}", e.toString()))
                        .retryWhen(reconnectRetry())
                        .subscribe(
                                null,
                                e -> {
                                    recovering = false;
                                    log.warn("giving up reconnecting: {}", e.toString());
                                    closeForGood(e);
                                },
                                () -> {
                                    recovering = false;
                                    if (closing) {
                                        return;
                                    }
                                    if (breaks != breaksAtAttempt[0]) {
                                        // the link broke again while the last attempt ran
                                        startRecovery();
                                        return;
                                    }
                                    log.info("MQTT link re-established");
                                    setState(LinkState.CONNECTED);
                                });
    }

    /**
     * Retries as the options' {@link ReconnectPolicy} says, never after a fatal refusal or once
     * closing.
     */
    private Retry reconnectRetry() {
        ReconnectPolicy policy = options.reconnectPolicy();
        return Retry.from(
                signals ->
                        signals.concatMap(
                                rs -> {
                                    Throwable e = rs.failure();
                                    int attempt =
                                            (int)
                                                    Math.min(
                                                            rs.totalRetries() + 1,
                                                            Integer.MAX_VALUE);
                                    if (closing || isFatal(e) || !policy.allows(attempt)) {
                                        return Mono.error(e);
                                    }
                                    return Mono.delay(policy.delay(attempt), io);
                                }));
    }

    /**
     * Subscribes every live subscription again; each hears its new acknowledgement before what
     * follows it.
     */
    private Mono<Void> resubscribe() {
        return Flux.fromIterable(List.copyOf(subscriptions))
                .concatMap(s -> qmtSubscribe(s).doOnNext(ack -> acknowledged(s, ack)))
                .then();
    }

    private static boolean isFatal(Throwable e) {
        return e instanceof ConnectRefusedException refused && refused.isFatal();
    }

    private void closeForGood(Throwable cause) {
        if (state == LinkState.CLOSED) {
            return;
        }
        closing = true;
        setState(LinkState.CLOSED);
        for (ModuleSubscription s : List.copyOf(subscriptions)) {
            s.ended = true;
            if (cause == null) {
                s.sink.tryEmitComplete();
            } else {
                s.sink.tryEmitError(cause);
            }
        }
        subscriptions.clear();
        byFilter.clear();
        // what waits fails for its caller; a durable outbox keeps it for the next process
        LinkUnavailableException closed = new LinkUnavailableException(LinkState.CLOSED);
        for (Waiting w; (w = waiting.poll()) != null; ) {
            w.fail(closed);
        }
        if (store != null) {
            store.close();
        }
        unsolicited.tryEmitComplete();
        urcSubscription.dispose();
        if (ownsChannel) {
            at.close();
        }
    }

    private void setState(LinkState s) {
        if (state == LinkState.CLOSED || state == s) {
            return;
        }
        state = s;
        stateSink.tryEmitNext(s);
        if (s == LinkState.CLOSED) {
            stateSink.tryEmitComplete();
        } else if (s == LinkState.CONNECTED) {
            drain(); // after the subscriptions were made again
        }
    }

    @Override
    public String toString() {
        return "Ec600sLink[" + options + ", " + state + "]";
    }

    private static final class NotYet extends RuntimeException {
        NotYet() {
            super("not yet", null, false, false);
        }
    }

    /**
     * One list subscription: its filters (all resubscribed after a reconnect), its sink and its
     * last ack.
     */
    private static final class ModuleSubscription {
        final List<String> filters;
        final MqttQos qos;
        final Consumer<? super SubscribeAck> onAck;
        final Sinks.Many<LinkMessage> sink;
        SubscribeAck ack;
        boolean ended;

        ModuleSubscription(
                List<String> filters,
                MqttQos qos,
                Consumer<? super SubscribeAck> onAck,
                int buffer) {
            this.filters = filters;
            this.qos = qos;
            this.onAck = onAck;
            this.sink =
                    Sinks.many()
                            .unicast()
                            .onBackpressureBuffer(Queues.<LinkMessage>get(buffer).get());
        }

        boolean matches(String topic) {
            for (String filter : filters) {
                if (MqttTopics.matches(filter, topic)) {
                    return true;
                }
            }
            return false;
        }
    }
}
