package io.thingflux.alink;

import io.thingflux.alink.internal.IncomingRouter;
import io.thingflux.alink.internal.PendingRequests;
import io.thingflux.aliyun.AliyunDeviceIdentity;
import io.thingflux.link.LinkMessage;
import io.thingflux.link.MqttLink;
import io.thingflux.link.SubscribeAck;
import io.thingflux.link.SubscriptionRefusedException;
import io.thingflux.mqtt.MqttQos;
import io.thingflux.mqtt.MqttTopics;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * One Aliyun thing-model device (one product key / device name) on an {@link MqttLink}: receives
 * property sets, service calls (asynchronous and over RRPC), replies, NTP responses, config pushes,
 * OTA notices and raw data as a {@link Flux} of {@link ThingMessage}, and posts properties and
 * events with their replies correlated by Alink id.
 *
 * <h2>Connecting</h2>
 *
 * {@link #connect()} connects the link, then subscribes to {@link
 * AlinkTopics#deviceSubscriptions()} (and {@link AliyunDeviceOptions#additionalSubscriptions()}) in
 * one subscription and listens to {@link MqttLink#unsolicited()}. It completes when the broker
 * acknowledged the subscription: ready means subscribed. When the broker refuses some of the
 * filters it fails with {@link SubscriptionRefusedException} naming them (the device then holds no
 * subscription; the link stays connected), unless {@link
 * AliyunDeviceOptions#requireAllSubscriptions()} is off: then it completes, and the refused filters
 * are logged and listed in {@link #refusedSubscriptions()}.
 *
 * <h2>Incoming</h2>
 *
 * The device reads every message as soon as the link delivers it (so replies are matched even when
 * nobody reads {@link #messages()}), settles the request a reply or NTP response answers, and
 * offers every message, decoded or as a {@link ThingMessage.UnknownMessage}, to {@link
 * #messages()}, but for a reply or NTP response that settled a request while {@code messages()} has
 * no subscriber. That stream is shared by all its subscribers and bounded by {@link
 * AliyunDeviceOptions#incomingBufferSize()}: messages arriving before the first subscriber are kept
 * up to the bound; when the slowest subscriber lets the buffer fill, the newest messages are
 * dropped, counted in {@link #droppedMessages()} and logged at WARN (the 1st, 2nd, 4th, 8th...
 * drop).
 *
 * <h2>Requests</h2>
 *
 * Each request gets an id from a per-device counter (1..4294967295, as a string) and waits for the
 * reply with that id on the request topic plus {@code _reply}, at most {@link
 * AliyunDeviceOptions#replyTimeout()}. At most {@link AliyunDeviceOptions#maxPendingRequests()}
 * requests (NTP included) wait at once; one more fails with {@link TooManyPendingRequestsException}
 * before anything is sent. A timeout, a cancel or an error removes the waiting entry. A reply with
 * a code other than 200 fails the request with {@link AlinkReplyException}. Invalid input
 * (identifiers, more than 200 properties, NaN or infinite numbers) throws {@link
 * IllegalArgumentException} at the call, before anything is sent.
 *
 * <h2>Threads</h2>
 *
 * The device never blocks. Its signals ({@link #messages()}, the results of requests, replies,
 * {@link #connect()} and {@link #disconnect()}) arrive on the link's I/O thread, or on {@link
 * AliyunDeviceOptions#scheduler()} when one is set; reply timeouts run on Reactor's shared parallel
 * timer. Without a scheduler, subscribers must never block. The device never asks for QoS 2 or
 * retain; its posts and replies use {@link AliyunDeviceOptions#publishQos()}, RRPC answers QoS 0.
 */
public final class AliyunDevice {

    /** The largest Alink id; the counter wraps to 1 after it. */
    public static final long MAX_ID = PendingRequests.MAX_ID;

    private static final Logger log = LoggerFactory.getLogger(AliyunDevice.class);
    private static final String PROPERTY_POST = "thing.event.property.post";

    private final MqttLink link;
    private final AlinkTopics topics;
    private final AliyunDeviceOptions options;

    /** Where user signals go, or null for the link's I/O thread. */
    private final Scheduler scheduler;

    private final PendingRequests<IncomingRouter.Awaited, ThingMessage> pending;
    private final IncomingRouter incoming;

    private final Object lock = new Object();

    /** The device's subscriptions on the link, while it has them; guarded by {@link #lock}. */
    private Receiving receiving;

    /** Guarded by {@link #lock}. */
    private boolean closed;

    /** The filters the last acknowledgement refused. */
    private volatile Set<String> refused = Set.of();

    private AliyunDevice(MqttLink link, AlinkTopics topics, AliyunDeviceOptions options) {
        this.link = Objects.requireNonNull(link, "link");
        this.topics = Objects.requireNonNull(topics, "topics");
        this.options = Objects.requireNonNull(options, "options");
        this.scheduler = options.scheduler().orElse(null);
        int limit = options.maxPendingRequests();
        this.pending =
                new PendingRequests<>(
                        limit,
                        options.replyTimeout(),
                        Schedulers.parallel(),
                        TooManyPendingRequestsException::new);
        this.incoming =
                new IncomingRouter(topics, options.clock(), pending, options.incomingBufferSize());
    }

    /** A device with the default options. */
    public static AliyunDevice create(MqttLink link, AliyunDeviceIdentity identity) {
        return create(link, identity, AliyunDeviceOptions.defaults());
    }

    /** A device on {@code link}, which must already carry {@code identity}'s credentials. */
    public static AliyunDevice create(
            MqttLink link, AliyunDeviceIdentity identity, AliyunDeviceOptions options) {
        return new AliyunDevice(
                link, new AlinkTopics(identity.productKey(), identity.deviceName()), options);
    }

    /**
     * A device known by product key and device name only (e.g. one connecting with a device token).
     */
    public static AliyunDevice create(
            MqttLink link, String productKey, String deviceName, AliyunDeviceOptions options) {
        return new AliyunDevice(link, new AlinkTopics(productKey, deviceName), options);
    }

    public AlinkTopics topics() {
        return topics;
    }

    public AliyunDeviceOptions options() {
        return options;
    }

    /**
     * The filters the device subscribes to: {@link AlinkTopics#deviceSubscriptions()} and the
     * additional ones.
     */
    public List<String> subscriptions() {
        List<String> filters = new ArrayList<>(topics.deviceSubscriptions());
        options.additionalSubscriptions().stream()
                .filter(f -> !filters.contains(f))
                .forEach(filters::add);
        return List.copyOf(filters);
    }

    /**
     * Connects the link, then subscribes to the thing-model topics ({@link #startReceiving()});
     * completes when the broker acknowledged them. See the class comment for refused filters.
     */
    public Mono<Void> connect() {
        return delivered(link.connect().then(receive()));
    }

    /**
     * Subscribes to the thing-model topics (all of them in one {@link MqttLink#subscribe(List,
     * MqttQos, java.util.function.Consumer)}) and the link's unsolicited messages, for a link
     * connected by other means; completes when the broker acknowledged them. {@link #connect()}
     * calls it; while the device holds its subscriptions, calling it again subscribes nothing more
     * and completes with the first.
     */
    public Mono<Void> startReceiving() {
        return delivered(receive());
    }

    private Mono<Void> receive() {
        return Mono.defer(
                () -> {
                    Receiving r;
                    boolean start = false;
                    synchronized (lock) {
                        if (closed) {
                            return Mono.error(new AlinkException("the device is disconnected"));
                        }
                        r = receiving;
                        if (r == null) {
                            r = new Receiving();
                            receiving = r;
                            start = true;
                        }
                    }
                    if (start) {
                        try {
                            r.start();
                        } catch (RuntimeException e) {
                            r.stop();
                            return Mono.error(e);
                        }
                    }
                    return r.ready.asMono();
                });
    }

    /**
     * Every message the platform sends the device, decoded (replies and NTP responses that settled
     * a request only while there is a subscriber); see the class comment for buffering and
     * overflow. Completes on {@link #disconnect()}.
     */
    public Flux<ThingMessage> messages() {
        Flux<ThingMessage> all = incoming.messages();
        return scheduler == null ? all : all.publishOn(scheduler);
    }

    /** How many incoming messages were dropped because {@link #messages()}' buffer was full. */
    public long droppedMessages() {
        return incoming.droppedMessages();
    }

    /** The filters the broker refused in its last acknowledgement of the device's subscription. */
    public Set<String> refusedSubscriptions() {
        return refused;
    }

    /** How many requests (NTP included) await a reply now. */
    public int pendingRequests() {
        return pending.size();
    }

    /**
     * Stops listening, fails the waiting requests with an {@link AlinkException}, completes {@link
     * #messages()} and disconnects the link, whose disconnect ends the thing-model subscriptions
     * (no UNSUBSCRIBE is sent for them first). The device cannot be used afterwards: later requests
     * fail.
     */
    public Mono<Void> disconnect() {
        return delivered(
                Mono.defer(
                        () -> {
                            Disposable sources =
                                    end(
                                            () -> new AlinkException("the device is disconnected"),
                                            false);
                            // The link's disconnect ends its subscriptions, and the broker forgets
                            // them with the session: cancelled first, they would each send an
                            // UNSUBSCRIBE just before the DISCONNECT (on a cellular module an AT
                            // command per filter). They are let go once the link is down.
                            return sources == null
                                    ? link.disconnect()
                                    : link.disconnect().doFinally(signal -> sources.dispose());
                        }));
    }

    /**
     * Posts properties ({@code thing.event.property.post}); values may be plain or {@link
     * TimedValue}s.
     *
     * @return the platform's reply (code 200); errors with {@link AlinkReplyException} for another
     *     code and {@link AlinkTimeoutException} when none came in time
     * @throws IllegalArgumentException for no properties, more than 200, a refused identifier or
     *     value
     */
    public Mono<AlinkReply> postProperties(Map<String, ?> properties) {
        AlinkValidation.requireProperties(properties);
        return send(topics.propertyPost(), PROPERTY_POST, properties);
    }

    /** Posts event {@code eventId} with its output values, time set by the platform on receipt. */
    public Mono<AlinkReply> postEvent(String eventId, Map<String, ?> value) {
        return postEvent(eventId, value, null);
    }

    /**
     * Posts event {@code eventId} ({@code thing.event.{eventId}.post}, params {@code
     * {"value":{..},"time":ms}}).
     *
     * @param timeMillis when the event happened, or {@code null} to leave it to the platform
     * @throws IllegalArgumentException for a refused identifier or value
     */
    public Mono<AlinkReply> postEvent(String eventId, Map<String, ?> value, Long timeMillis) {
        AlinkValidation.requireIdentifier(eventId, "event");
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("value", value == null ? Map.of() : value); // written at once: no copy needed
        if (timeMillis != null) {
            params.put("time", timeMillis);
        }
        AlinkValidation.requireValue(params.get("value"), eventId);
        return send(topics.eventPost(eventId), "thing.event." + eventId + ".post", params);
    }

    /**
     * Posts several timed values of properties and events at once ({@code
     * thing.event.property.batch.post}).
     */
    public Mono<AlinkReply> postBatch(BatchPost batch) {
        Objects.requireNonNull(batch, "batch");
        return send(topics.batchPost(), "thing.event.property.batch.post", batch.params());
    }

    /**
     * Sends any Alink request on {@code topic} and awaits the reply on {@code topic + "_reply"};
     * the typed methods above are built on it. {@code params} is validated and written now (each
     * subscription sends these bytes with an id of its own), so later changes to it are not sent.
     *
     * @throws IllegalArgumentException for an invalid topic name, params JSON cannot carry, or a
     *     reply topic none of the device's subscriptions covers (add it with {@link
     *     AliyunDeviceOptions.Builder#additionalSubscription(String)})
     */
    public Mono<AlinkReply> request(String topic, String method, Object params) {
        MqttTopics.requireValidName(topic);
        AlinkValidation.requireValue(params, "params");
        String replyTopic = AlinkTopics.reply(topic);
        if (subscriptions().stream().noneMatch(f -> MqttTopics.matches(f, replyTopic))) {
            throw new IllegalArgumentException(
                    "the reply topic "
                            + replyTopic
                            + " is not subscribed; add it with "
                            + "AliyunDeviceOptions.Builder.additionalSubscription");
        }
        return send(topic, method, params);
    }

    /** A request whose topic, reply topic and params were checked; params are written now, once. */
    private Mono<AlinkReply> send(String topic, String method, Object params) {
        AlinkJson.RequestFrame frame = AlinkJson.requestFrame(method, params);
        MqttQos qos = options.publishQos();
        Mono<AlinkReply> reply =
                pending.request(
                                new IncomingRouter.Awaited.Reply(topic),
                                id -> link.publish(topic, frame.withId(id), qos),
                                id ->
                                        new AlinkTimeoutException(
                                                method, Long.toString(id), options.replyTimeout()))
                        .handle(
                                (answer, sink) -> {
                                    AlinkReply r = ((ThingMessage.Reply) answer).reply();
                                    if (r.isSuccess()) {
                                        sink.next(r);
                                    } else {
                                        sink.error(new AlinkReplyException(method, r));
                                    }
                                });
        return delivered(reply);
    }

    /**
     * Answers a property set, a service call, an RRPC call or a config push with {@code code} and
     * {@code data} on its reply topic ({@code {"id","code","data"}}); RRPC answers go at QoS 0 on
     * the topic the call came on (synchronous services) or on {@code .../rrpc/response/{messageId}}
     * (system RRPC).
     *
     * @param code 200 for success; 400, 460, 429 or a device-defined 100000..110000 otherwise
     * @param data the output ({@code null} writes {@code {}})
     */
    public Mono<Void> reply(ThingMessage.Request request, int code, Object data) {
        Objects.requireNonNull(request, "request");
        AlinkValidation.requireValue(data, "data");
        MqttQos qos =
                request instanceof ThingMessage.RrpcCall
                                || (request instanceof ThingMessage.ServiceCall s
                                        && s.synchronous())
                        ? MqttQos.AT_MOST_ONCE
                        : options.publishQos();
        return delivered(
                Mono.defer(
                        () ->
                                link.publish(
                                        request.replyTopic(),
                                        AlinkJson.encodeReply(request.id(), code, data, null),
                                        qos)));
    }

    /**
     * Answers an RRPC call with a raw payload, at QoS 0, on its reply topic (system RRPC answers
     * are raw).
     */
    public Mono<Void> replyRaw(ThingMessage.RrpcCall call, byte[] payload) {
        Objects.requireNonNull(call, "call");
        byte[] copy = payload.clone();
        return delivered(
                Mono.defer(() -> link.publish(call.replyTopic(), copy, MqttQos.AT_MOST_ONCE)));
    }

    /** Answers raw down data on {@code .../thing/model/down_raw_reply}. */
    public Mono<Void> replyRaw(ThingMessage.RawDown down, byte[] payload) {
        Objects.requireNonNull(down, "down");
        byte[] copy = payload.clone();
        return delivered(
                Mono.defer(
                        () ->
                                link.publish(
                                        AlinkTopics.reply(down.topic()),
                                        copy,
                                        options.publishQos())));
    }

    /**
     * Publishes {@code payload} on {@code topic} at the device's publish QoS, for messages the
     * platform does not answer by Alink id (shadow, OTA inform and progress); used by {@link
     * PlatformServices}.
     */
    Mono<Void> publishUnanswered(String topic, byte[] payload) {
        MqttTopics.requireValidName(topic);
        return delivered(Mono.defer(() -> link.publish(topic, payload, options.publishQos())));
    }

    /** {@code signals} on the scheduler when one is set, else where they happen. */
    private <T> Mono<T> delivered(Mono<T> signals) {
        return scheduler == null ? signals : signals.publishOn(scheduler);
    }

    /**
     * Asks the platform for its time ({@code {"deviceSendTime":"ms"}} on {@code
     * /ext/ntp/{pk}/{dn}/request}, QoS 0) and returns the response carrying the same
     * deviceSendTime; {@link ThingMessage.NtpResponse#serverTimeMillis()} is the server time at its
     * receipt.
     */
    public Mono<ThingMessage.NtpResponse> syncTime() {
        return delivered(
                Mono.defer(
                                () -> {
                                    long sent = options.clock().getAsLong();
                                    return pending.request(
                                            new IncomingRouter.Awaited.Ntp(sent),
                                            id ->
                                                    link.publish(
                                                            topics.ntpRequest(),
                                                            AlinkJson.encodeValue(
                                                                    Map.of(
                                                                            "deviceSendTime",
                                                                            Long.toString(sent))),
                                                            MqttQos.AT_MOST_ONCE),
                                            id ->
                                                    new AlinkTimeoutException(
                                                            "NTP request deviceSendTime",
                                                            Long.toString(sent),
                                                            options.replyTimeout()));
                                })
                        .cast(ThingMessage.NtpResponse.class));
    }

    /**
     * Fails the requests awaiting a reply now with {@code reason}, keeping the device usable: a
     * gateway's sub-device whose link dropped (the gateway logs it in again).
     */
    void failPending(Supplier<? extends AlinkException> reason) {
        pending.failAll(reason);
    }

    /** Sets the id counter, so that tests reach its wrap without four billion requests. */
    void lastIdForTesting(long id) {
        pending.lastIdForTesting(id);
    }

    /**
     * Ends the device once: fails the waiting requests with {@code reason}, completes {@link
     * #messages()}. The link's streams are cancelled when {@code cancelSources}, else handed back
     * for the caller to cancel.
     *
     * @return the link's streams to cancel, when not cancelled here and there are any; else {@code
     *     null}
     */
    private Disposable end(Supplier<AlinkException> reason, boolean cancelSources) {
        Receiving r;
        synchronized (lock) {
            if (closed) {
                return null;
            }
            closed = true;
            r = receiving;
            receiving = null;
        }
        pending.close(reason);
        incoming.complete();
        if (r == null) {
            return null;
        }
        r.ready.tryEmitError(reason.get());
        if (cancelSources) {
            r.dispose();
            return null;
        }
        return r;
    }

    @Override
    public String toString() {
        return "AliyunDevice[" + topics.productKey() + "/" + topics.deviceName() + "]";
    }

    /**
     * The device's subscription to its filters and to the link's unsolicited messages, both read on
     * the link's I/O thread by the {@link IncomingRouter}, and whether the broker acknowledged it.
     */
    private final class Receiving implements Disposable, Consumer<SubscribeAck> {
        @SuppressWarnings("rawtypes")
        private static final AtomicIntegerFieldUpdater<Receiving> OPEN_SOURCES =
                AtomicIntegerFieldUpdater.newUpdater(Receiving.class, "openSources");

        // terminated once, by the first of onAck, an error or the end: Sinks.One's terminal signals
        // are atomic, so the serializing wrapper of Sinks.one() would add nothing but its size
        final Sinks.One<Void> ready = Sinks.unsafe().one();
        // two subscribers, not a merge: both sources signal on the link's I/O thread, so the
        // router is called serially, and nothing keeps the subscription's publisher (its filters)
        // once it is subscribed
        private final Source unsolicited = new Source();
        private final Source subscribed = new Source();
        private volatile int openSources = 2;
        private boolean acknowledged;

        void start() {
            link.unsolicited().subscribe(unsolicited);
            link.subscribe(subscriptions(), options.subscribeQos(), this).subscribe(subscribed);
        }

        /** Cancels both of the link's streams. */
        @Override
        public void dispose() {
            unsolicited.dispose();
            subscribed.dispose();
        }

        @Override
        public boolean isDisposed() {
            return unsolicited.isDisposed() && subscribed.isDisposed();
        }

        /**
         * The broker's answer to the thing-model subscription, the first and after each reconnect.
         */
        @Override
        public void accept(SubscribeAck ack) {
            onAck(ack);
        }

        private void onAck(SubscribeAck ack) {
            boolean first = !acknowledged;
            acknowledged = true;
            refused = Set.copyOf(ack.refused());
            if (ack.allGranted()) {
                ready.tryEmitEmpty();
                return;
            }
            if (first && options.requireAllSubscriptions()) {
                log.warn(
                        "{}: subscriptions to {} refused; connect fails (requireAllSubscriptions)",
                        topics,
                        ack.refused());
                stop();
                ready.tryEmitError(new SubscriptionRefusedException(ack.refused()));
                return;
            }
            log.warn(
                    "{}: subscriptions to {} refused; their messages will not arrive",
                    topics,
                    ack.refused());
            ready.tryEmitEmpty();
        }

        /**
         * Lets the link's streams go without ending the device: a later {@link #connect()}
         * subscribes again.
         */
        void stop() {
            synchronized (lock) {
                if (receiving == this) {
                    receiving = null;
                }
            }
            dispose();
        }

        private void onError(Throwable error) {
            log.warn("{}: incoming messages ended with an error: {}", topics, error.toString());
            ready.tryEmitError(error);
            end(() -> new AlinkException("the link's messages ended with an error", error), true);
        }

        /** One of the two sources completed; the device ends when both have, as a merge would. */
        private void onSourceEnd() {
            if (OPEN_SOURCES.decrementAndGet(this) == 0) {
                onComplete();
            }
        }

        private void onComplete() {
            ready.tryEmitError(
                    new AlinkException(
                            "the link ended before the subscriptions were acknowledged"));
            end(() -> new AlinkException("the link's messages ended before the reply"), true);
        }

        /** One of the link's two streams, read into the router. */
        private final class Source extends BaseSubscriber<LinkMessage> {
            @Override
            protected void hookOnNext(LinkMessage m) {
                incoming.accept(m);
            }

            @Override
            protected void hookOnComplete() {
                onSourceEnd();
            }

            @Override
            protected void hookOnError(Throwable error) {
                if (error instanceof SubscriptionRefusedException) {
                    // every filter refused: onAck has decided whether that fails the device
                    onSourceEnd();
                } else {
                    onError(error);
                }
            }
        }
    }
}
