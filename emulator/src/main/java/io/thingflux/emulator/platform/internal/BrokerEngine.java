package io.thingflux.emulator.platform.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thingflux.emulator.platform.AuthMode;
import io.thingflux.emulator.platform.BrokerStats;
import io.thingflux.emulator.platform.DeviceStatus;
import io.thingflux.emulator.platform.DistinctPublish;
import io.thingflux.emulator.platform.EmulatorOptions;
import io.thingflux.emulator.platform.EmulatorRequestException;
import io.thingflux.emulator.platform.PropertyValue;
import io.thingflux.emulator.platform.ReceivedPublish;
import io.thingflux.mqtt.Connect;
import io.thingflux.mqtt.MqttQos;
import io.thingflux.mqtt.MqttTopics;
import io.thingflux.mqtt.Publish;
import io.thingflux.mqtt.Will;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import reactor.core.publisher.Mono;

/**
 * The broker's shared state and rules, independent of sockets: sessions by key, the subscription
 * tree, device state, routing, the platform's Alink side, the recorder and listeners, and the
 * requests the embedding API and the admin API make. Thread-safe; called from every event loop.
 */
public final class BrokerEngine implements AutoCloseable {

    private final EmulatorOptions options;
    private final BrokerCounters counters = new BrokerCounters();
    private final SubscriptionTree<BrokerSession> tree = new SubscriptionTree<>();
    private final ConcurrentHashMap<String, BrokerSession> sessions = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, DeviceState> devices = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, OutboundMessage> retained = new ConcurrentHashMap<>();
    private final CopyOnWriteArrayList<Consumer<ReceivedPublish>> listeners =
            new CopyOnWriteArrayList<>();
    private final DeviceDirectory directory = new DeviceDirectory();
    private final PlatformAuthenticator authenticator;
    private final AlinkResponder alink = new AlinkResponder(this);
    private final GatewaySessions gateways = new GatewaySessions(this);
    private final PlatformFiles files = new PlatformFiles();
    private final PlatformServicesResponder services =
            new PlatformServicesResponder(this, new OtaService(this, files));
    private final HttpsRegistrationEndpoint httpsRegistration;
    private final PublishRecorder recorder;
    private final PublishDedupView dedupView;
    private final AtomicLong messageIds =
            new AtomicLong(System.currentTimeMillis() % 1_000_000_000L);
    private final AtomicLong anonymousIds = new AtomicLong();

    public BrokerEngine(EmulatorOptions options) {
        this.options = options;
        this.authenticator =
                new PlatformAuthenticator(
                        options.devices(), options.products(), options.apps(), directory);
        this.recorder =
                options.recordFile() == null
                        ? null
                        : new PublishRecorder(
                                options.recordFile(),
                                EmulatorOptions.DEFAULT_RECORD_QUEUE_LIMIT,
                                counters);
        this.dedupView =
                options.dedupViewLimit() == 0
                        ? null
                        : new PublishDedupView(options.dedupViewLimit());
        files.bind(services.ota(), services);
        this.httpsRegistration = new HttpsRegistrationEndpoint(this);
    }

    // ---- platform services (shadow, tags, config, OTA, files, HTTPS registration)

    PlatformServicesResponder platformServices() {
        return services;
    }

    PlatformFiles platformFiles() {
        return files;
    }

    HttpsRegistrationEndpoint httpsRegistration() {
        return httpsRegistration;
    }

    /** Sets the base URL of the files the admin listener serves (firmware, config). */
    public void fileBase(String baseUrl) {
        files.base(baseUrl);
    }

    boolean authenticatorKnows(String pk, String dn) {
        return authenticator.knows(pk, dn);
    }

    /** Whether {@code pk/dn} ever connected. */
    boolean wasOnline(String pk, String dn) {
        DeviceState state = devices.get(PlatformAuthenticator.key(pk, dn));
        return state != null && state.status() != DeviceStatus.UNACTIVE;
    }

    /** Whether {@code pk/dn} is connected now. */
    boolean isOnline(String pk, String dn) {
        DeviceState state = devices.get(PlatformAuthenticator.key(pk, dn));
        return state != null && state.isOnline();
    }

    public EmulatorOptions options() {
        return options;
    }

    BrokerCounters counters() {
        return counters;
    }

    boolean aliyun() {
        return options.authMode() == AuthMode.ALIYUN;
    }

    public BrokerStats stats() {
        return counters.snapshot();
    }

