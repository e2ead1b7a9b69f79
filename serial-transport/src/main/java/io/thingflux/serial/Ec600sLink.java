package io.thingflux.serial;

import io.thingflux.link.LinkMessage;
import io.thingflux.link.LinkState;
import io.thingflux.link.MqttLink;
import io.thingflux.link.SubscribeAck;
import io.thingflux.link.SubscriptionRefusedException;
import io.thingflux.mqtt.MqttQos;
import io.thingflux.mqtt.MqttTopics;
import io.thingflux.serial.at.AtChannel;
import io.thingflux.serial.at.AtCommand;
import io.thingflux.serial.at.AtCommandException;
import io.thingflux.serial.at.AtResponse;
import io.thingflux.serial.at.AtUrc;
import io.thingflux.serial.at.ByteTransport;
import io.thingflux.serial.at.MalformedUrcException;
import io.thingflux.serial.at.ModuleRebootedException;
import io.thingflux.serial.internal.AtFields;
import io.thingflux.serial.internal.QmtRecv;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.util.concurrent.Queues;
import reactor.util.retry.Retry;

/**
 * An {@link MqttLink} over a Quectel EC600S/EC200S module's MQTT AT commands, so the thing-model device
 * API works over a cellular module unchanged.
 *
 * <p>{@link #connect()} runs the boot checks ({@code AT}, {@code ATE0}, {@code AT+CPIN?}, registration on
 * CREG/CGREG/CEREG, {@code AT+QICSGP}, {@code AT+QIACT?}/{@code AT+QIACT=1}), sets the MQTT options
 * (version 3.1.1, keepalive, session, timeout, {@code recv/mode} 0,1 so every {@code +QMTRECV} carries its
 * payload length, and {@code aliauth} or explicit credentials), probes the publish dialect unless
 * configured, then {@code AT+QMTOPEN} and {@code AT+QMTCONN}, mapping their result codes to
 * {@link MqttOpenException} and {@link MqttConnectException}.
 *
 * <p>When the connection breaks ({@code +QMTSTAT}, {@code +QIURC: "pdpdeact"}, or {@code RDY} after a
 * reboot) the link goes {@link LinkState#RECONNECTING} and reopens with exponential backoff as Quectel
 * advises: {@code +QMTSTAT} code 2 and PDP loss reactivate the PDP context first; a reboot redoes the
 * whole setup. Subscriptions are then made again, and their {@code Flux}es carry on. A command in flight
 * when the module reboots, a publish included, fails with {@link ModuleRebootedException} and is not
 * retried: the module may or may not have sent it, so the caller decides.
 *
 * <p>A {@code +QMTRECV} that is not well formed ({@link io.thingflux.serial.internal.QmtRecv}) or cut short
 * is dropped, logged once with its reason (never its content) and counted in {@link #malformedUrcs()}.
 *
 * <p>Refused before anything is sent: topics and all other AT string parameters holding {@code "}, CR, LF
 * or NUL ({@link IllegalArgumentException}; no AT injection), payloads over {@link Ec600sOptions#maxPayload()},
 * empty payloads, and for the {@link PublishDialect#QMTPUB} dialect payloads holding Ctrl+Z or ESC.
 *
 * <p>When the serial transport itself closes (the port went away) the link is {@link LinkState#CLOSED}
 * and subscriptions fail with {@link io.thingflux.serial.at.AtChannelClosedException}.
 *
 * <p>Signals to user code are delivered on {@link Schedulers#parallel()}, never on the AT engine's thread.
 * Each subscription buffers up to {@link Ec600sOptions#subscriptionBuffer()} messages for a slow
 * subscriber; newer messages beyond that are dropped and counted in {@link #droppedMessages()}.
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

    private final AtChannel at;
    private final boolean ownsChannel;
    private final Ec600sOptions options;
    private final int idx;
    private final Scheduler userScheduler = Schedulers.parallel();
    private final Sinks.Many<LinkState> stateSink = Sinks.many().replay().latest();
    private volatile LinkState state = LinkState.DISCONNECTED;
    private final Map<String, Subscription> subscriptions = new ConcurrentHashMap<>();
    private final Sinks.Many<LinkMessage> unsolicited = Sinks.many().multicast().directBestEffort();
    private final AtomicInteger nextMsgId = new AtomicInteger();
    private final AtomicLong droppedMessages = new AtomicLong();
    private final AtomicLong malformedUrcs = new AtomicLong();
    private final AtomicBoolean pdpResetRequested = new AtomicBoolean();
    private final AtomicBoolean recovering = new AtomicBoolean();
    private final AtomicInteger breaks = new AtomicInteger();
    private volatile PublishDialect dialect;
    private volatile boolean closing;
    private final Disposable urcSubscription;
    private volatile Disposable recovery;

    private Ec600sLink(AtChannel at, boolean ownsChannel, Ec600sOptions options) {
        this.at = at;
        this.ownsChannel = ownsChannel;
        this.options = Objects.requireNonNull(options, "options");
        this.idx = options.clientIndex();
        this.dialect = options.publishDialect();
        stateSink.tryEmitNext(state);
        this.urcSubscription = at.urcs().subscribe(this::onUrc, e -> log.debug("URC flux failed", e));
        at.closed().subscribe(cause -> {
            if (!closing) {
                log.warn("serial transport closed{}", cause.map(c -> ": " + c.getMessage()).orElse(""));
                closeForGood(new io.thingflux.serial.at.AtChannelClosedException("serial transport", cause.orElse(null)));
            }
        });
    }

    /** A link over {@code transport}; it owns the AT channel it makes and closes it on {@link #disconnect()}. */
    public static Ec600sLink open(ByteTransport transport, Ec600sOptions options) {
        return new Ec600sLink(AtChannel.open(transport), true, options);
    }

    /** A link over an existing channel (left open on {@link #disconnect()}). */
    public static Ec600sLink over(AtChannel channel, Ec600sOptions options) {
        return new Ec600sLink(channel, false, options);
    }

    /** The dialect in use (after {@link #connect()} probed it, when not configured). */
    public PublishDialect publishDialect() {
        return dialect;
    }

    /**
     * {@code +QMTRECV} URCs that were not well formed (bad header, length not matching the payload, invalid
     * topic name) or cut short (a counted payload whose bytes stopped coming, see
     * {@link AtChannel#truncatedPayloads()}), and so were dropped; each is logged once with its reason,
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
        return Mono.defer(() -> {
            synchronized (this) {
                if (state == LinkState.CONNECTED) {
                    return Mono.<Void>empty();
                }
                if (state != LinkState.DISCONNECTED) {
                    return Mono.<Void>error(new LinkUnavailableException(state));
                }
                setState(LinkState.CONNECTING);
            }
            return Mono.defer(() -> setUpModule(false).then(setUpMqtt()).then(openAndConnect()))
                    // a module that reboots while we set it up (power-on) is set up again from the top
                    .retryWhen(Retry.max(REBOOTS_DURING_CONNECT).filter(ModuleRebootedException.class::isInstance))
                    .doOnSuccess(v -> setState(LinkState.CONNECTED))
                    .doOnError(e -> {
                        log.debug("connect failed", e);
                        setState(isFatal(e) ? LinkState.CLOSED : LinkState.DISCONNECTED);
                    });
        }).publishOn(userScheduler);
    }

    @Override
    public Mono<Void> disconnect() {
        return Mono.defer(() -> {
            closing = true;
            Disposable r = recovery;
            if (r != null) {
                r.dispose();
            }
            LinkState was = state;
            // as Quectel's sequence: DISCONNECT, then close the network connection (its result does not matter)
            Mono<Void> disc = was == LinkState.CONNECTED
                    ? qmt("AT+QMTDISC=" + idx, "+QMTDISC: " + idx + ",", options.resultTimeout()).then()
                            .onErrorResume(e -> {
                                log.debug("QMTDISC failed; closing anyway", e);
                                return Mono.empty();
                            })
                    : Mono.empty();
            Mono<Void> close = was == LinkState.CONNECTED || was == LinkState.RECONNECTING || was == LinkState.CONNECTING
                    ? qmt("AT+QMTCLOSE=" + idx, "+QMTCLOSE: " + idx + ",", options.resultTimeout()).then()
                            .onErrorResume(e -> {
                                log.debug("QMTCLOSE failed", e);
                                return Mono.empty();
                            })
                    : Mono.empty();
            return disc.then(close).then(Mono.<Void>fromRunnable(() -> closeForGood(null)));
        }).publishOn(userScheduler);
    }

    @Override
    public LinkState state() {
        return state;
    }

    @Override
    public Flux<LinkState> states() {
        return stateSink.asFlux().takeUntil(s -> s == LinkState.CLOSED).publishOn(userScheduler);
    }

    @Override
    public Mono<Void> publish(String topic, byte[] payload, MqttQos qos) {
        return Mono.defer(() -> {
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
                return Mono.error(new IllegalArgumentException("payload of " + payload.length
                        + " bytes exceeds the maximum of " + options.maxPayload()));
            }
            if (payload.length == 0) {
                return Mono.error(new IllegalArgumentException("the module cannot publish an empty payload"));
            }
            PublishDialect d = dialect != null ? dialect : PublishDialect.QMTPUBEX;
            if (d == PublishDialect.QMTPUB) {
                for (byte b : payload) {
                    if (b == 0x1A || b == 0x1B) {
                        return Mono.error(new IllegalArgumentException(
                                "payload holds Ctrl+Z or ESC, which the QMTPUB (Ctrl+Z) dialect cannot send"));
                    }
                }
            }
            if (state != LinkState.CONNECTED) {
                return Mono.error(new LinkUnavailableException(state));
            }
            int msgId = qos == MqttQos.AT_MOST_ONCE ? 0 : nextMsgId();
            String name = d == PublishDialect.QMTPUBEX ? "+QMTPUBEX" : "+QMTPUB";
            String text = "AT" + name + "=" + idx + "," + msgId + "," + qos.code() + ",0,\"" + topic + "\""
                    + (d == PublishDialect.QMTPUBEX ? "," + payload.length : "");
            Pattern result = Pattern.compile("^\\" + name + ": " + idx + "," + msgId + ",[02](,.*)?$");
            AtCommand cmd = AtCommand.builder(text)
                    .timeout(QMT_OK_TIMEOUT)
                    .data(payload, d == PublishDialect.QMTPUBEX ? AtCommand.DataEnd.COUNTED : AtCommand.DataEnd.CTRL_Z)
                    .resultUrc(u -> result.matcher(u.line()).matches(), options.resultTimeout())
                    .build();
            return at.execute(cmd).flatMap(r -> {
                int[] f = AtFields.ints(r.urc().orElseThrow().after(name + ":"));
                return f[2] == 0 ? Mono.<Void>empty() : Mono.<Void>error(new MqttCommandException("publish to " + topic, f[2]));
            });
        }).publishOn(userScheduler);
    }

    @Override
    public Flux<LinkMessage> subscribe(String filter, MqttQos qos) {
        return subscribe(filter, qos, () -> { });
    }

    /**
     * One {@code AT+QMTSUB} per filter (merged), {@code onAck} called once every filter was answered (not
     * again on a resubscription). Temporary: a single-command implementation replaces it.
     */
    @Override
    public Flux<LinkMessage> subscribe(List<String> filters, MqttQos qos, Consumer<? super SubscribeAck> onAck) {
        List<String> all = List.copyOf(filters);
        if (all.isEmpty()) {
            throw new IllegalArgumentException("at least one topic filter is needed");
        }
        Objects.requireNonNull(onAck, "onAck");
        return Flux.defer(() -> {
            Boolean[] granted = new Boolean[all.size()];
            AtomicInteger answered = new AtomicInteger();
            Runnable report = () -> {
                if (answered.incrementAndGet() == all.size()) {
                    List<String> yes = new ArrayList<>();
                    List<String> no = new ArrayList<>();
                    for (int i = 0; i < all.size(); i++) {
                        (Boolean.TRUE.equals(granted[i]) ? yes : no).add(all.get(i));
                    }
                    onAck.accept(new SubscribeAck(yes, no));
                }
            };
            List<Flux<LinkMessage>> sources = new ArrayList<>(all.size());
            for (int i = 0; i < all.size(); i++) {
                int index = i;
                sources.add(subscribe(all.get(i), qos, () -> {
                    granted[index] = Boolean.TRUE;
                    report.run();
                }).onErrorResume(SubscriptionRefusedException.class, e -> {
                    granted[index] = Boolean.FALSE;
                    report.run();
                    return answered.get() == all.size() && !Arrays.asList(granted).contains(Boolean.TRUE)
                            ? Flux.error(new SubscriptionRefusedException(all)) : Flux.empty();
                }));
            }
            return Flux.merge(sources);
        });
    }

    private Flux<LinkMessage> subscribe(String filter, MqttQos qos, Runnable onGranted) {
        return Flux.defer(() -> {
            Objects.requireNonNull(filter, "filter");
            Objects.requireNonNull(qos, "qos");
            String problem = AtFields.quotingProblem(filter);
            if (problem == null) {
                problem = MqttTopics.filterProblem(filter);
            }
            if (problem != null) {
                return Flux.error(new IllegalArgumentException("filter " + problem));
            }
            if (state != LinkState.CONNECTED) {
                return Flux.error(new LinkUnavailableException(state));
            }
            Subscription s = new Subscription(filter, qos, options.subscriptionBuffer());
            if (subscriptions.putIfAbsent(filter, s) != null) {
                return Flux.error(new IllegalStateException("already subscribed to " + filter + " on this link"));
            }
            return qmtSubscribe(s)
                    .doOnSuccess(v -> onGranted.run())
                    .thenMany(s.sink.asFlux())
                    .doFinally(sig -> {
                        if (subscriptions.remove(filter, s) && state == LinkState.CONNECTED) {
                            qmtUnsubscribe(filter).subscribe(null, e -> log.debug("QMTUNS {} failed", filter, e));
                        }
                    });
        }).publishOn(userScheduler);
    }

    @Override
    public Flux<LinkMessage> unsolicited() {
        return unsolicited.asFlux().publishOn(userScheduler);
    }

    // ------------------------------------------------------------------ setup

    private Mono<Void> setUpModule(boolean resetPdp) {
        Mono<AtResponse> sync = at.execute(AtCommand.of("AT"))
                .retryWhen(Retry.fixedDelay(SYNC_ATTEMPTS, SYNC_INTERVAL));
        return sync
                .then(at.execute(AtCommand.of("ATE0")))
                .then(at.execute(AtCommand.builder("AT+CPIN?").timeout(CPIN_TIMEOUT).build()))
                .flatMap(r -> {
                    String cpin = r.line("+CPIN:").orElse("");
                    return cpin.equals("READY") ? Mono.<Void>empty()
                            : Mono.<Void>error(new ModuleSetupException("SIM not ready: +CPIN: " + cpin));
                })
                .then(options.urcPort() == null ? Mono.empty()
                        : at.execute(AtCommand.of("AT+QURCCFG=\"urcport\",\"" + options.urcPort() + "\"")).then())
                .then(awaitRegistration())
                .then(configureApn())
                .then(resetPdp ? at.execute(AtCommand.builder("AT+QIDEACT=1").timeout(QIDEACT_TIMEOUT).build())
                        .onErrorResume(AtCommandException.class, e -> Mono.empty()).then() : Mono.empty())
                .then(activatePdp());
    }

    private Mono<Void> awaitRegistration() {
        Mono<Boolean> registered = Flux.just("AT+CREG?", "AT+CGREG?", "AT+CEREG?")
                .concatMap(c -> at.execute(AtCommand.of(c))
                        .map(r -> r.lines().stream().anyMatch(Ec600sLink::isRegisteredLine))
                        .onErrorResume(AtCommandException.class, e -> Mono.just(false)))
                .collectList()
                .map(all -> all.contains(true)); // all three asked, as the seed session does (circuit and packet domains)
        return registered
                .flatMap(ok -> ok ? Mono.<Void>empty() : Mono.<Void>error(new NotYet()))
                .retryWhen(Retry.fixedDelay(Long.MAX_VALUE, REGISTRATION_POLL).filter(NotYet.class::isInstance))
                .timeout(options.registrationTimeout(), Mono.error(() ->
                        new ModuleSetupException("not registered on the network within " + options.registrationTimeout())));
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
        Mono<Void> query = at.execute(AtCommand.of("AT+QICSGP=1"))
                .doOnNext(r -> log.debug("PDP context 1: {}", r.lines()))
                .then();
        if (options.apn() == null) {
            return query;
        }
        return query.then(at.execute(AtCommand.builder("AT+QICSGP=1,1,\"" + options.apn() + "\",\"" + options.apnUser()
                + "\",\"" + options.apnPassword() + "\"," + options.apnAuth()).sensitive().build())).then();
    }

    private Mono<Void> activatePdp() {
        Mono<Boolean> active = at.execute(AtCommand.of("AT+QIACT?"))
                .map(r -> r.lines().stream().anyMatch(l -> l.startsWith("+QIACT: 1,1")));
        return active.flatMap(on -> on ? Mono.<Void>empty()
                : at.execute(AtCommand.builder("AT+QIACT=1").timeout(options.pdpTimeout()).build())
                        .then(active)
                        .flatMap(now -> now ? Mono.<Void>empty()
                                : Mono.<Void>error(new ModuleSetupException("PDP context 1 did not activate"))));
    }

    private Mono<Void> setUpMqtt() {
        Mono<Void> probe = dialect != null ? Mono.empty()
                : at.execute(AtCommand.of("AT+QMTPUBEX=?"))
                        .map(r -> PublishDialect.QMTPUBEX)
                        .onErrorResume(AtCommandException.class, e -> Mono.just(PublishDialect.QMTPUB))
                        .doOnNext(d -> {
                            dialect = d;
                            log.info("module publish dialect: {}", d);
                        })
                        .then();
        String cfg = "AT+QMTCFG=";
        Mono<Void> settings = Flux.just(
                        cfg + "\"version\"," + idx + ",4",
                        cfg + "\"keepalive\"," + idx + "," + options.keepAlive().toSeconds(),
                        cfg + "\"session\"," + idx + "," + (options.cleanSession() ? 1 : 0),
                        cfg + "\"timeout\"," + idx + "," + options.packetTimeout().toSeconds() + "," + options.retries() + ",0",
                        cfg + "\"recv/mode\"," + idx + ",0,1")
                .concatMap(c -> at.execute(AtCommand.of(c)))
                .then();
        Mono<Void> aliauth = Mono.empty();
        if (options.aliyunDevice() != null) {
            var d = options.aliyunDevice();
            aliauth = at.execute(AtCommand.builder(cfg + "\"aliauth\"," + idx + ",\"" + d.productKey() + "\",\""
                    + d.deviceName() + "\",\"" + d.deviceSecret() + "\"").sensitive().build()).then();
        }
        return probe.then(settings).then(aliauth);
    }

    private Mono<Void> openAndConnect() {
        return open(true).then(Mono.defer(this::connectClient));
    }

    private Mono<Void> open(boolean closeIfOccupied) {
        Pattern result = Pattern.compile("^\\+QMTOPEN: " + idx + ",-?\\d+$");
        AtCommand cmd = AtCommand.builder("AT+QMTOPEN=" + idx + ",\"" + options.host() + "\"," + options.port())
                .timeout(QMT_OK_TIMEOUT)
                .resultUrc(u -> result.matcher(u.line()).matches(), options.openTimeout())
                .build();
        return at.execute(cmd).flatMap(r -> {
            int code = AtFields.ints(r.urc().orElseThrow().after("+QMTOPEN:"))[1];
            if (code == 0) {
                return Mono.<Void>empty();
            }
            if (code == 2 && closeIfOccupied) {
                log.debug("client {} occupied: closing it and opening again", idx);
                return qmt("AT+QMTCLOSE=" + idx, "+QMTCLOSE: " + idx + ",", options.resultTimeout())
                        .then(open(false));
            }
            return Mono.<Void>error(new MqttOpenException(options.host(), options.port(), code));
        });
    }

    private Mono<Void> connectClient() {
        StringBuilder text = new StringBuilder("AT+QMTCONN=").append(idx).append(",\"").append(options.clientId()).append('"');
        if (options.username() != null) {
            text.append(",\"").append(options.username()).append("\",\"").append(options.password()).append('"');
        }
        Pattern result = Pattern.compile("^\\+QMTCONN: " + idx + ",\\d+(,\\d+)?$");
        AtCommand cmd = AtCommand.builder(text.toString()).sensitive()
                .timeout(QMT_OK_TIMEOUT)
                .resultUrc(u -> result.matcher(u.line()).matches(), options.resultTimeout())
                .build();
        return at.execute(cmd).flatMap(r -> {
            int[] f = AtFields.ints(r.urc().orElseThrow().after("+QMTCONN:"));
            Integer rc = f.length > 2 ? f[2] : null;
            if (f[1] == 0 && (rc == null || rc == 0)) {
                return Mono.<Void>empty();
            }
            return Mono.<Void>error(new MqttConnectException(f[1], rc));
        });
    }

    private Mono<Void> qmtSubscribe(Subscription s) {
        int msgId = nextMsgId();
        AtCommand cmd = AtCommand.builder("AT+QMTSUB=" + idx + "," + msgId + ",\"" + s.filter + "\"," + s.qos.code())
                .timeout(QMT_OK_TIMEOUT)
                .resultUrc(u -> u.is("+QMTSUB: " + idx + "," + msgId + ",") && !u.line().matches("^\\+QMTSUB: \\d+,\\d+,1(,.*)?$"),
                        options.resultTimeout())
                .build();
        return at.execute(cmd).flatMap(r -> {
            int[] f = AtFields.ints(r.urc().orElseThrow().after("+QMTSUB:"));
            if (f[2] != 0) {
                return Mono.<Void>error(new MqttCommandException("subscribe to " + s.filter, f[2]));
            }
            if (f.length > 3 && f[3] == 0x80) {
                return Mono.<Void>error(new SubscriptionRefusedException(s.filter));
            }
            return Mono.<Void>empty();
        });
    }

    private Mono<Void> qmtUnsubscribe(String filter) {
        int msgId = nextMsgId();
        return qmt("AT+QMTUNS=" + idx + "," + msgId + ",\"" + filter + "\"", "+QMTUNS: " + idx + "," + msgId + ",",
                options.resultTimeout()).then();
    }

    /** A QMT command with its result URC (the one starting with {@code urcPrefix}). */
    private Mono<AtUrc> qmt(String text, String urcPrefix, Duration resultTimeout) {
        return at.execute(AtCommand.builder(text).timeout(QMT_OK_TIMEOUT)
                        .resultUrc(u -> u.is(urcPrefix), resultTimeout).build())
                .map(r -> r.urc().orElseThrow());
    }

    private int nextMsgId() {
        return nextMsgId.updateAndGet(i -> i % 65535 + 1);
    }

    // ------------------------------------------------------------------ URCs and recovery

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
                pdpResetRequested.set(true);
            }
            startRecovery();
        } else if (urc.is("+QIURC: \"pdpdeact\"")) {
            log.info("PDP context deactivated by the network");
            pdpResetRequested.set(true);
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
        byte[] payload = r.payload();
        int msgId = r.msgId();
        LinkMessage m = new LinkMessage(topic, payload, msgId == 0 ? MqttQos.AT_MOST_ONCE : MqttQos.AT_LEAST_ONCE, false);
        boolean matched = false;
        for (Subscription s : subscriptions.values()) {
            if (MqttTopics.matches(s.filter, topic)) {
                matched = true;
                if (s.sink.tryEmitNext(m).isFailure()) {
                    droppedMessages.incrementAndGet();
                    log.warn("message on {} dropped: subscriber of {} too slow", topic, s.filter);
                }
            }
        }
        if (!matched) {
            unsolicited.tryEmitNext(m);
        }
    }

    private void startRecovery() {
        breaks.incrementAndGet();
        synchronized (this) {
            if (closing || (state != LinkState.CONNECTED && state != LinkState.RECONNECTING)) {
                return;
            }
            setState(LinkState.RECONNECTING);
            if (!recovering.compareAndSet(false, true)) {
                return; // the running recovery starts each attempt from the top, so it covers this event too
            }
        }
        int[] breaksAtAttempt = new int[1];
        recovery = Mono.defer(() -> {
                    breaksAtAttempt[0] = breaks.get();
                    boolean resetPdp = pdpResetRequested.getAndSet(false);
                    return setUpModule(resetPdp).then(setUpMqtt()).then(openAndConnect()).then(resubscribe());
                })
                .doOnError(e -> log.info("reconnect attempt failed: {}", e.toString()))
                .retryWhen(Retry.backoff(Long.MAX_VALUE, options.minReconnectDelay())
                        .maxBackoff(options.maxReconnectDelay())
                        .filter(e -> !closing && !isFatal(e)))
                .subscribe(null, e -> {
                    recovering.set(false);
                    log.warn("giving up reconnecting: {}", e.toString());
                    closeForGood(e);
                }, () -> {
                    recovering.set(false);
                    if (closing) {
                        return;
                    }
                    if (breaks.get() != breaksAtAttempt[0]) {
                        startRecovery(); // the link broke again while the last attempt ran
                        return;
                    }
                    log.info("MQTT link re-established");
                    setState(LinkState.CONNECTED);
                });
    }

    private Mono<Void> resubscribe() {
        return Flux.fromIterable(List.copyOf(subscriptions.values()))
                .concatMap(s -> qmtSubscribe(s).onErrorResume(e -> {
                    if (e instanceof SubscriptionRefusedException) {
                        subscriptions.remove(s.filter, s);
                        s.sink.tryEmitError(e);
                        return Mono.empty();
                    }
                    return Mono.error(e);
                }))
                .then();
    }

    private static boolean isFatal(Throwable e) {
        return e instanceof MqttConnectException c && c.returnCode().map(rc -> rc.isFatal()).orElse(false);
    }

    private void closeForGood(Throwable cause) {
        closing = true;
        setState(LinkState.CLOSED);
        for (Subscription s : List.copyOf(subscriptions.values())) {
            subscriptions.remove(s.filter, s);
            // the AT worker may be emitting at the same moment: retry briefly instead of losing the signal
            if (cause == null) {
                s.sink.emitComplete(Sinks.EmitFailureHandler.busyLooping(Duration.ofSeconds(1)));
            } else {
                s.sink.emitError(cause, Sinks.EmitFailureHandler.busyLooping(Duration.ofSeconds(1)));
            }
        }
        unsolicited.emitComplete(Sinks.EmitFailureHandler.busyLooping(Duration.ofSeconds(1)));
        urcSubscription.dispose();
        if (ownsChannel) {
            at.close();
        }
    }

    private synchronized void setState(LinkState s) {
        if (state == LinkState.CLOSED || state == s) {
            return;
        }
        state = s;
        stateSink.tryEmitNext(s);
        if (s == LinkState.CLOSED) {
            stateSink.tryEmitComplete();
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

    private static final class Subscription {
        final String filter;
        final MqttQos qos;
        final Sinks.Many<LinkMessage> sink;

        Subscription(String filter, MqttQos qos, int buffer) {
            this.filter = filter;
            this.qos = qos;
            this.sink = Sinks.many().unicast().onBackpressureBuffer(Queues.<LinkMessage>get(buffer).get());
        }
    }
}
