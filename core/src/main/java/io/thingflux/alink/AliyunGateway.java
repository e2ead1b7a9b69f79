package io.thingflux.alink;

import io.thingflux.alink.internal.IncomingRouter;
import io.thingflux.alink.internal.PendingRequests;
import io.thingflux.alink.internal.RoutedLink;
import io.thingflux.aliyun.AliyunDeviceIdentity;
import io.thingflux.aliyun.AliyunSigner;
import io.thingflux.link.LinkMessage;
import io.thingflux.link.LinkState;
import io.thingflux.link.MqttLink;
import io.thingflux.link.SubscribeAck;
import io.thingflux.link.SubscriptionRefusedException;
import io.thingflux.mqtt.MqttQos;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * An Aliyun gateway on one {@link MqttLink}: manages its topology ({@code thing/topo/add, delete,
 * get}, each sub-device signed with its own secret), registers sub-devices ({@code
 * thing/sub/register}), logs sub-devices in and out one by one or in batches ({@code
 * /ext/session/{gwPk}/{gwDn}/combine/...}, QoS 0), and makes each logged-in sub-device a whole
 * {@link AliyunDevice} with the API of a directly connected one (posts, property sets, service
 * calls, replies, RRPC) and its own {@link AliyunDevice#messages()}, on the gateway's connection.
 *
 * <h2>Routing</h2>
 *
 * {@link #connect()} connects the link and subscribes once to {@link
 * GatewayTopics#subscriptions()}: wildcard filters ({@code /sys/+/+/...}) that carry the
 * thing-model messages of the gateway and all its sub-devices, and the gateway's topology and
 * session topics. Each message goes to the device its topic names, found in one hash map by {@code
 * pk/dn}: the cost per message does not grow with the number of sub-devices. A message for a device
 * that is not logged in is counted ({@link #unroutedMessages()}) and dropped. Topology and session
 * replies settle the request with their id; the platform's notices ({@code topo/add/notify}, {@code
 * topo/change}, sub-device disable, enable, delete) come out of {@link #notifications()}.
 *
 * <h2>Limits</h2>
 *
 * Checked before anything is sent: at most {@value AliyunGatewayOptions#MAX_BATCH_LOGIN}
 * sub-devices per batch login or logout and {@value AliyunGatewayOptions#MAX_BATCH_REGISTER} per
 * batch registration ({@link IllegalArgumentException} at the call), at most {@link
 * AliyunGatewayOptions#maxSubDevices()} logged in ({@link GatewayLimitException}). A refusal by the
 * platform fails with {@link GatewayRefusedException} naming the {@link GatewayErrorCode}; no reply
 * within the device options' reply timeout with {@link AlinkTimeoutException}, the request
 * forgotten.
 *
 * <h2>Reconnects</h2>
 *
 * When the link drops, every sub-device's waiting requests fail with {@link
 * SubDeviceOfflineException} and its publishes are refused with it until it is logged in again.
 * When the link is back and has restored the gateway's subscription, the gateway logs the
 * sub-devices in again, in batches of {@value AliyunGatewayOptions#MAX_BATCH_LOGIN}.
 *
 * <h2>Threads</h2>
 *
 * As for {@link AliyunDevice}: signals arrive on the link's I/O thread, or on the device options'
 * scheduler when one is set. Secrets of sub-devices are kept for the logins after a reconnect and
 * never logged or shown.
 */
public final class AliyunGateway {

    private static final Logger log = LoggerFactory.getLogger(AliyunGateway.class);

    private final MqttLink link;
    private final GatewayTopics topics;
    private final AliyunGatewayOptions options;
    private final AliyunDeviceOptions deviceOptions;
    private final Scheduler scheduler;
    private final PendingRequests<String, AlinkReply> pending;
    private final Sinks.Many<GatewayNotification> notifications;

    /** The gateway's own device and every logged-in sub-device, by {@code pk/dn}. */
    private final ConcurrentHashMap<String, RoutedLink> routes = new ConcurrentHashMap<>();

    private final RoutedLink self;
    private final AliyunDevice selfDevice;
    private final RoutedLink.Owner owner = new Owner();

    /**
     * The sub-devices' own subscriptions on the link, by {@code pk/dn}, with {@link
     * AliyunGatewayOptions#subscribePerSubDevice()} only.
     */
    private final ConcurrentHashMap<String, Disposable> wire = new ConcurrentHashMap<>();

    private final Disposable.Composite background = Disposables.composite();

    private final Object lock = new Object();

    /** Guarded by {@link #lock}. */
    private Sinks.One<Void> ready;

    /** Guarded by {@link #lock}. */
    private boolean closed;

    /** Sub-devices being logged in now, counted against the limit; guarded by {@link #lock}. */
    private int loggingIn;

    private volatile long unrouted;
    private volatile long droppedNotifications;

    private AliyunGateway(
            MqttLink link, String productKey, String deviceName, AliyunGatewayOptions options) {
        this.link = Objects.requireNonNull(link, "link");
        this.topics = new GatewayTopics(productKey, deviceName);
        this.options = Objects.requireNonNull(options, "options");
        this.deviceOptions = options.deviceOptions();
        this.scheduler = deviceOptions.scheduler().orElse(null);
        this.pending =
                new PendingRequests<>(
                        deviceOptions.maxPendingRequests(),
                        deviceOptions.replyTimeout(),
                        Schedulers.parallel(),
                        TooManyPendingRequestsException::new);
        this.notifications =
                Sinks.many().multicast().onBackpressureBuffer(options.notificationBufferSize());
        this.self = new RoutedLink(link, owner);
        self.online(true);
        this.selfDevice = AliyunDevice.create(self, productKey, deviceName, deviceOptions);
        self.attach(selfDevice);
        routes.put(productKey + "/" + deviceName, self);
    }

    /** A gateway with the default options. */
    public static AliyunGateway create(MqttLink link, AliyunDeviceIdentity gateway) {
        return create(link, gateway, AliyunGatewayOptions.defaults());
    }

    /** A gateway on {@code link}, which must already carry {@code gateway}'s credentials. */
    public static AliyunGateway create(
            MqttLink link, AliyunDeviceIdentity gateway, AliyunGatewayOptions options) {
        return new AliyunGateway(link, gateway.productKey(), gateway.deviceName(), options);
    }

    public GatewayTopics topics() {
        return topics;
    }

    public AliyunGatewayOptions options() {
        return options;
    }

    /**
     * The gateway's own thing-model device; its {@link AliyunDevice#disconnect()} disconnects the
     * gateway.
     */
    public AliyunDevice device() {
        return selfDevice;
    }

    /**
     * Connects the link and subscribes to {@link GatewayTopics#subscriptions()} and the options'
     * additional filters in one subscription; completes when the broker acknowledged them all, or
     * fails with {@link SubscriptionRefusedException} naming the refused ones.
     */
    public Mono<Void> connect() {
        return delivered(link.connect().then(receive()).then(selfDevice.startReceiving()));
    }

    private Mono<Void> receive() {
        return Mono.defer(
                () -> {
                    Sinks.One<Void> r;
                    boolean start = false;
                    synchronized (lock) {
                        if (closed) {
                            return Mono.error(new AlinkException("the gateway is disconnected"));
                        }
                        r = ready;
                        if (r == null) {
                            r = Sinks.one();
                            ready = r;
                            start = true;
                        }
                    }
                    if (start) {
                        Sinks.One<Void> first = r;
                        List<String> filters =
                                new ArrayList<>(
                                        options.subscribePerSubDevice()
                                                ? topics.ownSubscriptions()
                                                : topics.subscriptions());
                        deviceOptions.additionalSubscriptions().stream()
                                .filter(f -> !filters.contains(f))
                                .forEach(filters::add);
                        Source source = new Source();
                        background.add(source);
                        background.add(link.states().subscribe(this::onState, e -> {}));
                        link.subscribe(
                                        filters,
                                        deviceOptions.subscribeQos(),
                                        new Acks(first, source))
                                .subscribe(source);
                    }
                    return r.asMono();
                });
    }

    /** The broker's answers to the gateway's subscription: the first, and after each reconnect. */
    private final class Acks implements Consumer<SubscribeAck> {
        private final Sinks.One<Void> first;
        private final Source source;
        private boolean acknowledged;

        Acks(Sinks.One<Void> first, Source source) {
            this.first = first;
            this.source = source;
        }

        @Override
        public void accept(SubscribeAck ack) {
            if (!acknowledged) {
                acknowledged = true;
                if (ack.allGranted()) {
                    first.tryEmitEmpty();
                } else {
                    log.warn("{}: subscriptions to {} refused", topics, ack.refused());
                    first.tryEmitError(new SubscriptionRefusedException(ack.refused()));
                    source.dispose();
                }
                return;
            }
            if (!ack.allGranted()) {
                log.warn("{}: resubscriptions to {} refused", topics, ack.refused());
            }
            loginAgain();
        }
    }

    private void onState(LinkState state) {
        if (state == LinkState.RECONNECTING || state == LinkState.DISCONNECTED) {
            int n = 0;
            for (RoutedLink r : routes.values()) {
                if (r != self && r.isOnline()) {
                    r.online(false);
                    AliyunDevice d = device(r);
                    d.failPending(
                            () ->
                                    offline(
                                            d.topics().productKey()
                                                    + "/"
                                                    + d.topics().deviceName()
                                                    + ": the gateway's link dropped; it is logged"
                                                    + " in again when the link is back"));
                    n++;
                }
            }
            if (n > 0) {
                log.info("{}: link {}, {} sub-devices offline until it is back", topics, state, n);
            }
        }
    }

    /** Logs every sub-device in again, in batches, after the link came back. */
    private void loginAgain() {
        List<AliyunDeviceIdentity> all = new ArrayList<>();
        for (RoutedLink r : routes.values()) {
            if (r != self) {
                all.add((AliyunDeviceIdentity) r.identity());
            }
        }
        if (all.isEmpty()) {
            return;
        }
        log.info("{}: logging {} sub-devices in again", topics, all.size());
        background.add(
                Flux.fromIterable(chunks(all, AliyunGatewayOptions.MAX_BATCH_LOGIN))
                        .concatMap(
                                batch ->
                                        sessionLogin(batch)
                                                .onErrorResume(
                                                        e -> {
                                                            log.warn(
                                                                    "{}: {} sub-devices not logged"
                                                                            + " in again: {}",
                                                                    topics,
                                                                    batch.size(),
                                                                    e.toString());
                                                            return Mono.empty();
                                                        }))
                        .subscribe());
    }

    /**
     * The platform's notices about the gateway's sub-devices; shared by all subscribers, held up to
     * {@link AliyunGatewayOptions#notificationBufferSize()} for the slowest (the newest dropped
     * beyond, and logged). Completes on {@link #disconnect()}.
     */
    public Flux<GatewayNotification> notifications() {
        Flux<GatewayNotification> all = notifications.asFlux();
        return scheduler == null ? all : all.publishOn(scheduler);
    }

    /** Answers a notification with {@code code} (200 for success) and empty data. */
    public Mono<Void> reply(GatewayNotification notification, int code) {
        Objects.requireNonNull(notification, "notification");
        return delivered(
                Mono.defer(
                        () ->
                                link.publish(
                                        notification.replyTopic(),
                                        AlinkJson.encodeReply(
                                                notification.id(), code, Map.of(), null),
                                        deviceOptions.publishQos())));
    }

    // ---- topology and registration

    /**
     * Adds sub-devices to the gateway's topology ({@code thing.topo.add}), each signed with its own
     * secret.
     *
     * @return the sub-devices the platform added
     */
    public Mono<List<SubDeviceRef>> addTopology(List<AliyunDeviceIdentity> subDevices) {
        requireBatch(subDevices, options.maxSubDevices(), "topology addition");
        List<Object> params = new ArrayList<>(subDevices.size());
        for (AliyunDeviceIdentity d : subDevices) {
            params.add(signed(d, "signmethod", false));
        }
        return delivered(
                request(topics.topoAdd(), "thing.topo.add", params, deviceOptions.publishQos())
                        .map(r -> refs(r.data())));
    }

    /** Deletes sub-devices from the gateway's topology ({@code thing.topo.delete}). */
    public Mono<Void> deleteTopology(List<SubDeviceRef> subDevices) {
        requireBatch(subDevices, options.maxSubDevices(), "topology deletion");
        return delivered(
                request(
                                topics.topoDelete(),
                                "thing.topo.delete",
                                refParams(subDevices),
                                deviceOptions.publishQos())
                        .then());
    }

    /** The gateway's topology as the platform knows it ({@code thing.topo.get}). */
    public Mono<List<SubDeviceRef>> getTopology() {
        return delivered(
                request(topics.topoGet(), "thing.topo.get", Map.of(), deviceOptions.publishQos())
                        .map(r -> refs(r.data())));
    }

    /**
     * Registers sub-devices dynamically ({@code thing.sub.register}, at most {@value
     * AliyunGatewayOptions#MAX_BATCH_REGISTER}); returns their identities with the secrets the
     * platform issued.
     */
    public Mono<List<AliyunDeviceIdentity>> register(List<SubDeviceRef> subDevices) {
        requireBatch(subDevices, AliyunGatewayOptions.MAX_BATCH_REGISTER, "registration");
        return delivered(
                request(
                                topics.subRegister(),
                                "thing.sub.register",
                                refParams(subDevices),
                                deviceOptions.publishQos())
                        .map(
                                r -> {
                                    List<AliyunDeviceIdentity> out = new ArrayList<>();
                                    if (r.data() instanceof List<?> l) {
                                        for (Object o : l) {
                                            if (o instanceof Map<?, ?> m
                                                    && m.get("deviceSecret") instanceof String s) {
                                                out.add(
                                                        new AliyunDeviceIdentity(
                                                                String.valueOf(m.get("productKey")),
                                                                String.valueOf(m.get("deviceName")),
                                                                s));
                                            }
                                        }
                                    }
                                    return out;
                                }));
    }

    // ---- sessions

    /**
     * Logs one sub-device in ({@code combine.login}); completes with it as a device once the
     * platform accepted, its messages routed from then on.
     */
    public Mono<AliyunDevice> login(AliyunDeviceIdentity subDevice) {
        Objects.requireNonNull(subDevice, "subDevice");
        return login(List.of(subDevice)).map(l -> l.get(0));
    }

    /**
     * Logs sub-devices in: one with {@code combine.login}, more with {@code combine.batch_login}
     * (at most {@value AliyunGatewayOptions#MAX_BATCH_LOGIN}).
     *
     * @return the devices, in the order given
     * @throws IllegalArgumentException for an empty batch, one over the limit, or a repeated device
     */
    public Mono<List<AliyunDevice>> login(List<AliyunDeviceIdentity> subDevices) {
        requireBatch(subDevices, AliyunGatewayOptions.MAX_BATCH_LOGIN, "login");
        return delivered(
                Mono.defer(
                        () -> {
                            int fresh = 0;
                            for (AliyunDeviceIdentity d : subDevices) {
                                if (!routes.containsKey(key(d))) {
                                    fresh++;
                                }
                            }
                            int n = fresh;
                            synchronized (lock) {
                                int held = routes.size() - 1 + loggingIn;
                                if (held + n > options.maxSubDevices()) {
                                    return Mono.error(
                                            new GatewayLimitException(
                                                    "logging in "
                                                            + n
                                                            + " more sub-devices would pass the"
                                                            + " gateway's limit of "
                                                            + options.maxSubDevices()
                                                            + " ("
                                                            + held
                                                            + " held)"));
                                }
                                loggingIn += n;
                            }
                            return sessionLogin(subDevices)
                                    .doFinally(
                                            s -> {
                                                synchronized (lock) {
                                                    loggingIn -= n;
                                                }
                                            });
                        }));
    }

    /**
     * Logs any number of sub-devices in, in batches of {@value
     * AliyunGatewayOptions#MAX_BATCH_LOGIN} one after the other; emits each batch's devices.
     */
    public Flux<AliyunDevice> loginAll(List<AliyunDeviceIdentity> subDevices) {
        return Flux.fromIterable(chunks(subDevices, AliyunGatewayOptions.MAX_BATCH_LOGIN))
                .concatMap(this::login)
                .flatMapIterable(l -> l);
    }

    private Mono<List<AliyunDevice>> sessionLogin(List<AliyunDeviceIdentity> batch) {
        Mono<AlinkReply> reply;
        if (batch.size() == 1) {
            reply =
                    request(
                            topics.login(),
                            "combine.login",
                            signed(batch.get(0), "signMethod", true),
                            MqttQos.AT_MOST_ONCE);
        } else {
            List<Object> list = new ArrayList<>(batch.size());
            for (AliyunDeviceIdentity d : batch) {
                list.add(signed(d, "signMethod", true));
            }
            reply =
                    request(
                            topics.batchLogin(),
                            "combine.batch_login",
                            Map.of("deviceList", list),
                            MqttQos.AT_MOST_ONCE);
        }
        // settled on the link's I/O thread: the devices are routed before the next message
        return reply.map(r -> loggedIn(batch));
    }

    private List<AliyunDevice> loggedIn(List<AliyunDeviceIdentity> batch) {
        List<AliyunDevice> devices = new ArrayList<>(batch.size());
        for (AliyunDeviceIdentity d : batch) {
            RoutedLink r = routes.compute(key(d), (k, old) -> old == null ? newSubDevice(d) : old);
            r.identity(d);
            r.online(true);
            if (options.subscribePerSubDevice()) {
                wire.computeIfAbsent(key(d), k -> subscribeOnTheWire(d));
            }
            AliyunDevice device = device(r);
            device.startReceiving().subscribe(v -> {}, e -> {});
            devices.add(device);
        }
        return devices;
    }

    private RoutedLink newSubDevice(AliyunDeviceIdentity d) {
        RoutedLink l = new RoutedLink(link, owner);
        l.attach(AliyunDevice.create(l, d.productKey(), d.deviceName(), deviceOptions));
        return l;
    }

    private static AliyunDevice device(RoutedLink l) {
        return (AliyunDevice) l.device();
    }

    /** What the sub-devices' links do on disconnect and on a publish while offline. */
    private final class Owner implements RoutedLink.Owner {
        @Override
        public Mono<Void> disconnect(RoutedLink l) {
            if (l == self) {
                return AliyunGateway.this.disconnect();
            }
            AliyunDevice d = device(l);
            return logout(new SubDeviceRef(d.topics().productKey(), d.topics().deviceName()));
        }

        @Override
        public RuntimeException offline(RoutedLink l) {
            AliyunDevice d = device(l);
            return AliyunGateway.offline(
                    d.topics().productKey()
                            + "/"
                            + d.topics().deviceName()
                            + " is not logged in (the gateway's link dropped?)");
        }
    }

    /**
     * Logs a sub-device out ({@code combine.logout}); its device ends (messages complete, requests
     * fail). A refusal by the platform still ends it here.
     */
    public Mono<Void> logout(SubDeviceRef subDevice) {
        Objects.requireNonNull(subDevice, "subDevice");
        return logout(List.of(subDevice));
    }

    /**
     * Logs sub-devices out: one with {@code combine.logout}, more with {@code combine.batch_logout}
     * (at most {@value AliyunGatewayOptions#MAX_BATCH_LOGIN}).
     */
    public Mono<Void> logout(List<SubDeviceRef> subDevices) {
        requireBatch(subDevices, AliyunGatewayOptions.MAX_BATCH_LOGIN, "logout");
        Mono<AlinkReply> reply =
                subDevices.size() == 1
                        ? request(
                                topics.logout(),
                                "combine.logout",
                                refParam(subDevices.get(0)),
                                MqttQos.AT_MOST_ONCE)
                        : request(
                                topics.batchLogout(),
                                "combine.batch_logout",
                                refParams(subDevices),
                                MqttQos.AT_MOST_ONCE);
        return delivered(
                reply.then()
                        .onErrorResume(
                                GatewayRefusedException.class,
                                e -> {
                                    subDevices.forEach(this::drop);
                                    return Mono.error(e);
                                })
                        .doOnSuccess(v -> subDevices.forEach(this::drop)));
    }

    /** Ends sub-device {@code ref} here (no message sent). */
    /** Subscribes sub-device {@code d}'s filters on the link, its messages routed as all are. */
    private Disposable subscribeOnTheWire(AliyunDeviceIdentity d) {
        return link.subscribe(
                        GatewayTopics.subDeviceSubscriptions(d.productKey(), d.deviceName()),
                        deviceOptions.subscribeQos(),
                        ack -> {
                            if (!ack.allGranted()) {
                                log.warn("{}: {} refused for {}", topics, ack.refused(), key(d));
                            }
                        })
                .subscribe(
                        this::route,
                        e ->
                                log.warn(
                                        "{}: {} stopped receiving: {}",
                                        topics,
                                        key(d),
                                        e.toString()));
    }

    private void drop(SubDeviceRef ref) {
        RoutedLink r = routes.get(ref.key());
        if (r != null && r != self && routes.remove(ref.key(), r)) {
            r.end();
            Disposable d = wire.remove(ref.key());
            if (d != null) {
                d.dispose();
            }
        }
    }

    /** The logged-in sub-device {@code ref}, if it is. */
    public Optional<AliyunDevice> subDevice(SubDeviceRef ref) {
        RoutedLink r = routes.get(ref.key());
        return r == null || r == self ? Optional.empty() : Optional.of(device(r));
    }

    /** The logged-in sub-devices now. */
    public List<AliyunDevice> subDevices() {
        List<AliyunDevice> all = new ArrayList<>(routes.size());
        for (RoutedLink r : routes.values()) {
            if (r != self) {
                all.add(device(r));
            }
        }
        return all;
    }

    /** How many sub-devices are logged in now. */
    public int subDeviceCount() {
        return routes.size() - 1;
    }

    /** How many messages arrived for a device that is not logged in, and were dropped. */
    public long unroutedMessages() {
        return unrouted;
    }

    /** How many gateway requests await a reply now. */
    public int pendingRequests() {
        return pending.size();
    }

    /**
     * Ends every sub-device and the gateway's own device, fails waiting requests, completes {@link
     * #notifications()} and disconnects the link (no logout is sent: the platform takes the
     * sub-devices offline with their gateway).
     */
    public Mono<Void> disconnect() {
        return delivered(
                Mono.defer(
                        () -> {
                            synchronized (lock) {
                                if (closed) {
                                    return Mono.empty();
                                }
                                closed = true;
                            }
                            pending.close(() -> new AlinkException("the gateway is disconnected"));
                            for (RoutedLink r : routes.values()) {
                                r.end();
                            }
                            notifications.tryEmitComplete();
                            return link.disconnect()
                                    .doFinally(
                                            s -> {
                                                background.dispose();
                                                wire.values().forEach(Disposable::dispose);
                                            });
                        }));
    }

    // ---- incoming

    /** Routes one message from the gateway's subscription (on the link's I/O thread). */
    private void route(LinkMessage m) {
        String t = m.topic();
        if (topics.isManagement(t)) {
            onManagement(m);
            return;
        }
        String key = GatewayTopics.deviceKey(t);
        if (key == null) {
            self.deliver(m); // e.g. the gateway's custom topics
            return;
        }
        if (t.startsWith("/sys/") && onSubDeviceChange(m, key)) {
            return;
        }
        RoutedLink r = routes.get(key);
        if (r == null) {
            long n = ++unrouted; // the I/O thread is the one writer
            if (Long.bitCount(n) == 1) {
                log.warn(
                        "{}: message on {} for a device that is not logged in dropped ({} so far)",
                        topics,
                        t,
                        n);
            }
            return;
        }
        r.deliver(m);
    }

    private boolean onSubDeviceChange(LinkMessage m, String key) {
        String t = m.topic();
        int rest = 5 + key.length() + 1;
        GatewayNotification.SubDeviceChange.Kind kind;
        if (t.length() == rest + "thing/disable".length() && t.endsWith("/thing/disable")) {
            kind = GatewayNotification.SubDeviceChange.Kind.DISABLE;
        } else if (t.length() == rest + "thing/enable".length() && t.endsWith("/thing/enable")) {
            kind = GatewayNotification.SubDeviceChange.Kind.ENABLE;
        } else if (t.length() == rest + "thing/delete".length() && t.endsWith("/thing/delete")) {
            kind = GatewayNotification.SubDeviceChange.Kind.DELETE;
        } else {
            return false;
        }
        int slash = key.indexOf('/');
        SubDeviceRef ref = new SubDeviceRef(key.substring(0, slash), key.substring(slash + 1));
        String id;
        try {
            id = AlinkJson.decodeRequest(m.payloadUnsafe()).id();
        } catch (RuntimeException e) {
            log.warn("{}: malformed {} notice on {}: {}", topics, kind, t, e.getMessage());
            return true;
        }
        if (kind == GatewayNotification.SubDeviceChange.Kind.DELETE) {
            drop(ref);
        }
        notify(new GatewayNotification.SubDeviceChange(t, id, ref, kind));
        return true;
    }

    private void onManagement(LinkMessage m) {
        String t = m.topic();
        try {
            if (t.endsWith(AlinkTopics.REPLY_SUFFIX)) {
                AlinkReply reply = AlinkJson.decodeReply(m.payloadUnsafe());
                long id = IncomingRouter.parseId(reply.id());
                String request = t.substring(0, t.length() - AlinkTopics.REPLY_SUFFIX.length());
                if (id < 0 || !pending.complete(id, request::equals, reply)) {
                    log.debug("{}: reply on {} id {} awaited by nobody", topics, t, reply.id());
                }
                return;
            }
            if (t.equals(topics.topoAddNotify())) {
                AlinkRequest r = AlinkJson.decodeRequest(m.payloadUnsafe());
                notify(new GatewayNotification.TopoAddNotify(t, r.id(), refs(r.params())));
            } else if (t.equals(topics.topoChange())) {
                AlinkRequest r = AlinkJson.decodeRequest(m.payloadUnsafe());
                Map<String, Object> p = r.paramsAsMap();
                int status = p.get("status") instanceof Number n ? n.intValue() : -1;
                List<SubDeviceRef> devices = refs(p.get("subList"));
                if (status == GatewayNotification.TopoChange.DELETED) {
                    devices.forEach(this::drop);
                }
                notify(new GatewayNotification.TopoChange(t, r.id(), status, devices));
            } else {
                log.debug("{}: no handler for {}", topics, t);
            }
        } catch (RuntimeException e) {
            log.warn("{}: malformed message on {}: {}", topics, t, e.getMessage());
        }
    }

    private void notify(GatewayNotification n) {
        Sinks.EmitResult result = notifications.tryEmitNext(n);
        if (result.isFailure() && result != Sinks.EmitResult.FAIL_ZERO_SUBSCRIBER) {
            long d = ++droppedNotifications;
            if (Long.bitCount(d) == 1) {
                log.warn("{}: notification {} dropped ({}), {} so far", topics, n, result, d);
            }
        }
    }

    /** The gateway's subscription, read on the link's I/O thread. */
    private final class Source extends BaseSubscriber<LinkMessage> {
        @Override
        protected void hookOnNext(LinkMessage m) {
            route(m);
        }

        @Override
        protected void hookOnComplete() {
            ended(new AlinkException("the gateway's link ended"));
        }

        @Override
        protected void hookOnError(Throwable error) {
            ended(new AlinkException("the gateway's link ended with an error", error));
        }
    }

    private void ended(AlinkException reason) {
        Sinks.One<Void> r;
        synchronized (lock) {
            r = ready;
            closed = true;
        }
        if (r != null) {
            r.tryEmitError(reason);
        }
        pending.close(() -> reason);
        for (RoutedLink x : routes.values()) {
            x.end();
        }
        notifications.tryEmitComplete();
    }

    // ---- helpers

    private Mono<AlinkReply> request(String topic, String method, Object params, MqttQos qos) {
        return pending.request(
                        topic,
                        id ->
                                link.publish(
                                        topic,
                                        AlinkJson.encodeRequest(
                                                Long.toString(id), method, params, null),
                                        qos),
                        id ->
                                new AlinkTimeoutException(
                                        method, Long.toString(id), deviceOptions.replyTimeout()))
                .handle(
                        (r, sink) -> {
                            if (r.isSuccess()) {
                                sink.next(r);
                            } else {
                                sink.error(new GatewayRefusedException(method, r));
                            }
                        });
    }

    /**
     * The signed identity a topology addition ({@code signmethod}) or a login ({@code signMethod},
     * with {@code cleanSession}) carries: clientId {@code pk.dn}, timestamp now, sign over {@code
     * clientId..deviceName..productKey..timestamp..} with the sub-device's secret.
     */
    private Map<String, Object> signed(AliyunDeviceIdentity d, String methodField, boolean login) {
        String clientId = d.productKey() + "." + d.deviceName();
        String timestamp = Long.toString(deviceOptions.clock().getAsLong());
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("productKey", d.productKey());
        p.put("deviceName", d.deviceName());
        p.put("clientId", clientId);
        p.put("timestamp", timestamp);
        p.put(methodField, options.signMethod().wireName());
        p.put(
                "sign",
                AliyunSigner.password(
                        options.signMethod(),
                        d.deviceSecret(),
                        clientId,
                        d.deviceName(),
                        d.productKey(),
                        timestamp));
        if (login) {
            p.put("cleanSession", "true");
        }
        return p;
    }

    private static Map<String, Object> refParam(SubDeviceRef r) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("productKey", r.productKey());
        p.put("deviceName", r.deviceName());
        return p;
    }

    private static List<Object> refParams(List<SubDeviceRef> refs) {
        List<Object> list = new ArrayList<>(refs.size());
        refs.forEach(r -> list.add(refParam(r)));
        return list;
    }

    /** The {@code [{productKey, deviceName}, ...]} in {@code data}, or none. */
    static List<SubDeviceRef> refs(Object data) {
        List<SubDeviceRef> out = new ArrayList<>();
        if (data instanceof List<?> l) {
            for (Object o : l) {
                if (o instanceof Map<?, ?> m
                        && m.get("productKey") instanceof String pk
                        && m.get("deviceName") instanceof String dn) {
                    out.add(new SubDeviceRef(pk, dn));
                }
            }
        }
        return out;
    }

    private static void requireBatch(List<?> batch, int max, String what) {
        Objects.requireNonNull(batch, what);
        if (batch.isEmpty()) {
            throw new IllegalArgumentException("a " + what + " needs at least one sub-device");
        }
        if (batch.size() > max) {
            throw new IllegalArgumentException(
                    "a "
                            + what
                            + " carries at most "
                            + max
                            + " sub-devices, "
                            + batch.size()
                            + " given");
        }
        Set<String> seen = new HashSet<>();
        for (Object o : batch) {
            String k =
                    o instanceof AliyunDeviceIdentity d
                            ? key(d)
                            : ((SubDeviceRef) Objects.requireNonNull(o, "sub-device")).key();
            if (!seen.add(k)) {
                throw new IllegalArgumentException("sub-device " + k + " is given twice");
            }
        }
    }

    private static <T> List<List<T>> chunks(List<T> all, int size) {
        List<List<T>> out = new ArrayList<>();
        for (int i = 0; i < all.size(); i += size) {
            out.add(List.copyOf(all.subList(i, Math.min(all.size(), i + size))));
        }
        return out;
    }

    private static String key(AliyunDeviceIdentity d) {
        return d.productKey() + "/" + d.deviceName();
    }

    private static SubDeviceOfflineException offline(String what) {
        return new SubDeviceOfflineException(what);
    }

    private <T> Mono<T> delivered(Mono<T> signals) {
        return scheduler == null ? signals : signals.publishOn(scheduler);
    }

    @Override
    public String toString() {
        return "AliyunGateway["
                + topics.gateway().productKey()
                + "/"
                + topics.gateway().deviceName()
                + "]";
    }
}