    // ---- connections
    // -------------------------------------------------------------------------------

    PlatformAuthenticator.Result authenticate(Connect connect, boolean tls) {
        if (aliyun()) {
            return authenticator.check(connect, tls);
        }
        String clientId = connect.clientId();
        if (clientId.isEmpty()) {
            if (!connect.cleanSession()) {
                return PlatformAuthenticator.Result.refused(
                        io.thingflux.mqtt.ConnectReturnCode.IDENTIFIER_REJECTED);
            }
            clientId = "thingflux-anonymous-" + anonymousIds.incrementAndGet();
        }
        return new PlatformAuthenticator.Result(Principal.anonymous(clientId), null);
    }

    /**
     * The session a connection of {@code principal} attaches to, whether it was present, what it
     * queued, and the device's state ({@code null} for other principals), kept by the connection
     * for its publishes.
     */
    record Attachment(
            BrokerSession session,
            boolean sessionPresent,
            List<OutboundMessage> queued,
            DeviceState device) {}

    Attachment attach(Principal principal, boolean cleanSession, MqttServerHandler handler) {
        MqttServerHandler[] previous = new MqttServerHandler[1];
        boolean[] present = new boolean[1];
        BrokerSession session =
                sessions.compute(
                        principal.sessionKey(),
                        (key, existing) -> {
                            if (existing != null) {
                                previous[0] = existing.takeOver();
                                if (!cleanSession && existing.persistent()) {
                                    present[0] = true;
                                    return existing;
                                }
                                existing.discard(tree);
                            }
                            return new BrokerSession(this, key, principal, !cleanSession);
                        });
        List<OutboundMessage> queued = session.bind(handler);
        if (previous[0] != null) {
            previous[0].closeForTakeover();
        }
        DeviceState device = null;
        if (principal.isDevice()) {
            device = device(principal.productKey(), principal.deviceName());
            device.online();
        }
        counters.onlineSessions.increment();
        counters.accepted();
        return new Attachment(session, present[0], queued, device);
    }

    void detach(BrokerSession session, MqttServerHandler handler) {
        counters.onlineSessions.decrement();
        if (session.principal.isDevice()) {
            device(session.principal.productKey(), session.principal.deviceName()).offline();
            MqttServerHandler bound = session.boundHandler();
            if (sessions.get(session.key) == session && (bound == null || bound == handler)) {
                // not taken over: a new connection of the gateway keeps the logins it makes
                gateways.gatewayOffline(
                        session.principal.productKey(), session.principal.deviceName());
            }
        }
        if (session.unbind(handler) && !session.persistent()) {
            sessions.remove(session.key, session);
            session.discard(tree);
        }
    }

    boolean subscribe(BrokerSession session, String filter, MqttQos granted) {
        return session.subscribe(filter, granted, tree);
    }

    void unsubscribe(BrokerSession session, String filter) {
        session.unsubscribe(filter, tree);
    }

    // ---- messages
    // ----------------------------------------------------------------------------------

    /**
     * A PUBLISH a client made (its ACL was checked): recorded, shown to listeners, answered,
     * routed. {@code device} is the state of the publishing device ({@code null} unless {@code
     * from} is a device).
     */
    void onClientPublish(Principal from, DeviceState device, String clientId, Publish publish) {
        counters.publishesReceived.increment();
        byte[] payload = publish.payloadUnsafe();
        if (dedupView != null && from.isDevice()) {
            dedupView.record(
                    from.productKey(), from.deviceName(), publish.topic(), payload, publish.dup());
        }
        if (recorder != null || !listeners.isEmpty()) {
            ReceivedPublish received =
                    new ReceivedPublish(
                            System.currentTimeMillis(),
                            clientId,
                            from.productKey(),
                            from.deviceName(),
                            publish.topic(),
                            publish.qos().code(),
                            payload);
            if (recorder != null) {
                recorder.record(received);
            }
            for (Consumer<ReceivedPublish> l : listeners) {
                l.accept(received);
            }
        }
        if (aliyun()) {
            if (from.isDevice()) {
                if (gateways.onPublish(from, publish.topic(), payload)) {
                    return; // a gateway's topology, registration or session request
                }
                DeviceState state =
                        device != null ? device : device(from.productKey(), from.deviceName());
                DeviceState sub = gateways.subDeviceFor(from, publish.topic());
                if (sub == GatewaySessions.REFUSED) {
                    return; // for a sub-device not logged in through this gateway
                }
                if (sub != null) {
                    state = sub; // a gateway publishing for a logged-in sub-device
                }
                if (!services.onDevicePublish(state, publish.topic(), payload)) {
                    alink.onDevicePublish(state, publish.topic(), payload, publish.qos());
                }
                state.recordIfEvent(publish.topic(), payload);
                // the platform, not other devices, receives what a device sends; applications watch
                // it, and so does the device itself for its property and event posts when it
                // subscribed to them (seed 004: a device subscribed to its property/post receives
                // its post back)
                if (isPost(state, publish.topic())) {
                    routeFromDevice(from, publish.topic(), payload, publish.qos());
                } else {
                    route(publish.topic(), payload, publish.qos(), false);
                }
            } else {
                route(publish.topic(), payload, publish.qos(), true);
            }
            return;
        }
        if (publish.retain()) {
            retain(publish.topic(), payload, publish.qos());
        }
        route(publish.topic(), payload, publish.qos(), true);
    }

