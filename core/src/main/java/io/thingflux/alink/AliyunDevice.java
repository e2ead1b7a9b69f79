package io.thingflux.alink;

import io.thingflux.aliyun.AliyunDeviceIdentity;
import io.thingflux.link.LinkMessage;
import io.thingflux.link.MqttLink;
import io.thingflux.link.SubscribeAck;
import io.thingflux.link.SubscriptionRefusedException;
import io.thingflux.mqtt.MqttQos;
import io.thingflux.mqtt.MqttTopics;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import java.util.function.Consumer;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;
import org.reactivestreams.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.CoreSubscriber;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;
import reactor.util.context.Context;

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
 * {@link #messages()}, but for a reply or NTP response that settled a waiting request while {@code messages()}
 * has no subscriber: its request got it, and a device whose messages nobody reads must not fill its buffer
 * with the answers to its own posts. That stream is shared by all its subscribers and bounded by
 * {@link AliyunDeviceOptions#incomingBufferSize()}: the other messages arriving before the first subscriber are
 * kept up to the bound; when the slowest subscriber lets the buffer fill, newer messages are dropped, counted in
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
 * {@link AliyunDeviceOptions#scheduler()}, not on the link's I/O thread, unless
 * {@link AliyunDeviceOptions#deliverOnLinkThread()} asks for them where they happen (no thread hop; subscribers
 * must then never block).
 *
 * <h2>Cost</h2>
 * A connected device holds one subscription on the link for all its filters (one SUBSCRIBE where the transport
 * can), a subscriber for the unsolicited messages, and the buffer of {@link #messages()}, which grows with
 * the messages waiting in it (up to the bound) rather than being allocated at its full size; that buffer
 * hands its messages to every subscriber of {@link #messages()} from one drain on the scheduler (a subscriber
 * holds no queue or scheduler worker of its own, and all of them are signalled one after the other, each
 * message once every subscriber asked for it). A request's params are written to JSON
 * once, when it is made (each subscription adds its id in front); a subscribed request is one object in the
 * device's deadline list, where its reply finds it by id (walking from the oldest, so a reply that comes in
 * order finds it first); one timer per device, armed for the oldest waiting request, times them out, and
 * settled requests and the messages of {@link #messages()} reach their subscribers through one serial drain per
 * device on the scheduler, one hand-off per burst (so a subscriber must not wait on its thread for another signal
 * of the same device). What the device does with a delivered message never blocks (decode, match, offer to the bounded buffer) and it moves to its own scheduler by itself, so the link may deliver on its I/O thread: with a
 * {@code NettyMqttLink}, {@code MqttClientOptions.Builder.deliverOnEventLoop(true)} saves a thread hop per
 * message and a delivery queue per subscription, and changes nothing for the device's user.
 */
public final class AliyunDevice {

    /** The largest Alink id; the counter wraps to 1 after it. */
    public static final long MAX_ID = 4_294_967_295L;

    private static final Logger log = LoggerFactory.getLogger(AliyunDevice.class);
    private static final String PROPERTY_POST = "thing.event.property.post";

    private final MqttLink link;
    private final AlinkTopics topics;
    private final AliyunDeviceOptions options;
    private final MulticastBuffer<ThingMessage> incoming;

    /** Hands settled requests and the drain of {@link #incoming} to the scheduler, one burst at a time. */
    private final SerialDelivery delivery;
    /** The device's monitor: its {@link SerialDelivery}, which nobody else sees (one object less per device). */
    private final Object lock;
    /** How many requests (not NTP) await their reply; guarded by {@link #lock}. */
    private int requestsWaiting;
    /** NTP requests awaiting their response, by deviceSendTime, created on first use; guarded by {@link #lock}. */
    private Map<Long, List<NtpRequest>> ntpWaiters;
    /** Every waiting request and NTP request, oldest (first to time out) first; guarded by {@link #lock}. */
    private Waiter<?> oldest;
    private Waiter<?> newest;
    /** The one timeout task, armed for the oldest waiter while any waits; guarded by {@link #lock}. */
    private Disposable timer;
    private int ntpWaiting;
    private long lastId;
    /** The last reply topic that matched a request's topic, and that topic; see PendingRequest.isReplyTopic. */
    private String lastReplyTopic;
    private String lastRequestTopic;
    /** Whether {@link #lastId} wrapped once: ids are then checked against the waiting ones. */
    private boolean idsWrapped;
    private boolean started;
    private boolean closed;
    /** Link sources not yet ended (the subscriptions and the unsolicited messages); guarded by {@link #lock}. */
    private int openSources;
    private LinkReceiver subscribed;
    private LinkReceiver unsolicited;

    private static final AtomicLongFieldUpdater<AliyunDevice> DROPPED =
            AtomicLongFieldUpdater.newUpdater(AliyunDevice.class, "dropped");
    private volatile long dropped;
    /** The refused filters, copied on write (refusals are rare), null while there is none. */
    private volatile Set<String> refused;

    private AliyunDevice(MqttLink link, AlinkTopics topics, AliyunDeviceOptions options) {
        this.link = Objects.requireNonNull(link, "link");
        this.topics = Objects.requireNonNull(topics, "topics");
        this.options = Objects.requireNonNull(options, "options");
        // settled requests and messages() reach the scheduler through the same serial queue: one hand-off per
        // burst for both; with deliverOnLinkThread neither does (Waiter.deliver, a buffer draining on the caller)
        this.delivery = new SerialDelivery(options.scheduler());
        this.lock = delivery;
        this.incoming = new MulticastBuffer<>(options.incomingBufferSize(),
                options.deliverOnLinkThread() ? null : delivery);
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
        // built when asked (the link holds the filters it subscribed to; the device keeps no copy)
        List<String> filters = new ArrayList<>(topics.deviceSubscriptions());
        options.additionalSubscriptions().stream().filter(f -> !filters.contains(f)).forEach(filters::add);
        return List.copyOf(filters);
    }

    /** Connects the link, then subscribes to the thing-model topics ({@link #startReceiving()}). */
    public Mono<Void> connect() {
        return link.connect().then(Mono.fromRunnable(this::startReceiving));
    }

    /**
     * Subscribes to the thing-model topics (all of them in one {@link MqttLink#subscribe(List, MqttQos,
     * java.util.function.Consumer)}) and the link's unsolicited messages, for a link connected by other
     * means. Called by {@link #connect()}; calling it again does nothing.
     */
    public void startReceiving() {
        LinkReceiver fromSubscriptions = new LinkReceiver();
        LinkReceiver fromUnsolicited = new LinkReceiver();
        synchronized (lock) {
            if (started || closed) {
                return;
            }
            started = true;
            openSources = 2;
            subscribed = fromSubscriptions;
            unsolicited = fromUnsolicited;
        }
        link.unsolicited().subscribe(fromUnsolicited);
        link.subscribe(subscriptions(), options.subscribeQos(), fromSubscriptions).subscribe(fromSubscriptions);
    }

    private void onRefused(String filter) {
        synchronized (lock) {
            Set<String> before = refused;
            if (before != null && before.contains(filter)) {
                return;
            }
            Set<String> after = new HashSet<>();
            if (before != null) {
                after.addAll(before);
            }
            after.add(filter);
            refused = Set.copyOf(after);
        }
        log.warn("{}: subscription to {} refused; its messages will not arrive", topics, filter);
    }

    /**
     * Every message the platform sends the device, decoded (replies and NTP responses that settled a request
     * only while there is a subscriber); see the class comment for buffering and overflow. Completes on
     * {@link #disconnect()}.
     */
    public Flux<ThingMessage> messages() {
        return incoming;
    }

    /** How many incoming messages were dropped because {@link #messages()}' buffer was full. */
    public long droppedMessages() {
        return dropped;
    }

    /** The filters the broker refused. */
    public Set<String> refusedSubscriptions() {
        Set<String> r = refused;
        return r == null ? Set.of() : r;
    }

    /** How many requests (NTP included) await a reply now. */
    public int pendingRequests() {
        synchronized (lock) {
            return requestsWaiting + ntpWaiting;
        }
    }

    /**
     * Stops listening, fails the waiting requests with an {@link AlinkException}, completes {@link #messages()}
     * and disconnects the link, whose disconnect ends the thing-model subscriptions (no UNSUBSCRIBE is sent
     * for them first). The device cannot be used afterwards: later requests fail.
     */
    public Mono<Void> disconnect() {
        return Mono.defer(() -> {
            Disposable sources = end(new AlinkException("the device was disconnected before the reply"), false);
            // The link's disconnect ends its subscriptions, and the broker forgets them with the session: cancelled
            // first, they would each send an UNSUBSCRIBE just before the DISCONNECT (on a cellular module an AT
            // command per filter). They are let go once the link is down.
            return sources == null ? link.disconnect() : link.disconnect().doFinally(signal -> sources.dispose());
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
        return send(topics.propertyPost(), PROPERTY_POST, properties);
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
        params.put("value", value == null ? Map.of() : value); // written at once: no copy needed
        if (timeMillis != null) {
            params.put("time", timeMillis);
        }
        AlinkValidation.requireValue(params.get("value"), eventId);
        return send(topics.eventPost(eventId), "thing.event." + eventId + ".post", params);
    }

    /** Posts several timed values of properties and events at once ({@code thing.event.property.batch.post}). */
    public Mono<AlinkReply> postBatch(BatchPost batch) {
        Objects.requireNonNull(batch, "batch");
        return send(topics.batchPost(), "thing.event.property.batch.post", batch.params());
    }

    /**
     * Sends any Alink request on {@code topic} and awaits the reply on {@code topic + "_reply"}; the typed
     * methods above are built on it. {@code params} is validated and written now (each subscription sends
     * these bytes with an id of its own), so later changes to it are not sent.
     *
     * @throws IllegalArgumentException for an invalid topic name, params JSON cannot carry, or a reply topic
     *         none of the device's subscriptions covers (add it with
     *         {@link AliyunDeviceOptions.Builder#additionalSubscription(String)})
     */
    public Mono<AlinkReply> request(String topic, String method, Object params) {
        MqttTopics.requireValidName(topic);
        AlinkValidation.requireValue(params, "params");
        String replyTopic = AlinkTopics.reply(topic);
        if (subscriptions().stream().noneMatch(f -> MqttTopics.matches(f, replyTopic))) {
            throw new IllegalArgumentException("the reply topic " + replyTopic + " is not subscribed; add it with "
                    + "AliyunDeviceOptions.Builder.additionalSubscription");
        }
        return send(topic, method, params);
    }

    /** A request whose topic, reply topic and params were checked; params are written now, once. */
    private Mono<AlinkReply> send(String topic, String method, Object params) {
        return new RequestMono(topic, method, AlinkJson.requestFrame(method, params));
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
        return delivered(Mono.defer(() -> link.publish(request.replyTopic(),
                AlinkJson.encodeReply(request.id(), code, data, null), qos)));
    }

    /** Answers an RRPC call with a raw payload, at QoS 0, on its reply topic (system RRPC answers are raw). */
    public Mono<Void> replyRaw(ThingMessage.RrpcCall call, byte[] payload) {
        Objects.requireNonNull(call, "call");
        byte[] copy = payload.clone();
        return delivered(Mono.defer(() -> link.publish(call.replyTopic(), copy, MqttQos.AT_MOST_ONCE)));
    }

    /** Answers raw down data on {@code .../thing/model/down_raw_reply}. */
    public Mono<Void> replyRaw(ThingMessage.RawDown down, byte[] payload) {
        Objects.requireNonNull(down, "down");
        byte[] copy = payload.clone();
        return delivered(Mono.defer(() -> link.publish(AlinkTopics.reply(down.topic()), copy, options.publishQos())));
    }

    /** {@code publishing}'s signals on the scheduler, or where they happen with {@code deliverOnLinkThread}. */
    private Mono<Void> delivered(Mono<Void> publishing) {
        return options.deliverOnLinkThread() ? publishing : publishing.publishOn(options.scheduler());
    }

    /**
     * Asks the platform for its time ({@code {"deviceSendTime":"ms"}} on {@code /ext/ntp/{pk}/{dn}/request},
     * QoS 0) and returns the response carrying the same deviceSendTime;
     * {@link ThingMessage.NtpResponse#serverTimeMillis()} is the server time at its receipt.
     */
    public Mono<ThingMessage.NtpResponse> syncTime() {
        return new NtpMono();
    }

    private long nextFreeId() {
        // guarded by lock; ids are unique among the waiting ones even after the counter wraps (until then they
        // grow, so a new one cannot be waiting)
        for (;;) {
            if (lastId >= MAX_ID) {
                lastId = 1;
                idsWrapped = true;
            } else {
                lastId++;
            }
            if (!idsWrapped || waitingRequest(lastId) == null) {
                return lastId;
            }
        }
    }

    /** Sets the id counter, so that tests reach its wrap without four billion requests. */
    void lastIdForTesting(long id) {
        synchronized (lock) {
            lastId = id;
        }
    }

    /**
     * The request waiting with {@code id}; guarded by {@link #lock}. The deadline list is walked from the oldest:
     * requests are listed in the order their ids were given, so a reply that comes in order finds its request
     * first; one overtaken by k others costs k steps (k below {@link AliyunDeviceOptions#maxPendingRequests()}).
     */
    private PendingRequest waitingRequest(long id) {
        for (Waiter<?> w = oldest; w != null; w = w.newer) {
            if (w instanceof PendingRequest p && p.id == id) {
                return p;
            }
        }
        return null;
    }

    /** An id as this device writes them (1..{@link #MAX_ID} in decimal, no sign, no leading zero), or -1. */
    static long parseId(String id) {
        int n = id.length();
        if (n < 1 || n > 10 || id.charAt(0) == '0') {
            return -1;
        }
        long v = 0;
        for (int i = 0; i < n; i++) {
            char c = id.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v <= MAX_ID ? v : -1;
    }

    // ---- incoming ----

    private void onLinkMessage(LinkMessage m) {
        ThingMessage msg = ThingMessageDecoder.decode(topics, options.clock(), m);
        boolean settled = false;
        if (msg instanceof ThingMessage.Reply r) {
            settled = completeRequest(r);
        } else if (msg instanceof ThingMessage.NtpResponse n) {
            settled = completeNtp(n);
        }
        if (settled && !incoming.hasSubscribers()) {
            return; // its request has it; kept for a later reader, it would only fill the buffer
        }
        MulticastBuffer.Offer result = incoming.offer(msg);
        if (result == MulticastBuffer.Offer.TERMINATED) {
            // the device ended while this message was on its way, e.g. the reply it carried led its caller to
            // disconnect at once: nobody can read it any more, and no reader was too slow
            log.debug("{}: message on {} arrived after the device ended", topics, m.topic());
            return;
        }
        if (result == MulticastBuffer.Offer.FULL) {
            long n = DROPPED.incrementAndGet(this);
            if (Long.bitCount(n) == 1) { // 1st, 2nd, 4th, 8th...: a slow reader must not flood the log
                log.warn("{}: incoming message on {} dropped (buffer of {} full), {} dropped so far: messages() is "
                        + "read too slowly", topics, m.topic(), options.incomingBufferSize(), n);
            }
        }
    }

    private void onSourceEnded(Throwable error) {
        if (error instanceof SubscriptionRefusedException) {
            // every filter was refused, each one logged and listed already: the unsolicited messages go on
            error = null;
        } else if (error != null) {
            log.warn("{}: incoming messages ended with an error: {}", topics, error.toString());
            end(new AlinkException("the link's messages ended with an error", error));
            return;
        }
        boolean last;
        synchronized (lock) {
            last = --openSources == 0;
        }
        if (last) {
            end(null);
        }
    }

    /** Settles the request {@code r} answers; false if none waits for it. */
    private boolean completeRequest(ThingMessage.Reply r) {
        long id = parseId(r.reply().id());
        if (id < 0) {
            return false; // not an id this device gave
        }
        PendingRequest p;
        synchronized (lock) {
            p = waitingRequest(id);
            if (p == null || !p.isReplyTopic(r.topic())) {
                return false;
            }
            forget(p);
        }
        AlinkReply reply = r.reply();
        if (reply.isSuccess()) {
            p.finish(reply, null, false);
        } else {
            p.finish(null, new AlinkReplyException(p.method, reply), false);
        }
        return true;
    }

    /** Settles the NTP requests {@code n} answers; false if none waits for it. */
    private boolean completeNtp(ThingMessage.NtpResponse n) {
        List<NtpRequest> waiters;
        synchronized (lock) {
            waiters = ntpWaiters == null ? null : ntpWaiters.get(n.deviceSendTime());
            if (waiters == null) {
                return false;
            }
            waiters = new ArrayList<>(waiters);
            waiters.forEach(this::forget);
        }
        waiters.forEach(w -> w.finish(n, null, false));
        return true;
    }

    /** Ends receiving once: fails the waiting requests and completes (or errors) {@link #messages()}. */
    private void end(AlinkException reason) {
        end(reason, true);
    }

    /**
     * Ends the device: fails the waiting requests with {@code reason} (or a generic one), completes
     * {@link #messages()} and stops the timer. The link's streams are cancelled when {@code cancelSources}, else
     * handed back for the caller to cancel (messages they still bring are dropped, the device being ended).
     *
     * @return the link's streams to cancel, when not cancelled here and there are any; else {@code null}
     */
    private Disposable end(AlinkException reason, boolean cancelSources) {
        List<Waiter<?>> waiting = new ArrayList<>();
        LinkReceiver a;
        LinkReceiver b;
        Disposable t;
        synchronized (lock) {
            if (closed) {
                return null;
            }
            closed = true;
            a = subscribed;
            b = unsolicited;
            t = timer;
            timer = null;
            while (oldest != null) {
                waiting.add(oldest);
                forget(oldest);
            }
        }
        Disposable sources = null;
        if (cancelSources) {
            if (a != null) {
                a.dispose();
            }
            if (b != null) {
                b.dispose();
            }
        } else if (a != null) {
            sources = Disposables.composite(a, b); // set together by startReceiving
        }
        if (t != null) {
            t.dispose();
        }
        AlinkException failure = reason != null ? reason : new AlinkException("the link's messages ended before the reply");
        waiting.forEach(w -> {
            w.abandonPublish();
            w.finish(null, failure, false);
        });
        incoming.complete();
        return sources;
    }

    // ---- waiting requests and their timeout ----

    /**
     * Registers {@code w} (guarded by {@link #lock}) at the young end of the deadline list and arms the timer
     * when none is armed. All waiters share one timeout, so the list is in deadline order.
     */
    private void enlist(Waiter<?> w) {
        w.deadline = options.scheduler().now(TimeUnit.MILLISECONDS) + options.replyTimeout().toMillis();
        w.listed = true;
        w.older = newest;
        if (newest == null) {
            oldest = w;
        } else {
            newest.newer = w;
        }
        newest = w;
        if (timer == null) {
            armTimer(options.replyTimeout().toMillis());
        }
    }

    /** Unlinks {@code w} from the maps and the deadline list; guarded by {@link #lock}; false if it was not there. */
    private boolean forget(Waiter<?> w) {
        if (!w.listed) {
            return false;
        }
        w.listed = false;
        if (w instanceof PendingRequest) {
            requestsWaiting--;
        } else if (w instanceof NtpRequest n) {
            List<NtpRequest> list = ntpWaiters == null ? null : ntpWaiters.get(n.sent);
            if (list != null && list.remove(n)) {
                ntpWaiting--;
                if (list.isEmpty()) {
                    ntpWaiters.remove(n.sent);
                }
            }
        }
        if (w.older == null) {
            oldest = w.newer;
        } else {
            w.older.newer = w.newer;
        }
        if (w.newer == null) {
            newest = w.older;
        } else {
            w.newer.older = w.older;
        }
        w.older = null;
        w.newer = null;
        return true;
    }

    private void armTimer(long delayMillis) {
        // guarded by lock
        long max = options.replyTimeout().toMillis();
        long delay = Math.max(1, Math.min(delayMillis, max)); // a clock stepping back must not park it for long
        try {
            timer = options.scheduler().schedule(this::onTimer, delay, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            timer = null;
            log.warn("{}: reply timeouts cannot be scheduled: {}", topics, e.toString());
        }
    }

    /** Times out every waiter whose deadline passed, on the scheduler, and re-arms for the oldest left. */
    private void onTimer() {
        List<Waiter<?>> expired = null;
        synchronized (lock) {
            timer = null;
            if (closed) {
                return;
            }
            long now = options.scheduler().now(TimeUnit.MILLISECONDS);
            while (oldest != null && oldest.deadline <= now) {
                if (expired == null) {
                    expired = new ArrayList<>();
                }
                Waiter<?> w = oldest;
                forget(w);
                expired.add(w);
            }
            if (oldest != null) {
                armTimer(oldest.deadline - now);
            }
        }
        if (expired != null) {
            expired.forEach(Waiter::timeOut);
        }
    }

    @Override
    public String toString() {
        return "AliyunDevice[" + topics.productKey() + "/" + topics.deviceName() + "]";
    }

    /**
     * Reads one link source (the subscriptions or the unsolicited messages) with unbounded demand; the one of
     * the subscriptions also hears of refused filters.
     */
    private final class LinkReceiver extends BaseSubscriber<LinkMessage> implements Consumer<SubscribeAck> {

        @Override
        public void accept(SubscribeAck ack) {
            ack.refused().forEach(AliyunDevice.this::onRefused);
        }

        @Override
        protected void hookOnNext(LinkMessage value) {
            onLinkMessage(value);
        }

        @Override
        protected void hookOnComplete() {
            onSourceEnded(null);
        }

        @Override
        protected void hookOnError(Throwable throwable) {
            onSourceEnded(throwable);
        }
    }

    /**
     * One subscriber's wait for an answer: the {@code Subscription} its {@code Mono} hands out, the subscriber of
     * the publish that carries the request, and an entry of the device's deadline list. Whoever takes it off the
     * list (under the device's lock: the answer, the timer, a cancel, a publish error or the end) settles it;
     * the result reaches the subscriber on the device's scheduler once it has been requested.
     */
    private abstract class Waiter<T> extends SerialDelivery.Task implements Subscription, CoreSubscriber<Void> {

        private static final int REQUESTED = 1;
        private static final int SETTLED = 2;
        private static final int DONE = 4;

        @SuppressWarnings("rawtypes")
        private static final AtomicIntegerFieldUpdater<Waiter> STATE =
                AtomicIntegerFieldUpdater.newUpdater(Waiter.class, "state");
        @SuppressWarnings("rawtypes")
        private static final AtomicReferenceFieldUpdater<Waiter, Subscription> PUBLISH =
                AtomicReferenceFieldUpdater.newUpdater(Waiter.class, Subscription.class, "publish");

        final CoreSubscriber<? super T> actual;
        /** The subscriber's context, fixed for the subscription; the publish asks for it on every signal. */
        private final Context context;
        // guarded by the device's lock
        long deadline;
        boolean listed;
        Waiter<?> older;
        Waiter<?> newer;

        private volatile int state;
        private volatile Subscription publish;
        private T value;
        private Throwable error;

        Waiter(CoreSubscriber<? super T> actual) {
            this.actual = actual;
            this.context = actual.currentContext();
        }

        /** Registers under the device's lock; returns why it cannot wait, or null. */
        abstract Throwable register();

        abstract String topic();

        abstract byte[] payload();

        abstract MqttQos qos();

        abstract Throwable timeoutError();

        /** Hands out the subscription, registers, then publishes the request. */
        final void start() {
            actual.onSubscribe(this);
            if ((state & DONE) != 0) {
                return; // cancelled in onSubscribe
            }
            Throwable refusal;
            synchronized (lock) {
                refusal = closed ? new AlinkException("the device is disconnected") : register();
                if (refusal == null) {
                    enlist(this);
                }
            }
            if (refusal != null) {
                finish(null, refusal, false);
                return;
            }
            Mono<Void> publishing;
            try {
                publishing = link.publish(topic(), payload(), qos());
            } catch (RuntimeException e) {
                fail(e);
                return;
            }
            publishing.subscribe(this);
        }

        /** Takes it off the list and fails it, unless something else settled it first. */
        final void fail(Throwable e) {
            boolean mine;
            synchronized (lock) {
                mine = forget(this);
            }
            if (mine) {
                finish(null, e, false);
            }
        }

        /** The timer took it off the list: fail it now, being on the scheduler already. */
        final void timeOut() {
            abandonPublish();
            finish(null, timeoutError(), true);
        }

        /**
         * Cancels the publish when nobody waits for the answer any more (a timeout, the device's end): one still
         * in the link's outbox is not sent later.
         */
        final void abandonPublish() {
            Operators.terminate(PUBLISH, this);
        }

        /** Settles with a value or an error; the caller took it off the list, so this runs once. */
        final void finish(T v, Throwable e, boolean onScheduler) {
            value = v;
            error = e;
            int s;
            do {
                s = state;
            } while (!STATE.compareAndSet(this, s, s | SETTLED));
            if ((s & DONE) == 0 && (e != null || (s & REQUESTED) != 0)) {
                deliver(onScheduler);
            }
        }

        private void deliver(boolean onScheduler) {
            if (onScheduler || options.deliverOnLinkThread()) {
                run(); // where it happens; with deliverOnLinkThread no drain is needed to keep order per thread
                return;
            }
            delivery.execute(this);
        }

        /** Delivers the settled result to the subscriber, once. */
        @Override
        public final void run() {
            for (;;) {
                int s = state;
                if ((s & DONE) != 0 || (s & SETTLED) == 0 || (error == null && (s & REQUESTED) == 0)) {
                    return;
                }
                if (STATE.compareAndSet(this, s, s | DONE)) {
                    break;
                }
            }
            Throwable e = error;
            if (e != null) {
                actual.onError(e);
            } else {
                T v = value;
                value = null;
                actual.onNext(v);
                actual.onComplete();
            }
        }

        @Override
        public final void request(long n) {
            if (!Operators.validate(n)) {
                return;
            }
            int s;
            do {
                s = state;
                if ((s & (REQUESTED | DONE)) != 0) {
                    return;
                }
            } while (!STATE.compareAndSet(this, s, s | REQUESTED));
            if ((s & SETTLED) != 0) {
                deliver(false);
            }
        }

        @Override
        public final void cancel() {
            int s;
            do {
                s = state;
                if ((s & DONE) != 0) {
                    return;
                }
            } while (!STATE.compareAndSet(this, s, s | DONE));
            synchronized (lock) {
                forget(this);
            }
            Operators.terminate(PUBLISH, this);
            value = null;
        }

        // ---- the publish carrying the request ----

        @Override
        public final void onSubscribe(Subscription s) {
            if (Operators.setOnce(PUBLISH, this, s)) {
                s.request(Long.MAX_VALUE);
            }
        }

        @Override
        public final void onNext(Void v) {
            // a publish emits no value
        }

        @Override
        public final void onError(Throwable e) {
            fail(e);
        }

        @Override
        public final void onComplete() {
            // sent (or acknowledged): the answer is what completes the request
        }

        @Override
        public final Context currentContext() {
            return context;
        }
    }

    /** The {@code Mono} of {@link #request}: each subscriber sends the request once and awaits its reply. */
    private final class RequestMono extends Mono<AlinkReply> {
        private final String topic;
        private final String method;
        private final AlinkJson.RequestFrame frame;

        RequestMono(String topic, String method, AlinkJson.RequestFrame frame) {
            this.topic = topic;
            this.method = method;
            this.frame = frame;
        }

        @Override
        public void subscribe(CoreSubscriber<? super AlinkReply> actual) {
            new PendingRequest(actual, this).start();
        }
    }

    /** A request awaiting the reply with its id on its reply topic. */
    private final class PendingRequest extends Waiter<AlinkReply> {
        final RequestMono request;
        final String method;
        /** Given under the lock by {@link #register()}. */
        long id;

        PendingRequest(CoreSubscriber<? super AlinkReply> actual, RequestMono request) {
            super(actual);
            this.request = request;
            this.method = request.method;
        }

        /**
         * Whether {@code topic} is this request's topic followed by {@code _reply}, without building that. The
         * last pair that matched is remembered: the link's decoder hands out one string instance per topic it sees
         * repeatedly, so a reply on the same topic as the last one is checked with one intrinsic {@code equals}.
         * Called under the device's lock, which guards the remembered pair.
         */
        boolean isReplyTopic(String topic) {
            String t = request.topic;
            if (topic == lastReplyTopic) {
                return t.equals(lastRequestTopic); // the reply topic names exactly one request topic
            }
            boolean match = topic.length() == t.length() + AlinkTopics.REPLY_SUFFIX.length() && topic.startsWith(t)
                    && topic.endsWith(AlinkTopics.REPLY_SUFFIX);
            if (match) {
                lastReplyTopic = topic;
                lastRequestTopic = t;
            }
            return match;
        }

        @Override
        Throwable register() {
            if (requestsWaiting + ntpWaiting >= options.maxPendingRequests()) {
                return new TooManyPendingRequestsException(options.maxPendingRequests());
            }
            id = nextFreeId();
            requestsWaiting++;
            return null;
        }

        @Override
        String topic() {
            return request.topic;
        }

        @Override
        byte[] payload() {
            return request.frame.withId(id);
        }

        @Override
        MqttQos qos() {
            return options.publishQos();
        }

        @Override
        Throwable timeoutError() {
            return new AlinkTimeoutException(method, Long.toString(id), options.replyTimeout());
        }
    }

    /** The {@code Mono} of {@link #syncTime}. */
    private final class NtpMono extends Mono<ThingMessage.NtpResponse> {
        @Override
        public void subscribe(CoreSubscriber<? super ThingMessage.NtpResponse> actual) {
            new NtpRequest(actual).start();
        }
    }

    /** An NTP request awaiting the response that carries its deviceSendTime. */
    private final class NtpRequest extends Waiter<ThingMessage.NtpResponse> {
        long sent;

        NtpRequest(CoreSubscriber<? super ThingMessage.NtpResponse> actual) {
            super(actual);
        }

        @Override
        Throwable register() {
            if (requestsWaiting + ntpWaiting >= options.maxPendingRequests()) {
                return new TooManyPendingRequestsException(options.maxPendingRequests());
            }
            sent = options.clock().getAsLong();
            if (ntpWaiters == null) {
                ntpWaiters = new HashMap<>();
            }
            ntpWaiters.computeIfAbsent(sent, k -> new ArrayList<>(1)).add(this);
            ntpWaiting++;
            return null;
        }

        @Override
        String topic() {
            return topics.ntpRequest();
        }

        @Override
        byte[] payload() {
            return AlinkJson.encodeValue(Map.of("deviceSendTime", Long.toString(sent)));
        }

        @Override
        MqttQos qos() {
            return MqttQos.AT_MOST_ONCE;
        }

        @Override
        Throwable timeoutError() {
            return new AlinkTimeoutException("NTP request deviceSendTime", Long.toString(sent), options.replyTimeout());
        }
    }
}
