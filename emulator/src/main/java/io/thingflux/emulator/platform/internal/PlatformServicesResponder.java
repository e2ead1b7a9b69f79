package io.thingflux.emulator.platform.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thingflux.emulator.platform.EmulatorRequestException;
import io.thingflux.mqtt.MqttQos;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The platform's side of the device services beside the thing model, for what devices publish and
 * for the admin actions that drive them: the device shadow ({@code /shadow/update} answered on
 * {@code /shadow/get}, version rules, {@code control} pushes), device tags ({@code
 * thing.deviceinfo.update/delete}), desired properties ({@code thing.property.desired.get/delete}),
 * remote configuration ({@code thing.config.get}, {@code thing.config.push}) and OTA ({@code
 * /ota/device/inform}, {@code /ota/device/progress}, {@code thing.ota.firmware.get}, upgrade
 * notices). Keeps the per-device shadow, tags, desired values, versions and OTA tasks, at most
 * {@link #MAX_DEVICES} devices each (further devices are answered 6760). Thread-safe: each device's
 * state is changed under its own lock.
 */
final class PlatformServicesResponder {

    /** Devices whose service state is kept. */
    static final int MAX_DEVICES = 100_000;

    /** Tags kept per device. */
    static final int MAX_TAGS = 100;

    static final int CODE_SUCCESS = 200;
    static final int CODE_BAD_PARAMS = 460;
    static final int CODE_SYSTEM_ERROR = 6760;

    /** Desired get/delete: more identifiers than the platform takes at once. */
    static final int CODE_DESIRED_TOO_MANY = 6104;

    /** Desired delete: a version older than the property's. */
    static final int CODE_DESIRED_VERSION = 6661;

    /** Config get: a request the platform cannot serve (scope or type other than product/file). */
    static final int CODE_CONFIG_BAD_REQUEST = 6710;

    /** Config get: the product has no configuration (remote config off). */
    static final int CODE_CONFIG_NONE = 6713;

    /** OTA: the device is unknown to the OTA service. */
    static final int CODE_OTA_NO_DEVICE = 9112;

    /** Identifiers a desired get or delete takes at once. */
    static final int MAX_DESIRED_PER_REQUEST = 200;

    private static final Pattern TAG_KEY = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{1,31}");

    /** One device's service state, guarded by itself. */
    static final class Services {
        final ObjectNode reported = EmulatorJson.object();
        final ObjectNode desired = EmulatorJson.object();
        long shadowVersion;
        final Map<String, String> tags = new LinkedHashMap<>();
        final Map<String, long[]> desiredVersions = new LinkedHashMap<>();
        final Map<String, String> moduleVersions = new LinkedHashMap<>();
    }

    private final BrokerEngine engine;
    private final OtaService ota;
    private final ConcurrentHashMap<String, Services> services = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, ProductConfig> configs = new ConcurrentHashMap<>();

    /** A product's remote configuration. */
    record ProductConfig(String configId, byte[] content, String sha256) {}

    PlatformServicesResponder(BrokerEngine engine, OtaService ota) {
        this.engine = engine;
        this.ota = ota;
    }

    OtaService ota() {
        return ota;
    }

    /** The service state of {@code pk/dn}, made on first use. */
    Services of(String pk, String dn) {
        String key = PlatformAuthenticator.key(pk, dn);
        Services s = services.get(key);
        if (s != null) {
            return s;
        }
        if (services.size() >= MAX_DEVICES) {
            throw new EmulatorRequestException(
                    "iot.common.LimitExceeded", "the emulator keeps " + MAX_DEVICES + " devices");
        }
        return services.computeIfAbsent(key, k -> new Services());
    }

    /** Handles a device's publish if it is one of the services'; returns whether it was. */
    boolean onDevicePublish(DeviceState device, String topic, byte[] payload) {
        String pk = device.productKey;
        String dn = device.deviceName;
        // every device publish passes here: property and event posts leave without allocating
        String sys = device.sysPrefix;
        if (topic.startsWith(sys)
                && (topic.endsWith("_reply") || topic.startsWith("thing/event/", sys.length()))) {
            return false;
        }
        if (isDeviceTopic(topic, "/shadow/update/", pk, dn)) {
            onShadow(pk, dn, payload);
            return true;
        }
        if (isDeviceTopic(topic, "/ota/device/inform/", pk, dn)) {
            JsonNode params = params(payload);
            if (params != null && params.hasNonNull("version")) {
                String module = params.path("module").asText("default");
                Services s = of(pk, dn);
                synchronized (s) {
                    s.moduleVersions.put(module, params.get("version").asText());
                }
                ota.onInform(pk, dn, module, params.get("version").asText());
            }
            return true;
        }
        if (isDeviceTopic(topic, "/ota/device/progress/", pk, dn)) {
            JsonNode params = params(payload);
            if (params != null) {
                ota.onProgress(
                        pk,
                        dn,
                        params.path("module").asText("default"),
                        params.path("step").asInt(0),
                        params.path("desc").asText(""));
            }
            return true;
        }
        if (!topic.startsWith(sys)) {
            return false;
        }
        String rest = topic.substring(sys.length());
        switch (rest) {
            case "thing/deviceinfo/update", "thing/deviceinfo/delete" ->
                    answer(topic, payload, r -> tags(pk, dn, rest.endsWith("update"), r));
            case "thing/property/desired/get", "thing/property/desired/delete" ->
                    answer(topic, payload, r -> desired(pk, dn, rest.endsWith("get"), r));
            case "thing/config/get" -> answer(topic, payload, r -> configGet(pk, r));
            case "thing/file/download" ->
                    engine.publishFromPlatform(
                            topic + "_reply",
                            ota.fileBlock(
                                    Objects.requireNonNullElseGet(
                                            EmulatorJson.readObject(payload),
                                            EmulatorJson::object)),
                            MqttQos.AT_MOST_ONCE);
            case "thing/ota/firmware/get" ->
                    answer(topic, payload, r -> ota.firmwareGet(pk, dn, r.path("params")));
            default -> {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code topic} is {@code prefix + pk + "/" + dn}, checked without allocating. */
    private static boolean isDeviceTopic(String topic, String prefix, String pk, String dn) {
        int d = prefix.length() + pk.length() + 1;
        return topic.length() == d + dn.length()
                && topic.startsWith(prefix)
                && topic.startsWith(pk, prefix.length())
                && topic.charAt(d - 1) == '/'
                && topic.startsWith(dn, d);
    }

    private static JsonNode params(byte[] payload) {
        JsonNode o = EmulatorJson.readObject(payload);
        return o == null ? null : o.get("params");
    }

    /** What a request handler answers: a code and the reply's data. */
    record Answer(int code, JsonNode data, String message) {
        static Answer ok(JsonNode data) {
            return new Answer(CODE_SUCCESS, data, "success");
        }

        static Answer error(int code, String message) {
            return new Answer(code, EmulatorJson.object(), message);
        }
    }

    /** Answers an Alink request on its {@code _reply} topic with what {@code handler} decides. */
    private void answer(
            String topic, byte[] payload, java.util.function.Function<JsonNode, Answer> handler) {
        JsonNode request = EmulatorJson.readObject(payload);
        Answer a;
        if (request == null || !request.hasNonNull("id")) {
            a = Answer.error(CODE_BAD_PARAMS, "request parameter error");
        } else {
            try {
                a = handler.apply(request);
            } catch (EmulatorRequestException e) {
                a = Answer.error(CODE_SYSTEM_ERROR, e.getMessage());
            }
        }
        ObjectNode reply = EmulatorJson.object();
        if (request != null && request.hasNonNull("id")) {
            reply.set("id", request.get("id"));
        } else {
            reply.putNull("id");
        }
        reply.put("code", a.code());
        reply.set("data", a.data());
        reply.put("message", a.message());
        if (request != null && request.hasNonNull("method")) {
            reply.put("method", request.get("method").asText());
        }
        reply.put("version", "1.0");
        engine.publishFromPlatform(
                topic + "_reply", EmulatorJson.bytes(reply), MqttQos.AT_MOST_ONCE);
    }

    // ---- tags

    private Answer tags(String pk, String dn, boolean update, JsonNode request) {
        JsonNode params = request.get("params");
        if (params == null || !params.isArray() || params.isEmpty()) {
            return Answer.error(CODE_BAD_PARAMS, "params must be a non-empty array");
        }
        Map<String, String> changes = new LinkedHashMap<>();
        for (JsonNode t : params) {
            String key = t.path("attrKey").asText(null);
            if (key == null || !TAG_KEY.matcher(key).matches()) {
                return Answer.error(CODE_BAD_PARAMS, "invalid attrKey");
            }
            String value = update ? t.path("attrValue").asText(null) : null;
            if (update && (value == null || value.isEmpty() || value.length() > 128)) {
                return Answer.error(CODE_BAD_PARAMS, "invalid attrValue of " + key);
            }
            changes.put(key, value);
        }
        Services s = of(pk, dn);
        synchronized (s) {
            if (update) {
                long added = changes.keySet().stream().filter(k -> !s.tags.containsKey(k)).count();
                if (s.tags.size() + added > MAX_TAGS) {
                    return Answer.error(CODE_BAD_PARAMS, "at most " + MAX_TAGS + " tags");
                }
                s.tags.putAll(changes);
            } else {
                changes.keySet().forEach(s.tags::remove);
            }
        }
        return Answer.ok(EmulatorJson.object());
    }

    /** The device's tags (QueryDeviceProp). */
    Map<String, String> tags(String pk, String dn) {
        Services s = of(pk, dn);
        synchronized (s) {
            return new LinkedHashMap<>(s.tags);
        }
    }

    /** Deletes tags (DeleteDeviceProp). */
    void deleteTags(String pk, String dn, List<String> keys) {
        Services s = of(pk, dn);
        synchronized (s) {
            keys.forEach(s.tags::remove);
        }
    }

    /** Sets tags (SaveDeviceProp); false when a key or value breaks the rules. */
    boolean saveTags(String pk, String dn, Map<String, String> tags) {
        for (Map.Entry<String, String> e : tags.entrySet()) {
            if (!TAG_KEY.matcher(e.getKey()).matches()
                    || e.getValue().isEmpty()
                    || e.getValue().length() > 128) {
                return false;
            }
        }
        Services s = of(pk, dn);
        synchronized (s) {
            s.tags.putAll(tags);
        }
        return true;
    }

    // ---- desired properties

    private Answer desired(String pk, String dn, boolean get, JsonNode request) {
        JsonNode params = request.get("params");
        Services s = of(pk, dn);
        if (get) {
            if (params == null || !params.isArray()) {
                return Answer.error(CODE_BAD_PARAMS, "params must be an array of identifiers");
            }
            if (params.size() > MAX_DESIRED_PER_REQUEST) {
                return Answer.error(CODE_DESIRED_TOO_MANY, "too many identifiers");
            }
            ObjectNode data = EmulatorJson.object();
            synchronized (s) {
                for (JsonNode id : params) {
                    JsonNode v = s.desired.get(id.asText());
                    long[] version = s.desiredVersions.get(id.asText());
                    if (v != null) {
                        ObjectNode o = data.putObject(id.asText());
                        o.set("value", v);
                        o.put("version", version == null ? 1 : version[0]);
                    }
                }
            }
            return Answer.ok(data);
        }
        if (params == null || !params.isObject()) {
            return Answer.error(CODE_BAD_PARAMS, "params must be an object");
        }
        if (params.size() > MAX_DESIRED_PER_REQUEST) {
            return Answer.error(CODE_DESIRED_TOO_MANY, "too many identifiers");
        }
        synchronized (s) {
            for (Map.Entry<String, JsonNode> e : params.properties()) {
                long[] version = s.desiredVersions.get(e.getKey());
                if (e.getValue().has("version")
                        && version != null
                        && e.getValue().get("version").asLong() < version[0]) {
                    return Answer.error(CODE_DESIRED_VERSION, "stale version of " + e.getKey());
                }
            }
            params.fieldNames()
                    .forEachRemaining(
                            k -> {
                                s.desired.remove(k);
                                s.desiredVersions.remove(k);
                            });
        }
        return Answer.ok(EmulatorJson.object());
    }

    // ---- shadow

    private void onShadow(String pk, String dn, byte[] payload) {
        JsonNode request = EmulatorJson.readObject(payload);
        ObjectNode reply;
        if (request == null) {
            reply = shadowError(400, "invalid JSON");
        } else if (!request.hasNonNull("method")) {
            reply = shadowError(401, "method missing");
        } else {
            reply =
                    switch (request.get("method").asText()) {
                        case "get" -> shadowDocument(pk, dn, "reply");
                        case "update" -> shadowUpdate(pk, dn, request, false);
                        case "delete" -> shadowUpdate(pk, dn, request, true);
                        default -> shadowError(406, "invalid method");
                    };
        }
        engine.publishFromPlatform(
                "/shadow/get/" + pk + "/" + dn, EmulatorJson.bytes(reply), MqttQos.AT_MOST_ONCE);
    }

    private static ObjectNode shadowError(int code, String message) {
        ObjectNode reply = EmulatorJson.object();
        reply.put("method", "reply");
        ObjectNode p = reply.putObject("payload");
        p.put("status", "error");
        ObjectNode content = p.putObject("content");
        content.put("errorcode", Integer.toString(code));
        content.put("errormessage", message);
        reply.put("timestamp", System.currentTimeMillis() / 1000);
        return reply;
    }

    /**
     * {@code {"method":<method>,"payload":{"status","state","metadata"},"version","timestamp"}}.
     */
    ObjectNode shadowDocument(String pk, String dn, String method) {
        Services s = of(pk, dn);
        ObjectNode reply = EmulatorJson.object();
        reply.put("method", method);
        ObjectNode p = reply.putObject("payload");
        p.put("status", "success");
        synchronized (s) {
            ObjectNode state = p.putObject("state");
            state.set("reported", s.reported.deepCopy());
            state.set("desired", s.desired.deepCopy());
            p.putObject("metadata");
            reply.put("version", s.shadowVersion);
        }
        reply.put("timestamp", System.currentTimeMillis() / 1000);
        return reply;
    }

    private ObjectNode shadowUpdate(String pk, String dn, JsonNode request, boolean delete) {
        JsonNode state = request.get("state");
        JsonNode version = request.get("version");
        if (state == null || !state.isObject()) {
            return shadowError(402, "state missing");
        }
        if (version == null || !version.canConvertToLong()) {
            return shadowError(403, "version is not a number");
        }
        long v = version.asLong();
        Services s = of(pk, dn);
        synchronized (s) {
            if (v != -1 && v <= s.shadowVersion) {
                return shadowError(409, "version conflict");
            }
            JsonNode reported = state.get("reported");
            if (delete) {
                if (reported != null && reported.isTextual() && reported.asText().equals("null")) {
                    s.reported.removeAll();
                } else if (reported != null && reported.isObject()) {
                    reported.fieldNames().forEachRemaining(s.reported::remove);
                } else {
                    return shadowError(404, "reported missing");
                }
            } else {
                if (reported != null && reported.isObject()) {
                    reported.properties()
                            .forEach(
                                    e -> {
                                        if (e.getValue().isTextual()
                                                && e.getValue().asText().equals("null")) {
                                            s.reported.remove(e.getKey());
                                        } else {
                                            s.reported.set(e.getKey(), e.getValue());
                                        }
                                    });
                }
                JsonNode desired = state.get("desired");
                if (desired != null && desired.isTextual() && desired.asText().equals("null")) {
                    s.desired.removeAll();
                } else if (desired != null && desired.isObject()) {
                    s.desired.setAll((ObjectNode) desired);
                }
                if (reported == null && desired == null) {
                    return shadowError(404, "reported missing");
                }
            }
            s.shadowVersion = v == -1 ? 0 : v;
            ObjectNode reply = EmulatorJson.object();
            reply.put("method", "reply");
            ObjectNode p = reply.putObject("payload");
            p.put("status", "success");
            p.put("version", s.shadowVersion);
            reply.put("version", s.shadowVersion);
            reply.put("timestamp", System.currentTimeMillis() / 1000);
            return reply;
        }
    }

    /**
     * Sets desired state from the platform (UpdateDeviceShadow) and pushes {@code control} to the
     * device; refused when {@code version} is not newer than the shadow's.
     */
    void updateShadowDesired(String pk, String dn, JsonNode desired, long version) {
        Services s = of(pk, dn);
        synchronized (s) {
            if (version <= s.shadowVersion) {
                throw new EmulatorRequestException(
                        "iot.deviceShadow.VersionConflict",
                        "version "
                                + version
                                + " is not newer than the shadow's "
                                + s.shadowVersion);
            }
            if (desired.isTextual() && desired.asText().equals("null")) {
                s.desired.removeAll();
            } else {
                s.desired.setAll((ObjectNode) desired);
            }
            s.shadowVersion = version;
        }
        engine.publishFromPlatform(
                "/shadow/get/" + pk + "/" + dn,
                EmulatorJson.bytes(shadowDocument(pk, dn, "control")),
                MqttQos.AT_MOST_ONCE);
    }

    /** The shadow document as GetDeviceShadow returns it. */
    ObjectNode shadow(String pk, String dn) {
        ObjectNode doc = shadowDocument(pk, dn, "reply");
        ObjectNode out = EmulatorJson.object();
        out.set("state", doc.get("payload").get("state"));
        out.set("metadata", doc.get("payload").get("metadata"));
        out.set("timestamp", doc.get("timestamp"));
        out.set("version", doc.get("version"));
        return out;
    }

    /** Sets desired property values (SetDeviceDesiredProperty): each gets the next version. */
    void setDesired(String pk, String dn, JsonNode items) {
        Services s = of(pk, dn);
        synchronized (s) {
            items.properties()
                    .forEach(
                            e -> {
                                s.desired.set(e.getKey(), e.getValue());
                                s.desiredVersions
                                        .computeIfAbsent(e.getKey(), k -> new long[1])[0]++;
                            });
        }
    }

    // ---- remote config

    private Answer configGet(String pk, JsonNode request) {
        JsonNode params = request.path("params");
        if (!params.path("configScope").asText("product").equals("product")
                || !params.path("getType").asText("file").equals("file")) {
            return Answer.error(CODE_CONFIG_BAD_REQUEST, "only configScope product, getType file");
        }
        ProductConfig c = configs.get(pk);
        if (c == null) {
            return Answer.error(CODE_CONFIG_NONE, "the product has no remote configuration");
        }
        return Answer.ok(configData(pk, c));
    }

    private ObjectNode configData(String pk, ProductConfig c) {
        ObjectNode data = EmulatorJson.object();
        data.put("configId", c.configId());
        data.put("configSize", c.content().length);
        data.put("sign", c.sha256());
        data.put("signMethod", "Sha256");
        data.put("url", ota.files().configUrl(pk, c.configId()));
        data.put("getType", "file");
        return data;
    }

    /** The product's configuration file, if {@code configId} is the current one. */
    ProductConfig config(String pk, String configId) {
        ProductConfig c = configs.get(pk);
        return c != null && c.configId().equals(configId) ? c : null;
    }

    /**
     * Sets the product's configuration and, when {@code push}, pushes {@code thing.config.push} to
     * {@code devices}; returns the config id.
     */
    String setConfig(String pk, byte[] content, boolean push, List<String> devices) {
        ProductConfig c =
                new ProductConfig(
                        engine.nextMessageId(), content.clone(), OtaService.sha256Hex(content));
        configs.put(pk, c);
        if (push) {
            for (String dn : devices) {
                ObjectNode request = EmulatorJson.object();
                request.put("id", engine.nextMessageId());
                request.put("version", "1.0");
                request.set("params", configData(pk, c));
                request.put("method", "thing.config.push");
                engine.publishFromPlatform(
                        "/sys/" + pk + "/" + dn + "/thing/config/push",
                        EmulatorJson.bytes(request),
                        MqttQos.AT_MOST_ONCE);
            }
        }
        return c.configId();
    }

    /** The versions a device reported, by module. */
    Map<String, String> moduleVersions(String pk, String dn) {
        Services s = of(pk, dn);
        synchronized (s) {
            return new LinkedHashMap<>(s.moduleVersions);
        }
    }

    static ArrayNode array() {
        return EmulatorJson.object().arrayNode();
    }

    static List<String> names(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