    void publishWill(Will will) {
        if (will.retain()) {
            retain(will.topic(), will.payloadUnsafe(), will.qos());
        }
        route(will.topic(), will.payloadUnsafe(), will.qos(), true);
    }

    /**
     * A message the platform itself sends (replies, admin pushes): routed to every matching
     * subscriber.
     */
    void publishFromPlatform(String topic, byte[] payload, MqttQos qos) {
        route(topic, payload, qos, true);
    }

    private void route(String topic, byte[] payload, MqttQos qos, boolean toDevices) {
        Targets targets = new Targets(toDevices, gateways, topic);
        tree.match(topic, targets);
        targets.deliver(topic, payload, qos);
    }

    /** Whether any session subscribed to a filter matching {@code topic}. */
    private boolean hasSubscriber(String topic) {
        boolean[] any = new boolean[1];
        tree.match(topic, (session, qos) -> any[0] = true);
        return any[0];
    }

    /** Whether {@code topic} is one of the device's property or event posts. */
    private static boolean isPost(DeviceState device, String topic) {
        return topic.startsWith(device.sysPrefix)
                && topic.startsWith("thing/event/", device.sysPrefix.length())
                && topic.endsWith("/post");
    }

    /** What device {@code from} published: to applications and to the device's own session. */
    private void routeFromDevice(Principal from, String topic, byte[] payload, MqttQos qos) {
        Targets targets = new Targets(false, gateways, topic);
        targets.self = from.sessionKey();
        tree.match(topic, targets);
        targets.deliver(topic, payload, qos);
    }

    /**
     * The sessions a message goes to, each with the highest QoS its matching filters granted. Most
     * messages (a reply to one device) have one target, kept in fields; a map is made only for a
     * second one.
     */
    private static final class Targets
            implements java.util.function.BiConsumer<BrokerSession, MqttQos> {
        private final boolean toDevices;
        private final GatewaySessions gateways;
        private final String topic;

        /** The session key of the publishing device, which receives its own message; or null. */
        String self;

        private BrokerSession first;
        private MqttQos firstQos;
        private Map<BrokerSession, MqttQos> more;

        Targets(boolean toDevices, GatewaySessions gateways, String topic) {
            this.toDevices = toDevices;
            this.gateways = gateways;
            this.topic = topic;
        }

        @Override
        public void accept(BrokerSession s, MqttQos granted) {
            if (!toDevices && s.principal.isDevice() && !s.key.equals(self)) {
                return;
            }
            if (s.wildcardDevices
                    && !gateways.mayReceive(
                            s.principal.productKey(), s.principal.deviceName(), topic)) {
                return; // a gateway's wildcard filter: its own and its sub-devices' topics only
            }
            if (first == null || first == s) {
                first = s;
                firstQos =
                        firstQos == null || granted.code() > firstQos.code() ? granted : firstQos;
                return;
            }
            if (more == null) {
                more = new HashMap<>();
            }
            more.merge(s, granted, (a, b) -> a.code() >= b.code() ? a : b);
        }

        void deliver(String topic, byte[] payload, MqttQos qos) {
            if (first != null) {
                first.offer(new OutboundMessage(topic, payload, qos.min(firstQos), false));
            }
            if (more != null) {
                more.forEach(
                        (s, granted) ->
                                s.offer(
                                        new OutboundMessage(
                                                topic, payload, qos.min(granted), false)));
            }
        }
    }

