package io.thingflux.alink;

import io.thingflux.aliyun.AliyunDeviceIdentity;
import io.thingflux.link.LinkMessage;
import io.thingflux.link.MqttLink;
import io.thingflux.link.SubscriptionRefusedException;
import io.thingflux.mqtt.MqttQos;
import io.thingflux.mqtt.MqttTopics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * One Aliyun thing-model device (one product key / device name) on an {@link MqttLink}: receives property
 * sets, service calls (asynchronous and over RRPC), replies, NTP responses, config pushes, OTA notices and raw
 * data as a {@link Flux} of {@link ThingMessage}, and posts properties and events with their replies
 * correlated by Alink id.
 *
 * <h2>Incoming</h2>
 * After {@link #connect()} the device subscribes to {@link AlinkTopics#deviceSubscriptions()} (and
 * {@link AliyunDeviceOptions#additionalSubscriptions()}) and listens to
 * {@link MqttLink#unsolicited()}; it reads every message as soon as the link delivers it (so replies are
 * matched even when nobody reads {@link #messages()}), matches replies and NTP responses to the requests
 * waiting for them, and offers every message, decoded or as an {@link ThingMessage.UnknownMessage}, to
 * {@link #messages()}. That stream is shared by all its subscribers and bounded by
 * {@link AliyunDeviceOptions#incomingBufferSize()}: messages arriving before the first subscriber are kept up to
 * the bound; when the slowest subscriber lets the buffer fill, newer messages are dropped, counted in
 * {@link #droppedMessages()} and logged at WARN (the 1st, 2nd, 4th, 8th... drop). A filter the broker refuses is logged and listed in
 * {@link #refusedSubscriptions()}; the other subscriptions carry on.
 *
 * <h2>Requests</h2>
 * Each request gets an id from a per-device counter (1..4294967295, as a string) and waits for the reply with
 * that id on the request topic plus {@code _reply}, at most {@link AliyunDeviceOptions#replyTimeout()}. At most
 * {@link AliyunDeviceOptions#maxPendingRequests()} requests (NTP included) wait at once; one more fails with
 * {@link TooManyPendingRequestsException} before anything is sent. A timeout, a cancel or an error removes the
 * waiting entry. A reply with a code other than 200 fails the request with {@link AlinkReplyException}.
 * Invalid input (identifiers, more than 200 properties, NaN or infinite numbers) throws
 * {@link IllegalArgumentException} at the call, before anything is sent.
 *
 * <p>The device never asks for QoS 2 or retain (the seam has no retain); its posts and replies use
 * {@link AliyunDeviceOptions#publishQos()}, RRPC answers QoS 0. Signals reach user code on
 * {@link AliyunDeviceOptions#scheduler()}, not on the link's I/O thread.
 */
public final class AliyunDevice {

    /** The largest Alink id; the counter wraps to 1 after it. */
    public static final long MAX_ID = 4_294_967_295L;

    private static final Logger log = LoggerFactory.getLogger(AliyunDevice.class);

    private final MqttLink link;
    private final AlinkTopics topics;
    private final AliyunDeviceOptions options;
    private final ThingMessageDecoder decoder;
    private final Sinks.Many<ThingMessage> incoming;
    private final Flux<ThingMessage> messages;
    private final List<String> subscriptions;

    private final Object lock = new Object();
    /** Requests awaiting their reply, by id; guarded by {@link #lock}. */
    private final Map<String, PendingRequest> pending = new HashMap<>();
    /** NTP requests awaiting their response, by deviceSendTime; guarded by {@link #lock}. */
    private final Map<Long, List<Sinks.One<ThingMessage.NtpResponse>>> ntpWaiters = new HashMap<>();
    private int ntpWaiting;
    private long lastId;
    private boolean started;
    private boolean closed;
    private Disposable receiving;

    private final AtomicLong dropped = new AtomicLong();
    private final Set<String> refused = ConcurrentHashMap.newKeySet();

    private AliyunDevice(MqttLink link, AlinkTopics topics, AliyunDeviceOptions options) {
        this.link = Objects.requireNonNull(link, "link");
        this.topics = Objects.requireNonNull(topics, "topics");
        this.options = Objects.requireNonNull(options, "options");
        this.decoder = new ThingMessageDecoder(topics, options.clock());
        this.incoming = Sinks.many().multicast().onBackpressureBuffer(options.incomingBufferSize(), false);
        this.messages = incoming.asFlux().publishOn(options.scheduler());
        List<String> filters = new ArrayList<>(topics.deviceSubscriptions());
        options.additionalSubscriptions().stream().filter(f -> !filters.contains(f)).forEach(filters::add);
        this.subscriptions = List.copyOf(filters);
    }

    /** A device with the default options. */
    public static AliyunDevice create(MqttLink link, AliyunDeviceIdentity identity) {
        return create(link, identity, AliyunDeviceOptions.defaults());
    }

    /** A device on {@code link}, which must already carry {@code identity}'s credentials. */
    public static AliyunDevice create(MqttLink link, AliyunDeviceIdentity identity, AliyunDeviceOptions options) {
        return new AliyunDevice(link, new AlinkTopics(identity.productKey(), identity.deviceName()), options);
    }

    /** A device known by product key and device name only (e.g. one connecting with a device token). */
    public static AliyunDevice create(MqttLink link, String productKey, String deviceName, AliyunDeviceOptions options) {
        return new AliyunDevice(link, new AlinkTopics(productKey, deviceName), options);
    }

    public AlinkTopics topics() {
        return topics;
    }

    public AliyunDeviceOptions options() {
        return options;
    }

    /** The filters the device subscribes to: {@link AlinkTopics#deviceSubscriptions()} and the additional ones. */
    public List<String> subscriptions() {
        return subscriptions;
    }

    /** Connects the link, then subscribes to the thing-model topics ({@link #startReceiving()}). */
    public Mono<Void> connect() {
        return link.connect().then(Mono.fromRunnable(this::startReceiving));
    }

    /**
     * Subscribes to the thing-model topics and the link's unsolicited messages, for a link connected by other
     * means. Called by {@link #connect()}; calling it again does nothing.
     */
    public void startReceiving() {
        List<Flux<LinkMessage>> sources = new ArrayList<>();
        synchronized (lock) {
            if (started || closed) {
                return;
            }
            started = true;
        }
        sources.add(link.unsolicited());
        for (String filter : subscriptions) {
            sources.add(link.subscribe(filter, options.subscribeQos())
                    .onErrorResume(SubscriptionRefusedException.class, e -> {
                        refused.add(filter);
                        log.warn("{}: subscription to {} refused; its messages will not arrive", topics, filter);
                        return Flux.empty();
                    }));
        }
        Disposable d = Flux.merge(sources).subscribe(this::onLinkMessage,
                e -> {
                    log.warn("{}: incoming messages ended with an error: {}", topics, e.toString());
                    end(new AlinkException("the link's messages ended with an error", e));
                },
                () -> end(null));
        boolean endedMeanwhile;
        synchronized (lock) {
            receiving = d;
            endedMeanwhile = closed;
        }
        if (endedMeanwhile) {
            d.dispose(); // disconnect() ran while the subscriptions were being made
        }
    }

    /**
     * Every message the platform sends the device, decoded; see the class comment for buffering and overflow.
     * Completes on {@link #disconnect()}.
     */
    public Flux<ThingMessage> messages() {
        return messages;
    }

    /** How many incoming messages were dropped because {@link #messages()}' buffer was full. */
    public long droppedMessages() {
        return dropped.get();
    }

    /** The filters the broker refused. */
    public Set<String> refusedSubscriptions() {
        return Set.copyOf(refused);
    }

    /** How many requests (NTP included) await a reply now. */
    public int pendingRequests() {
        synchronized (lock) {
            return pending.size() + ntpWaiting;
        }
    }

    /**
     * Stops listening, fails the waiting requests with an {@link AlinkException}, completes {@link #messages()}
     * and disconnects the link. The device cannot be used afterwards: later requests fail.
     */
    public Mono<Void> disconnect() {
        return Mono.defer(() -> {
            end(new AlinkException("the device was disconnected before the reply"));
            return link.disconnect();
        });
    }

    /**
     * Posts properties ({@code thing.event.property.post}); values may be plain or {@link TimedValue}s.
     *
     * @return the platform's reply (code 200); errors with {@link AlinkReplyException} for another code and
     *         {@link AlinkTimeoutException} when none came in time
     * @throws IllegalArgumentException for no properties, more than 200, a refused identifier or value
     */
    public Mono<AlinkReply> postProperties(Map<String, ?> properties) {
        AlinkValidation.requireProperties(properties);
        return request(topics.propertyPost(), "thing.event.property.post", new LinkedHashMap<>(properties));
    }

    /** Posts event {@code eventId} with its output values, time set by the platform on receipt. */
    public Mono<AlinkReply> postEvent(String eventId, Map<String, ?> value) {
        return postEvent(eventId, value, null);
    }

    /**
     * Posts event {@code eventId} ({@code thing.event.{eventId}.post}, params {@code {"value":{..},"time":ms}}).
     *
     * @param timeMillis when the event happened, or {@code null} to leave it to the platform
     * @throws IllegalArgumentException for a refused identifier or value
     */
    public Mono<AlinkReply> postEvent(String eventId, Map<String, ?> value, Long timeMillis) {
        AlinkValidation.requireIdentifier(eventId, "event");
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("value", value == null ? Map.of() : new LinkedHashMap<>(value));
        if (timeMillis != null) {
            params.put("time", timeMillis);
        }
        AlinkValidation.requireValue(params.get("value"), eventId);
        return request(topics.eventPost(eventId), "thing.event." + eventId + ".post", params);
    }

    /** Posts several timed values of properties and events at once ({@code thing.event.property.batch.post}). */
    public Mono<AlinkReply> postBatch(BatchPost batch) {
        Objects.requireNonNull(batch, "batch");
        return request(topics.batchPost(), "thing.event.property.batch.post", batch.params());
    }

    /**
     * Sends any Alink request on {@code topic} and awaits the reply on {@code topic + "_reply"}; the typed
     * methods above are built on it. {@code params} is validated now and written when the returned
     * {@code Mono} is subscribed, so it must not change in between.
     *
     * @throws IllegalArgumentException for an invalid topic name, params JSON cannot carry, or a reply topic
     *         none of the device's subscriptions covers (add it with
     *         {@link AliyunDeviceOptions.Builder#additionalSubscription(String)})
     */
    public Mono<AlinkReply> request(String topic, String method, Object params) {
        MqttTopics.requireValidName(topic);
        AlinkValidation.requireValue(params, "params");
        String replyTopic = AlinkTopics.reply(topic);
        if (subscriptions.stream().noneMatch(f -> MqttTopics.matches(f, replyTopic))) {
            throw new IllegalArgumentException("the reply topic " + replyTopic + " is not subscribed; add it with "
                    + "AliyunDeviceOptions.Builder.additionalSubscription");
        }
        Duration timeout = options.replyTimeout();
        return Mono.defer(() -> {
            PendingRequest p = new PendingRequest(replyTopic, Sinks.one());
            String id;
            synchronized (lock) {
                if (closed) {
                    return Mono.error(new AlinkException("the device is disconnected"));
                }
                if (pending.size() + ntpWaiting >= options.maxPendingRequests()) {
                    return Mono.error(new TooManyPendingRequestsException(options.maxPendingRequests()));
                }
                id = nextFreeId();
                pending.put(id, p);
            }
            byte[] payload = AlinkJson.encodeRequest(id, method, params, null);
            return link.publish(topic, payload, options.publishQos())
                    .then(p.reply.asMono())
                    .timeout(timeout, Mono.error(() -> new AlinkTimeoutException(method, id, timeout)),
                            options.scheduler())
                    .flatMap(r -> r.isSuccess() ? Mono.just(r) : Mono.<AlinkReply>error(new AlinkReplyException(method, r)))
                    .doFinally(s -> {
                        synchronized (lock) {
                            pending.remove(id, p);
                        }
                    });
        }).publishOn(options.scheduler());
    }

    /**
     * Answers a property set, a service call, an RRPC call or a config push with {@code code} and {@code data}
     * on its reply topic ({@code {"id","code","data"}}); RRPC answers go at QoS 0 on the topic the call
     * came on (synchronous services) or on {@code .../rrpc/response/{messageId}} (system RRPC).
     *
     * @param code 200 for success; 400, 460, 429 or a device-defined 100000..110000 otherwise
     * @param data the output ({@code null} writes {@code {}})
     */
    public Mono<Void> reply(ThingMessage.Request request, int code, Object data) {
        Objects.requireNonNull(request, "request");
        AlinkValidation.requireValue(data, "data");
        MqttQos qos = request instanceof ThingMessage.RrpcCall ? MqttQos.AT_MOST_ONCE : options.publishQos();
        return Mono.defer(() -> link.publish(request.replyTopic(),
                AlinkJson.encodeReply(request.id(), code, data, null), qos)).publishOn(options.scheduler());
    }

    /** Answers an RRPC call with a raw payload, at QoS 0, on its reply topic (system RRPC answers are raw). */
    public Mono<Void> replyRaw(ThingMessage.RrpcCall call, byte[] payload) {
        Objects.requireNonNull(call, "call");
        byte[] copy = payload.clone();
        return Mono.defer(() -> link.publish(call.replyTopic(), copy, MqttQos.AT_MOST_ONCE)).publishOn(options.scheduler());
    }

    /** Answers raw down data on {@code .../thing/model/down_raw_reply}. */
    public Mono<Void> replyRaw(ThingMessage.RawDown down, byte[] payload) {
        Objects.requireNonNull(down, "down");
        byte[] copy = payload.clone();
        return Mono.defer(() -> link.publish(AlinkTopics.reply(down.topic()), copy, options.publishQos()))
                .publishOn(options.scheduler());
    }

    /**
     * Asks the platform for its time ({@code {"deviceSendTime":"ms"}} on {@code /ext/ntp/{pk}/{dn}/request},
     * QoS 0) and returns the response carrying the same deviceSendTime;
     * {@link ThingMessage.NtpResponse#serverTimeMillis()} is the server time at its receipt.
     */
    public Mono<ThingMessage.NtpResponse> syncTime() {
        Duration timeout = options.replyTimeout();
        return Mono.defer(() -> {
            long sent = options.clock().getAsLong();
            Sinks.One<ThingMessage.NtpResponse> waiter = Sinks.one();
            synchronized (lock) {
                if (closed) {
                    return Mono.error(new AlinkException("the device is disconnected"));
                }
                if (pending.size() + ntpWaiting >= options.maxPendingRequests()) {
                    return Mono.error(new TooManyPendingRequestsException(options.maxPendingRequests()));
                }
                ntpWaiters.computeIfAbsent(sent, k -> new ArrayList<>(1)).add(waiter);
                ntpWaiting++;
            }
            byte[] payload = AlinkJson.encodeValue(Map.of("deviceSendTime", Long.toString(sent)));
            return link.publish(topics.ntpRequest(), payload, MqttQos.AT_MOST_ONCE)
                    .then(waiter.asMono())
                    .timeout(timeout, Mono.error(() -> new AlinkTimeoutException("NTP request deviceSendTime",
                            Long.toString(sent), timeout)), options.scheduler())
                    .doFinally(s -> removeNtpWaiter(sent, waiter));
        }).publishOn(options.scheduler());
    }

    private void removeNtpWaiter(long sent, Sinks.One<ThingMessage.NtpResponse> waiter) {
        synchronized (lock) {
            List<Sinks.One<ThingMessage.NtpResponse>> list = ntpWaiters.get(sent);
            if (list != null && list.remove(waiter)) {
                ntpWaiting--;
                if (list.isEmpty()) {
                    ntpWaiters.remove(sent);
                }
            }
        }
    }

    private String nextFreeId() {
        // guarded by lock; ids are unique among the waiting ones even after the counter wraps
        do {
            lastId = lastId >= MAX_ID ? 1 : lastId + 1;
        } while (pending.containsKey(Long.toString(lastId)));
        return Long.toString(lastId);
    }

    private void onLinkMessage(LinkMessage m) {
        ThingMessage msg = decoder.decode(m);
        if (msg instanceof ThingMessage.Reply r) {
            completeRequest(r);
        } else if (msg instanceof ThingMessage.NtpResponse n) {
            completeNtp(n);
        }
        Sinks.EmitResult result = incoming.tryEmitNext(msg);
        if (result == Sinks.EmitResult.FAIL_TERMINATED) {
            // the device ended while this message was on its way, e.g. the reply it carried led its caller to
            // disconnect at once: nobody can read it any more, and no reader was too slow
            log.debug("{}: message on {} arrived after the device ended", topics, m.topic());
            return;
        }
        if (result.isFailure()) {
            long n = dropped.incrementAndGet();
            if (Long.bitCount(n) == 1) { // 1st, 2nd, 4th, 8th...: a slow reader must not flood the log
                log.warn("{}: incoming message on {} dropped ({}), {} dropped so far: messages() is read too slowly",
                        topics, m.topic(), result, n);
            }
        }
    }

    private void completeRequest(ThingMessage.Reply r) {
        PendingRequest p;
        synchronized (lock) {
            p = pending.get(r.reply().id());
            if (p == null || !p.replyTopic.equals(r.topic())) {
                return;
            }
            pending.remove(r.reply().id());
        }
        p.reply.tryEmitValue(r.reply());
    }

    private void completeNtp(ThingMessage.NtpResponse n) {
        List<Sinks.One<ThingMessage.NtpResponse>> waiters;
        synchronized (lock) {
            waiters = ntpWaiters.remove(n.deviceSendTime());
            if (waiters != null) {
                ntpWaiting -= waiters.size();
            }
        }
        if (waiters != null) {
            waiters.forEach(w -> w.tryEmitValue(n));
        }
    }

    /** Ends receiving once: fails the waiting requests and completes (or errors) {@link #messages()}. */
    private void end(AlinkException reason) {
        List<PendingRequest> requests;
        List<Sinks.One<ThingMessage.NtpResponse>> ntp = new ArrayList<>();
        Disposable d;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            d = receiving;
            requests = new ArrayList<>(pending.values());
            pending.clear();
            ntpWaiters.values().forEach(ntp::addAll);
            ntpWaiters.clear();
            ntpWaiting = 0;
        }
        if (d != null) {
            d.dispose();
        }
        AlinkException failure = reason != null ? reason : new AlinkException("the link's messages ended before the reply");
        requests.forEach(p -> p.reply.tryEmitError(failure));
        ntp.forEach(w -> w.tryEmitError(failure));
        incoming.emitComplete(Sinks.EmitFailureHandler.busyLooping(Duration.ofSeconds(1)));
    }

    @Override
    public String toString() {
        return "AliyunDevice[" + topics.productKey() + "/" + topics.deviceName() + "]";
    }

    private record PendingRequest(String replyTopic, Sinks.One<AlinkReply> reply) {
    }
}
