package io.thingflux.emulator.platform.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thingflux.alink.GatewayTopics;
import io.thingflux.aliyun.AliyunSigner;
import io.thingflux.aliyun.SignMethod;
import io.thingflux.emulator.platform.EmulatorRequestException;
import io.thingflux.mqtt.MqttQos;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The platform's gateway side: each gateway's topology (kept for the emulator's lifetime), which
 * sub-devices are logged in through which gateway, the answers to topology, registration and
 * session requests ({@code thing/topo/*}, {@code thing/sub/register}, {@code
 * /ext/session/{gwPk}/{gwDn}/combine/*}) with the platform's refusal codes, and the ACL that lets a
 * gateway subscribe with {@code +} for product key and device name and receive and publish for its
 * logged-in sub-devices only. Thread-safe.
 */
final class GatewaySessions {

    static final int CODE_SUCCESS = 200;
    static final int CODE_SIGN_FAILED = 401;
    static final int CODE_TOO_MANY_ONLINE = 428;
    static final int CODE_BAD_PARAMS = 460;
    static final int CODE_NO_SESSION = 520;
    static final int CODE_DISABLED = 522;
    static final int CODE_NOT_FOUND = 6100;
    static final int CODE_WRONG_SIGN = 6287;
    static final int CODE_TOPOLOGY_FULL = 6400;
    static final int CODE_NOT_IN_TOPOLOGY = 6401;
    static final int CODE_SELF = 6402;

    /** The platform's bounds (Aliyun doc 30527). */
    static final int MAX_SUB_DEVICES = 2000;

    static final int MAX_BATCH_LOGIN = 50;
    static final int MAX_BATCH_REGISTER = 30;

    private final BrokerEngine engine;

    /** Gateway key {@code pk/dn} to the keys of its sub-devices. */
    private final ConcurrentHashMap<String, Set<String>> topology = new ConcurrentHashMap<>();

    /** Gateway key to the keys of the sub-devices logged in through it. */
    private final ConcurrentHashMap<String, Set<String>> loggedIn = new ConcurrentHashMap<>();

    /** Sub-device key to the key of the gateway it is logged in through. */
    private final ConcurrentHashMap<String, String> gatewayOf = new ConcurrentHashMap<>();

    GatewaySessions(BrokerEngine engine) {
        this.engine = engine;
    }

    // ---- ACL

    /**
     * Whether device {@code pk/dn} may subscribe to {@code filter} as a gateway: {@code
     * /ext/session/{pk}/{dn}/...} and {@code /ext/error/...} of its own, or a thing-model filter
     * with {@code +} for both product key and device name (what it receives through it is limited
     * to itself and its logged-in sub-devices by {@link #mayReceive}).
     */
    static boolean maySubscribe(String pk, String dn, String filter) {
        if (filter.startsWith("/ext/session/" + pk + "/" + dn + "/")) {
            return true;
        }
        if (filter.equals("/ext/error/+/+") || filter.equals("/ext/error/" + pk + "/" + dn)) {
            return true;
        }
        String own = null;
        if (filter.startsWith("/sys/+/+/")) {
            own = "/sys/" + pk + "/" + dn + filter.substring(8);
        } else if (filter.startsWith("/ext/ntp/+/+/")) {
            own = "/ext/ntp/" + pk + "/" + dn + filter.substring(12);
        } else if (filter.startsWith("/ext/rrpc/+/sys/+/+/")) {
            own = "/ext/rrpc/+/sys/" + pk + "/" + dn + filter.substring(19);
        } else if (filter.startsWith("/ota/device/") && filter.endsWith("/+/+")) {
            own = filter.substring(0, filter.length() - 3) + pk + "/" + dn;
        }
        return own != null && own.indexOf('#') < 0 && TopicAcl.maySubscribe(pk, dn, own);
    }

    /**
     * Whether gateway {@code pk/dn} may subscribe to {@code filter} in the topic space of a
     * sub-device in its topology (a gateway subscribing each sub-device on its own).
     */
    boolean maySubscribeFor(String pk, String dn, String filter) {
        String key = GatewayTopics.deviceKey(filter);
        Set<String> subs = key == null ? null : topology.get(key(pk, dn));
        if (subs == null || !subs.contains(key)) {
            return false;
        }
        int slash = key.indexOf('/');
        return TopicAcl.maySubscribe(key.substring(0, slash), key.substring(slash + 1), filter);
    }

    /** Whether a filter a gateway was allowed needs {@link #mayReceive} checks on delivery. */
    static boolean isWildcardDevice(String filter) {
        return filter.startsWith("/sys/+/+/")
                || filter.startsWith("/ext/ntp/+/+/")
                || filter.startsWith("/ext/rrpc/+/sys/+/+/")
                || (filter.startsWith("/ota/device/") && filter.endsWith("/+/+"));
    }

    /**
     * Whether a message on {@code topic} that matched a wildcard filter of device {@code pk/dn} is
     * its to receive: its own, or of a sub-device logged in through it.
     */
    boolean mayReceive(String pk, String dn, String topic) {
        String key = GatewayTopics.deviceKey(topic);
        if (key == null || key.equals(key(pk, dn))) {
            return true;
        }
        Set<String> subs = loggedIn.get(key(pk, dn));
        return subs != null && subs.contains(key);
    }

    /**
     * Whether gateway {@code pk/dn} may publish {@code topic}: its session topics, or a topic of a
     * sub-device in its topology (whether that one is logged in is checked when it is handled).
     */
    boolean mayPublish(String pk, String dn, String topic) {
        if (topic.startsWith("/ext/session/" + pk + "/" + dn + "/combine/")) {
            return true;
        }
        String key = GatewayTopics.deviceKey(topic);
        Set<String> subs = key == null ? null : topology.get(key(pk, dn));
        if (subs == null || !subs.contains(key)) {
            return false;
        }
        int slash = key.indexOf('/');
        return TopicAcl.mayPublish(key.substring(0, slash), key.substring(slash + 1), topic);
    }

    /**
     * The state of the sub-device a publish of gateway {@code pk/dn} on {@code topic} is for, when
     * it is logged in through it; {@code null} for the gateway's own topics. A topic of a
     * sub-device that is not logged in through it is answered with code 520 on {@code
     * /ext/error/{pk}/{dn}} of the sub-device and returns {@link #REFUSED}.
     */
    DeviceState subDeviceFor(Principal gateway, String topic) {
        if (isOwnSysTopic(topic, gateway.productKey(), gateway.deviceName())) {
            return null; // a device's own thing topics, the common case: nothing to look up
        }
        String key = GatewayTopics.deviceKey(topic);
        String own = key(gateway.productKey(), gateway.deviceName());
        if (key == null || key.equals(own)) {
            return null;
        }
        int slash = key.indexOf('/');
        String pk = key.substring(0, slash);
        String dn = key.substring(slash + 1);
        if (!own.equals(gatewayOf.get(key))) {
            engine.sendTo(
                    gateway,
                    "/ext/error/" + pk + "/" + dn,
                    EmulatorJson.write(
                            g -> {
                                g.writeStartObject();
                                g.writeNumberField("code", CODE_NO_SESSION);
                                g.writeStringField("message", "sub-device not logged in");
                                g.writeStringField("topic", topic);
                                g.writeEndObject();
                            }));
            return REFUSED;
        }
        return engine.device(pk, dn);
    }

    /** Whether {@code topic} is under {@code /sys/{pk}/{dn}/}, checked without allocating. */
    private static boolean isOwnSysTopic(String topic, String pk, String dn) {
        int p = "/sys/".length();
        int d = p + pk.length() + 1;
        return topic.startsWith("/sys/")
                && topic.startsWith(pk, p)
                && topic.length() > d + dn.length()
                && topic.charAt(d - 1) == '/'
                && topic.startsWith(dn, d)
                && topic.charAt(d + dn.length()) == '/';
    }

    /** Returned by {@link #subDeviceFor} for a publish that is not handled. */
    static final DeviceState REFUSED = new DeviceState("-", "-");

    // ---- requests

    /**
     * Answers a gateway request of {@code gateway} on {@code topic}; returns whether the topic was
     * one.
     */
    boolean onPublish(Principal gateway, String topic, byte[] payload) {
        // every device publish passes here: most are none of these, decided without allocating
        if (!topic.startsWith("/ext/session/")
                && !topic.endsWith("/thing/topo/add")
                && !topic.endsWith("/thing/topo/delete")
                && !topic.endsWith("/thing/topo/get")
                && !topic.endsWith("/thing/sub/register")) {
            return false;
        }
        String pk = gateway.productKey();
        String dn = gateway.deviceName();
        String sys = "/sys/" + pk + "/" + dn + "/thing/";
        String session = "/ext/session/" + pk + "/" + dn + "/combine/";
        String rest;
        if (topic.startsWith(sys)) {
            rest = topic.substring(sys.length());
            if (!rest.equals("topo/add")
                    && !rest.equals("topo/delete")
                    && !rest.equals("topo/get")
                    && !rest.equals("sub/register")) {
                return false;
            }
        } else if (topic.startsWith(session)) {
            rest = topic.substring(session.length());
            if (rest.endsWith("_reply")) {
                return true;
            }
        } else {
            return false;
        }
        JsonNode request = EmulatorJson.readObject(payload);
        JsonNode id = request == null ? null : request.get("id");
        JsonNode params = request == null ? null : request.get("params");
        String method =
                request != null && request.hasNonNull("method")
                        ? request.get("method").asText()
                        : null;
        Answer answer;
        if (id == null || params == null) {
            answer = Answer.refused(CODE_BAD_PARAMS, "id and params are required");
        } else {
            String gw = key(pk, dn);
            answer =
                    switch (rest) {
                        case "topo/add" -> topoAdd(gw, params);
                        case "topo/delete" -> topoDelete(gw, params);
                        case "topo/get" -> topoGet(gw);
                        case "sub/register" -> register(params);
                        case "login" -> login(gw, List.of(params), false);
                        case "batch_login" -> login(gw, list(params.get("deviceList")), true);
                        case "logout" -> logout(gw, List.of(params));
                        case "batch_logout" -> logout(gw, list(params));
                        default -> Answer.refused(CODE_BAD_PARAMS, "unknown request " + rest);
                    };
        }
        engine.publishFromPlatform(
                topic + "_reply", answer.write(id, method), MqttQos.AT_MOST_ONCE);
        return true;
    }

    private Answer topoAdd(String gw, JsonNode params) {
        List<JsonNode> list = list(params);
        if (list.isEmpty()) {
            return Answer.refused(CODE_BAD_PARAMS, "params must list the sub-devices");
        }
        ArrayNode added = EmulatorJson.object().arrayNode();
        List<String> keys = new ArrayList<>();
        for (JsonNode d : list) {
            String pk = text(d, "productKey");
            String dn = text(d, "deviceName");
            if (pk == null || dn == null) {
                return Answer.refused(CODE_BAD_PARAMS, "productKey and deviceName are required");
            }
            if (key(pk, dn).equals(gw)) {
                return Answer.refused(CODE_SELF, "a device cannot be its own sub-device");
            }
            String secret = engine.authenticator().secretOf(pk, dn).orElse(null);
            if (secret == null) {
                return Answer.refused(CODE_NOT_FOUND, "sub-device " + pk + "/" + dn + " not found");
            }
            if (!signChecks(d, "signmethod", secret, pk, dn)) {
                return Answer.refused(CODE_SIGN_FAILED, "sign check failed for " + pk + "/" + dn);
            }
            keys.add(key(pk, dn));
            added.addObject().put("productKey", pk).put("deviceName", dn);
        }
        Set<String> subs = topology.computeIfAbsent(gw, k -> ConcurrentHashMap.newKeySet());
        synchronized (subs) {
            long fresh = keys.stream().filter(k -> !subs.contains(k)).count();
            if (subs.size() + fresh > MAX_SUB_DEVICES) {
                return Answer.refused(CODE_TOPOLOGY_FULL, "the gateway's topology is full");
            }
            for (String k : keys) {
                // a sub-device has one gateway: it leaves the topology of another
                topology.forEach(
                        (other, set) -> {
                            if (!other.equals(gw) && set.remove(k)) {
                                logoutLocal(k);
                            }
                        });
                subs.add(k);
            }
        }
        return Answer.ok(added);
    }

    private Answer topoDelete(String gw, JsonNode params) {
        Set<String> subs = topology.get(gw);
        for (JsonNode d : list(params)) {
            String k = key(text(d, "productKey"), text(d, "deviceName"));
            if (subs == null || !subs.contains(k)) {
                return Answer.refused(CODE_NOT_IN_TOPOLOGY, k + " is not in the topology");
            }
        }
        for (JsonNode d : list(params)) {
            String k = key(text(d, "productKey"), text(d, "deviceName"));
            subs.remove(k);
            logoutLocal(k);
        }
        return Answer.ok(EmulatorJson.object());
    }

    private Answer topoGet(String gw) {
        ArrayNode list = EmulatorJson.object().arrayNode();
        for (String k : topology(gw)) {
            int slash = k.indexOf('/');
            list.addObject()
                    .put("productKey", k.substring(0, slash))
                    .put("deviceName", k.substring(slash + 1));
        }
        return Answer.ok(list);
    }

    private Answer register(JsonNode params) {
        List<JsonNode> list = list(params);
        if (list.isEmpty() || list.size() > MAX_BATCH_REGISTER) {
            return Answer.refused(
                    CODE_BAD_PARAMS,
                    "1 to " + MAX_BATCH_REGISTER + " sub-devices per registration");
        }
        ArrayNode out = EmulatorJson.object().arrayNode();
        for (JsonNode d : list) {
            String pk = text(d, "productKey");
            String dn = text(d, "deviceName");
            if (pk == null || dn == null) {
                return Answer.refused(CODE_BAD_PARAMS, "productKey and deviceName are required");
            }
            engine.register(pk, dn, null); // null when it exists: its secret stays
            String secret = engine.authenticator().secretOf(pk, dn).orElse(null);
            if (secret == null) {
                return Answer.refused(CODE_NOT_FOUND, "sub-device " + pk + "/" + dn + " not found");
            }
            out.addObject()
                    .put("iotId", engine.directory().iotId(pk, dn))
                    .put("productKey", pk)
                    .put("deviceName", dn)
                    .put("deviceSecret", secret);
        }
        return Answer.ok(out);
    }

    private Answer login(String gw, List<JsonNode> devices, boolean batch) {
        if (devices.isEmpty() || devices.size() > MAX_BATCH_LOGIN) {
            return Answer.refused(
                    CODE_BAD_PARAMS, "1 to " + MAX_BATCH_LOGIN + " sub-devices per login");
        }
        Set<String> subs = topology.get(gw);
        List<String[]> ok = new ArrayList<>();
        for (JsonNode d : devices) {
            String pk = text(d, "productKey");
            String dn = text(d, "deviceName");
            if (pk == null || dn == null) {
                return Answer.refused(CODE_BAD_PARAMS, "productKey and deviceName are required");
            }
            String secret = engine.authenticator().secretOf(pk, dn).orElse(null);
            if (secret == null) {
                return Answer.refused(CODE_NOT_FOUND, "sub-device " + pk + "/" + dn + " not found");
            }
            if (engine.directory().isDisabled(pk, dn)) {
                return Answer.refused(CODE_DISABLED, "sub-device " + pk + "/" + dn + " disabled");
            }
            if (subs == null || !subs.contains(key(pk, dn))) {
                return Answer.refused(
                        CODE_NOT_IN_TOPOLOGY, pk + "/" + dn + " is not in the topology");
            }
            if (!signChecks(d, "signMethod", secret, pk, dn)) {
                return Answer.refused(CODE_WRONG_SIGN, "wrong sign for " + pk + "/" + dn);
            }
            ok.add(new String[] {pk, dn});
        }
        Set<String> mine = loggedIn.computeIfAbsent(gw, k -> ConcurrentHashMap.newKeySet());
        synchronized (mine) {
            long fresh = ok.stream().filter(d -> !mine.contains(key(d[0], d[1]))).count();
            if (mine.size() + fresh > MAX_SUB_DEVICES) {
                return Answer.refused(CODE_TOO_MANY_ONLINE, "too many sub-devices online");
            }
            for (String[] d : ok) {
                String k = key(d[0], d[1]);
                String before = gatewayOf.put(k, gw);
                if (before != null && !before.equals(gw)) {
                    Set<String> theirs = loggedIn.get(before);
                    if (theirs != null) {
                        theirs.remove(k);
                    }
                    engine.device(d[0], d[1]).offline();
                }
                if (mine.add(k) && (before == null || !before.equals(gw))) {
                    engine.device(d[0], d[1]).online();
                }
            }
        }
        if (!batch) {
            ObjectNode data = EmulatorJson.object();
            data.put("productKey", ok.get(0)[0]).put("deviceName", ok.get(0)[1]);
            return Answer.ok(data);
        }
        ArrayNode list = EmulatorJson.object().arrayNode();
        ok.forEach(d -> list.addObject().put("productKey", d[0]).put("deviceName", d[1]));
        return Answer.ok(list);
    }

    private Answer logout(String gw, List<JsonNode> devices) {
        if (devices.isEmpty() || devices.size() > MAX_BATCH_LOGIN) {
            return Answer.refused(
                    CODE_BAD_PARAMS, "1 to " + MAX_BATCH_LOGIN + " sub-devices per logout");
        }
        Set<String> mine = loggedIn.get(gw);
        for (JsonNode d : devices) {
            String k = key(text(d, "productKey"), text(d, "deviceName"));
            if (mine == null || !mine.contains(k)) {
                return Answer.refused(CODE_NO_SESSION, k + " is not logged in");
            }
        }
        ArrayNode list = EmulatorJson.object().arrayNode();
        for (JsonNode d : devices) {
            logoutLocal(key(text(d, "productKey"), text(d, "deviceName")));
            list.addObject()
                    .put("productKey", text(d, "productKey"))
                    .put("deviceName", text(d, "deviceName"));
        }
        return Answer.ok(list);
    }

    /** Takes sub-device {@code key} offline, wherever it is logged in. */
    void logoutLocal(String key) {
        String gw = gatewayOf.remove(key);
        if (gw == null) {
            return;
        }
        Set<String> mine = loggedIn.get(gw);
        if (mine != null && mine.remove(key)) {
            int slash = key.indexOf('/');
            engine.device(key.substring(0, slash), key.substring(slash + 1)).offline();
        }
    }

    /** The gateway {@code pk/dn} went offline: so do its sub-devices. */
    void gatewayOffline(String pk, String dn) {
        Set<String> mine = loggedIn.get(key(pk, dn));
        if (mine == null) {
            return;
        }
        for (String k : List.copyOf(mine)) {
            logoutLocal(k);
        }
    }

    private boolean signChecks(
            JsonNode d, String methodField, String secret, String pk, String dn) {
        String sign = text(d, "sign");
        String clientId = text(d, "clientId");
        String timestamp = text(d, "timestamp");
        String methodName = text(d, methodField);
        if (methodName == null) {
            methodName = text(d, methodField.equals("signmethod") ? "signMethod" : "signmethod");
        }
        if (sign == null || methodName == null) {
            return false;
        }
        SignMethod method;
        try {
            method = SignMethod.fromWireName(methodName);
        } catch (IllegalArgumentException e) {
            return false;
        }
        return AliyunSigner.password(method, secret, clientId, dn, pk, timestamp)
                .equalsIgnoreCase(sign);
    }

    // ---- admin

    /** The sub-devices in gateway {@code gw}'s topology, sorted. */
    List<String> topology(String gw) {
        Set<String> subs = topology.get(gw);
        return subs == null ? List.of() : subs.stream().sorted().toList();
    }

    /** The gateway whose topology holds sub-device {@code key}, or {@code null}. */
    String gatewayOfTopology(String key) {
        for (Map.Entry<String, Set<String>> e : topology.entrySet()) {
            if (e.getValue().contains(key)) {
                return e.getKey();
            }
        }
        return null;
    }

    /** Sends {@code thing.topo.add.notify} for {@code devices} to gateway {@code gw}. */
    String notifyAdd(String gw, JsonNode devices) {
        if (!devices.isArray() || devices.isEmpty()) {
            throw new EmulatorRequestException(
                    EmulatorRequestException.INVALID_PARAMETER,
                    "DeviceListStr must be a JSON array of {productKey, deviceName}");
        }
        String id = engine.nextMessageId();
        ObjectNode request = EmulatorJson.object();
        request.put("id", id);
        request.put("version", "1.0");
        request.set("params", devices);
        request.put("method", "thing.topo.add.notify");
        engine.publishFromPlatform(
                "/sys/" + gw + "/thing/topo/add/notify",
                EmulatorJson.bytes(request),
                MqttQos.AT_MOST_ONCE);
        return id;
    }

    /**
     * Removes sub-device {@code key} from its gateway's topology, logs it out and tells the gateway
     * ({@code thing.topo.change}, status 1); false when it is in no topology.
     */
    boolean remove(String key) {
        String gw = gatewayOfTopology(key);
        if (gw == null) {
            return false;
        }
        topology.get(gw).remove(key);
        logoutLocal(key);
        int slash = key.indexOf('/');
        ObjectNode request = EmulatorJson.object();
        request.put("id", engine.nextMessageId());
        request.put("version", "1.0");
        ObjectNode params = request.putObject("params");
        params.put("status", 1);
        params.putArray("subList")
                .addObject()
                .put("productKey", key.substring(0, slash))
                .put("deviceName", key.substring(slash + 1));
        request.put("method", "thing.topo.change");
        engine.publishFromPlatform(
                "/sys/" + gw + "/thing/topo/change",
                EmulatorJson.bytes(request),
                MqttQos.AT_MOST_ONCE);
        return true;
    }

    /**
     * Tells a sub-device's gateway it was disabled, enabled or deleted ({@code
     * /sys/{pk}/{dn}/thing/{kind}}); a disabled or deleted one is logged out.
     */
    void onSubDeviceChange(String pk, String dn, String kind) {
        String key = key(pk, dn);
        String gw = gatewayOf.get(key);
        if (gw == null) {
            return;
        }
        ObjectNode request = EmulatorJson.object();
        request.put("id", engine.nextMessageId());
        request.put("version", "1.0");
        request.putObject("params");
        request.put("method", "thing." + kind);
        // delivered before the logout takes the sub-device's topics away from the gateway
        engine.publishFromPlatform(
                "/sys/" + pk + "/" + dn + "/thing/" + kind,
                EmulatorJson.bytes(request),
                MqttQos.AT_MOST_ONCE);
        if (!kind.equals("enable")) {
            logoutLocal(key);
        }
        if (kind.equals("delete")) {
            Set<String> subs = topology.get(gw);
            if (subs != null) {
                subs.remove(key);
            }
        }
    }

    private static List<JsonNode> list(JsonNode node) {
        List<JsonNode> out = new ArrayList<>();
        if (node != null && node.isArray()) {
            node.forEach(out::add);
        }
        return out;
    }

    private static String text(JsonNode d, String field) {
        JsonNode v = d == null ? null : d.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    static String key(String pk, String dn) {
        return pk + "/" + dn;
    }

    /** A reply's code, message and data. */
    private record Answer(int code, String message, JsonNode data) {
        static Answer ok(JsonNode data) {
            return new Answer(CODE_SUCCESS, "success", data);
        }

        static Answer refused(int code, String message) {
            return new Answer(code, message, EmulatorJson.object());
        }

        byte[] write(JsonNode id, String method) {
            ObjectNode reply = EmulatorJson.object();
            if (id == null) {
                reply.putNull("id");
            } else {
                reply.set("id", id);
            }
            reply.put("code", code);
            reply.set("data", data);
            reply.put("message", message);
            if (method != null) {
                reply.put("method", method);
            }
            reply.put("version", "1.0");
            return EmulatorJson.bytes(reply);
        }
    }
}