    private void retain(String topic, byte[] payload, MqttQos qos) {
        if (payload.length == 0) {
            retained.remove(topic);
        } else if (retained.size() < options.maxRetained() || retained.containsKey(topic)) {
            retained.put(topic, new OutboundMessage(topic, payload, qos, true));
        }
    }

    /** Retained messages matching {@code filter} (plain-broker mode only). */
    List<OutboundMessage> retainedFor(String filter) {
        if (aliyun() || retained.isEmpty()) {
            return List.of();
        }
        return retained.values().stream()
                .filter(p -> MqttTopics.matches(filter, p.topic()))
                .toList();
    }

    public Runnable addListener(Consumer<ReceivedPublish> listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    // ---- devices
    // -----------------------------------------------------------------------------------

    DeviceState device(String pk, String dn) {
        return devices.computeIfAbsent(
                PlatformAuthenticator.key(pk, dn), k -> new DeviceState(pk, dn));
    }

    /**
     * The state of a known device; one that never connected gets a fresh, unregistered state
     * (queries do not grow the map).
     */
    private DeviceState knownDevice(String pk, String dn) {
        return knownDevice(pk, dn, false);
    }

    private DeviceState knownDevice(String pk, String dn, boolean register) {
        if (pk == null || dn == null || pk.isEmpty() || dn.isEmpty()) {
            throw new EmulatorRequestException(
                    EmulatorRequestException.INVALID_PARAMETER,
                    "ProductKey and DeviceName are required");
        }
        // a deleted device's connection may re-create its state while it closes: not found all the
        // same
        DeviceState state =
                directory.isDeleted(pk, dn) ? null : devices.get(PlatformAuthenticator.key(pk, dn));
        if (state != null) {
            return state;
        }
        if (!authenticator.knows(pk, dn)) {
            throw new EmulatorRequestException(
                    EmulatorRequestException.DEVICE_NOT_FOUND,
                    "device " + pk + "/" + dn + " does not exist");
        }
        return register ? device(pk, dn) : new DeviceState(pk, dn);
    }

    private DeviceState onlineDevice(String pk, String dn) {
        DeviceState state = knownDevice(pk, dn);
        if (!state.isOnline()) {
            throw new EmulatorRequestException(
                    EmulatorRequestException.DEVICE_OFFLINE,
                    "device " + pk + "/" + dn + " is not online");
        }
        return state;
    }

    public DeviceStatus deviceStatus(String pk, String dn) {
        DeviceState state = knownDevice(pk, dn);
        return directory.isDisabled(pk, dn) ? DeviceStatus.DISABLE : state.status();
    }

    // ---- the OpenAPI's device management
    // ------------------------------------------------------------

    /** The platform's gateway side: topologies and sub-device sessions. */
    GatewaySessions gateways() {
        return gateways;
    }

    /** The sub-devices in gateway {@code pk/dn}'s topology as {@code pk/dn}, sorted. */
    public List<String> thingTopology(String pk, String dn) {
        return gateways.topology(GatewaySessions.key(pk, dn));
    }

    /** Sends {@code payload} at QoS 0 to the connection of {@code principal} only. */
    void sendTo(Principal principal, String topic, byte[] payload) {
        BrokerSession session = sessions.get(principal.sessionKey());
        if (session != null) {
            session.offer(new OutboundMessage(topic, payload, MqttQos.AT_MOST_ONCE, false));
        }
    }

    DeviceDirectory directory() {
        return directory;
    }

    PlatformAuthenticator authenticator() {
        return authenticator;
    }

    /** The state of a known device, or {@link EmulatorRequestException} (not found). */
    DeviceState knownDeviceState(String pk, String dn) {
        return knownDevice(pk, dn);
    }

    /**
     * Registers a device (RegisterDevice): a device of a configured product gets its derived
     * secret, any other a random one; returns {@code null} when the device exists already.
     */
    DeviceDirectory.Registered register(String pk, String dn, String nickname) {
        boolean deleted = directory.isDeleted(pk, dn);
        if (!deleted
                && (authenticator.isConfigured(pk, dn) || directory.registered(pk, dn) != null)) {
            return null;
        }
        String productSecret = authenticator.productSecret(pk);
        String secret =
                productSecret == null ? null : DeviceDirectory.derivedSecret(productSecret, dn);
        if (authenticator.isConfigured(pk, dn)) {
            secret = authenticator.secretOf(pk, dn).orElse(null);
        }
        DeviceDirectory.Registered r =
                directory.register(pk, dn, secret, nickname, System.currentTimeMillis());
        if (r != null && deleted) {
            // what the deleted device of this name left behind (history, replies) is not this one's
            devices.remove(PlatformAuthenticator.key(pk, dn));
        }
        return r;
    }

    /** Deletes a known device (DeleteDevice): closes its connection and forgets its state. */
    void delete(String pk, String dn) {
        knownDevice(pk, dn);
        directory.delete(pk, dn);
        disconnect(pk, dn);
        devices.remove(PlatformAuthenticator.key(pk, dn));
    }

    /** Disables (closing its connection) or enables a known device. */
    void setDisabled(String pk, String dn, boolean disable) {
        knownDevice(pk, dn);
        directory.setDisabled(pk, dn, disable);
        if (disable) {
            disconnect(pk, dn);
        }
    }

    private void disconnect(String pk, String dn) {
        BrokerSession session = sessions.get(Principal.device(pk, dn).sessionKey());
        MqttServerHandler handler = session == null ? null : session.boundHandler();
        if (handler != null) {
            handler.closeForTakeover();
        }
    }

    /** The device names of product {@code pk} the emulator knows by name, sorted. */
    List<String> deviceNames(String pk) {
        java.util.TreeSet<String> names = new java.util.TreeSet<>();
        String prefix = pk + "/";
        for (String key : authenticator.configuredDeviceKeys()) {
            if (key.startsWith(prefix)) {
                names.add(key.substring(prefix.length()));
            }
        }
        for (String key : devices.keySet()) {
            if (key.startsWith(prefix)) {
                names.add(key.substring(prefix.length()));
            }
        }
        directory.registeredOf(pk).forEach(r -> names.add(r.deviceName()));
        names.removeIf(dn -> !authenticator.knows(pk, dn));
        return List.copyOf(names);
    }

    /**
     * Calls a synchronous service: sends the Alink request on {@code
     * /ext/rrpc/{messageId}/sys/{pk}/{dn}/thing/service/{identifier}} and completes with the
     * device's reply (JSON text) on the same topic, or fails with a {@link
     * java.util.concurrent.TimeoutException}.
     */
    Mono<String[]> invokeServiceSync(
            String pk, String dn, String identifier, String argsJson, Duration timeout) {
        checkIdentifier(identifier);
        JsonNode args =
                parseJsonObject(argsJson == null || argsJson.isEmpty() ? "{}" : argsJson, "Args");
        return Mono.defer(
                () -> {
                    DeviceState state = onlineDevice(pk, dn);
                    String id = Long.toString(messageIds.incrementAndGet());
                    ObjectNode request = EmulatorJson.object();
                    request.put("method", "thing.service." + identifier);
                    request.put("id", id);
                    request.set("params", args);
                    request.put("version", "1.0");
                    byte[] payload = EmulatorJson.bytes(request);
                    return Mono.<byte[]>create(
                                    sink -> {
                                        state.awaitRrpc(id, sink);
                                        String ext =
                                                "/ext/rrpc/"
                                                        + id
                                                        + "/sys/"
                                                        + pk
                                                        + "/"
                                                        + dn
                                                        + "/thing/service/"
                                                        + identifier;
                                        String sys =
                                                "/sys/" + pk + "/" + dn + "/rrpc/request/" + id;
                                        // on system RRPC, as the platform does, unless the
                                        // device listens only on /ext/rrpc (ext=1 devices)
                                        publishFromPlatform(
                                                hasSubscriber(sys) || !hasSubscriber(ext)
                                                        ? sys
                                                        : ext,
                                                payload,
                                                MqttQos.AT_MOST_ONCE);
                                    })
                            .timeout(timeout)
                            .map(
                                    reply ->
                                            new String[] {
                                                id, new String(reply, StandardCharsets.UTF_8)
                                            });
                });
    }

    public Map<String, PropertyValue> properties(String pk, String dn) {
        return knownDevice(pk, dn).properties();
    }

    /**
     * The dedup view of what the device published.
     *
     * @throws EmulatorRequestException when the device is unknown, the view is off or it overflowed
     */
    public List<DistinctPublish> distinctPublishes(String pk, String dn) {
        knownDevice(pk, dn);
        if (dedupView == null) {
            throw new EmulatorRequestException(
                    EmulatorRequestException.INVALID_PARAMETER,
                    "the dedup view is off (EmulatorOptions.Builder.dedupView)");
        }
        return dedupView.of(pk, dn);
    }

    /**
     * Pushes {@code thing.service.property.set} with {@code itemsJson} (a JSON object) and returns
     * its message id.
     */
    public String setProperties(String pk, String dn, String itemsJson) {
        JsonNode items = parseJsonObject(itemsJson, "Items");
        onlineDevice(pk, dn);
        return push(pk, dn, "thing/service/property/set", "thing.service.property.set", items);
    }

    /**
     * Pushes {@code thing.service.<identifier>} with {@code argsJson} (a JSON object) and returns
     * its message id.
     */
    public String invokeService(String pk, String dn, String identifier, String argsJson) {
        checkIdentifier(identifier);
        JsonNode args =
                parseJsonObject(argsJson == null || argsJson.isEmpty() ? "{}" : argsJson, "Args");
        onlineDevice(pk, dn);
        return push(pk, dn, "thing/service/" + identifier, "thing.service." + identifier, args);
    }

    private static void checkIdentifier(String identifier) {
        if (identifier == null
                || identifier.isEmpty()
                || identifier.contains("/")
                || identifier.contains("+")
                || identifier.contains("#")) {
            throw new EmulatorRequestException(
                    EmulatorRequestException.INVALID_PARAMETER, "invalid Identifier");
        }
    }

    private String push(String pk, String dn, String topicSuffix, String method, JsonNode params) {
        String id = Long.toString(messageIds.incrementAndGet());
        ObjectNode request = EmulatorJson.object();
        request.put("method", method);
        request.put("id", id);
        request.set("params", params);
        request.put("version", "1.0");
        publishFromPlatform(
                "/sys/" + pk + "/" + dn + "/" + topicSuffix,
                EmulatorJson.bytes(request),
                MqttQos.AT_MOST_ONCE);
        return id;
    }

    /**
     * The device's reply (JSON text) to downlink request {@code messageId}, when it comes or if it
     * came.
     */
    public Mono<String> awaitReply(String pk, String dn, String messageId, Duration timeout) {
        DeviceState state = knownDevice(pk, dn, true);
        return Mono.<String>create(sink -> state.awaitReply(messageId, sink)).timeout(timeout);
    }

    /**
     * Sends {@code request} on {@code /sys/{pk}/{dn}/rrpc/request/{messageId}} and completes with
     * the payload of the device's response, or fails with a {@link
     * java.util.concurrent.TimeoutException}.
     */
    public Mono<byte[]> rrpc(String pk, String dn, byte[] request, Duration timeout) {
        return Mono.defer(
                () -> {
                    DeviceState state = onlineDevice(pk, dn);
                    String messageId = Long.toString(messageIds.incrementAndGet());
                    return Mono.<byte[]>create(
                                    sink -> {
                                        state.awaitRrpc(messageId, sink);
                                        publishFromPlatform(
                                                "/sys/"
                                                        + pk
                                                        + "/"
                                                        + dn
                                                        + "/rrpc/request/"
                                                        + messageId,
                                                request,
                                                MqttQos.AT_MOST_ONCE);
                                    })
                            .timeout(timeout);
                });
    }

    /** Publishes as the platform (the Pub action): any valid topic, QoS 0 or 1. */
    public void publish(String topic, byte[] payload, MqttQos qos) {
        if (!MqttTopics.isValidName(topic)) {
            throw new EmulatorRequestException(
                    EmulatorRequestException.INVALID_PARAMETER,
                    "invalid topic: " + MqttTopics.nameProblem(topic));
        }
        if (aliyun() && qos == MqttQos.EXACTLY_ONCE) {
            throw new EmulatorRequestException(
                    EmulatorRequestException.INVALID_PARAMETER, "Qos must be 0 or 1");
        }
        publishFromPlatform(topic, payload, qos);
    }

    /** A fresh platform message id. */
    String nextMessageId() {
        return Long.toString(messageIds.incrementAndGet());
    }

    private static JsonNode parseJsonObject(String json, String what) {
        JsonNode node =
                json == null
                        ? null
                        : EmulatorJson.readObject(json.getBytes(StandardCharsets.UTF_8));
        if (node == null) {
            throw new EmulatorRequestException(
                    EmulatorRequestException.INVALID_PARAMETER, what + " must be a JSON object");
        }
        return node;
    }

    @Override
    public void close() {
        if (recorder != null) {
            recorder.close();
        }
    }
}
