package io.thingflux.emulator.platform.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.thingflux.aliyun.AliyunLimits;
import io.thingflux.emulator.platform.DeviceStatus;
import io.thingflux.emulator.platform.DistinctPublish;
import io.thingflux.emulator.platform.EmulatorRequestException;
import io.thingflux.emulator.platform.PropertyValue;
import io.thingflux.mqtt.MqttQos;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.function.ToLongFunction;
import reactor.core.publisher.Mono;

/**
 * The platform's OpenAPI actions (API version {@value #VERSION}), one implementation each, shared
 * by the signed RPC endpoint and the unsigned {@code /api/<Action>} JSON form: each takes the
 * call's parameters and fills the success body ({@code RequestId} and {@code Success} are there
 * already) with the platform's result shape. A request the emulator cannot carry out (unknown or
 * offline device) fails with {@link EmulatorRequestException} (answered 200, {@code
 * "Success":false}); a missing or malformed parameter with {@link OpenApiError} (400).
 *
 * <p>Emulator limits: InvokeThingService is synchronous for the services {@link
 * io.thingflux.emulator.platform.EmulatorOptions#syncServices() configured} so (the emulator has no
 * thing model), asynchronous otherwise; history queries see the last {@link
 * DeviceState#MAX_HISTORY} values and events per device (a batch post contributes its latest sample
 * of each property); every event's type is {@code info}.
 */
final class OpenApiActions {

    /** The API version the actions follow. */
    static final String VERSION = "2018-01-20";

    /** The most items one page of QueryDevice returns, as the platform allows. */
    static final int MAX_DEVICE_PAGE = 50;

    /** The most items one page of a history query returns, as the platform allows. */
    static final int MAX_HISTORY_PAGE = 100;

    /** RRpc timeout bounds (ms), as the platform's API allows, and the default. */
    static final int RRPC_MIN_TIMEOUT = 1000;

    static final int RRPC_MAX_TIMEOUT = (int) AliyunLimits.RRPC_REPLY_DEADLINE.toMillis();
    static final int RRPC_DEFAULT_TIMEOUT = 5000;

    private static final DateTimeFormatter GMT =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter UTC =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private final BrokerEngine engine;

    /** The platform-service actions (shadow, tags, config, OTA), in their own class. */
    private final PlatformServiceActions serviceActions;

    OpenApiActions(BrokerEngine engine) {
        this.engine = engine;
        this.serviceActions = new PlatformServiceActions(engine);
    }

    /** A device named by {@code IotId} or by {@code ProductKey} and {@code DeviceName}. */
    private record Target(String productKey, String deviceName) {}

    /**
     * Runs {@code action}; the returned body is {@code ok} filled in. Throws (or signals) {@link
     * OpenApiError} for {@code InvalidApi.NotFound} and bad parameters.
     */
    Mono<ObjectNode> call(String action, OpenApiParams p, ObjectNode ok) {
        switch (action) {
            case "RegisterDevice" -> registerDevice(p, ok);
            case "QueryDeviceDetail" -> queryDeviceDetail(p, ok);
            case "QueryDevice" -> queryDevice(p, ok);
            case "DeleteDevice" -> {
                Target t = target(p);
                engine.gateways().onSubDeviceChange(t.productKey, t.deviceName, "delete");
                engine.delete(t.productKey, t.deviceName);
            }
            case "DisableThing" -> {
                Target t = target(p);
                engine.gateways().onSubDeviceChange(t.productKey, t.deviceName, "disable");
                engine.setDisabled(t.productKey, t.deviceName, true);
            }
            case "EnableThing" -> {
                Target t = target(p);
                engine.setDisabled(t.productKey, t.deviceName, false);
                engine.gateways().onSubDeviceChange(t.productKey, t.deviceName, "enable");
            }
            case "GetDeviceStatus" -> {
                Target t = target(p);
                ok.putObject("Data")
                        .put("Status", engine.deviceStatus(t.productKey, t.deviceName).name());
            }
            case "BatchGetDeviceState" -> batchGetDeviceState(p, ok);
            case "SetDeviceProperty" -> {
                Target t = target(p);
                String id = engine.setProperties(t.productKey, t.deviceName, p.required("Items"));
                ok.putObject("Data").put("MessageId", id);
            }
            case "SetDevicesProperty" -> {
                String pk = p.required("ProductKey");
                String items = p.required("Items");
                for (String dn : deviceNames(p)) {
                    if (engine.deviceStatus(pk, dn) == DeviceStatus.ONLINE) {
                        engine.setProperties(pk, dn, items);
                    }
                }
            }
            case "InvokeThingService" -> {
                return invokeThingService(p, ok);
            }
            case "InvokeThingsService" -> {
                String pk = p.required("ProductKey");
                String identifier = p.required("Identifier");
                String args = p.optional("Args");
                for (String dn : deviceNames(p)) {
                    if (engine.deviceStatus(pk, dn) == DeviceStatus.ONLINE) {
                        engine.invokeService(pk, dn, identifier, args);
                    }
                }
            }
            case "QueryDevicePropertyStatus" -> queryDevicePropertyStatus(p, ok);
            case "QueryDevicePropertyData" -> queryDevicePropertyData(p, ok);
            case "QueryDeviceEventData" -> queryDeviceEventData(p, ok);
            case "QueryDevicePublishes" -> queryDevicePublishes(p, ok);
            case "Pub" -> pub(p, ok);
            case "PubBroadcast" -> pubBroadcast(p, ok);
            case "RRpc" -> {
                return rrpc(p, ok);
            }
            // gateways (#18)
            case "GetThingTopo" -> {
                Target t = target(p);
                GatewayActions.getThingTopo(engine, t.productKey, t.deviceName, p, ok);
            }
            case "NotifyAddThingTopo" ->
                    GatewayActions.notifyAddThingTopo(
                            engine,
                            p.required("GwProductKey"),
                            p.required("GwDeviceName"),
                            p.required("DeviceListStr"),
                            ok);
            case "RemoveThingTopo" -> {
                Target t = target(p);
                GatewayActions.removeThingTopo(engine, t.productKey, t.deviceName, ok);
            }
            default -> {
                Mono<ObjectNode> service = serviceActions.call(action, p, ok);
                if (service != null) {
                    return service;
                }
                throw new OpenApiError(
                        HttpResponseStatus.NOT_FOUND,
                        "InvalidApi.NotFound",
                        "Specified api is not found, please check your url and method: " + action);
            }
        }
        return Mono.just(ok);
    }

    private Target target(OpenApiParams p) {
        String iotId = p.optional("IotId");
        if (iotId != null && p.optional("DeviceName") == null) {
            String key = engine.directory().keyOf(iotId);
            if (key == null) {
                throw new EmulatorRequestException(
                        EmulatorRequestException.DEVICE_NOT_FOUND, "no device has IotId " + iotId);
            }
            int slash = key.indexOf('/');
            return new Target(key.substring(0, slash), key.substring(slash + 1));
        }
        return new Target(p.required("ProductKey"), p.required("DeviceName"));
    }

    private static List<String> deviceNames(OpenApiParams p) {
        List<String> names = p.list("DeviceName");
        if (names.isEmpty()) {
            throw OpenApiError.missing("DeviceName.1");
        }
        return names;
    }

    private void registerDevice(OpenApiParams p, ObjectNode ok) {
        String pk = p.required("ProductKey");
        String dn = p.optional("DeviceName");
        if (dn == null) {
            dn = engine.directory().iotId(pk, Long.toString(System.nanoTime())).substring(0, 20);
        } else if (!dn.matches("[A-Za-z0-9_.:@-]{4,32}")) {
            throw OpenApiError.invalid(
                    "DeviceName", "4 to 32 letters, digits and the characters _ . : @ -");
        }
        DeviceDirectory.Registered r = engine.register(pk, dn, p.optional("Nickname"));
        if (r == null) {
            throw new EmulatorRequestException(
                    "iot.device.AlreadyExistedDeviceName",
                    "device " + pk + "/" + dn + " exists already");
        }
        ObjectNode data = ok.putObject("Data");
        data.put("IotId", engine.directory().iotId(pk, dn));
        data.put("ProductKey", pk);
        data.put("DeviceName", dn);
        data.put("DeviceSecret", r.secret());
        if (r.nickname() != null) {
            data.put("Nickname", r.nickname());
        }
    }

    private void queryDeviceDetail(OpenApiParams p, ObjectNode ok) {
        Target t = target(p);
        DeviceState state = engine.knownDeviceState(t.productKey, t.deviceName);
        DeviceDirectory.Registered r = engine.directory().registered(t.productKey, t.deviceName);
        ObjectNode data = ok.putObject("Data");
        data.put("IotId", engine.directory().iotId(t.productKey, t.deviceName));
        data.put("ProductKey", t.productKey);
        data.put("ProductName", t.productKey);
        data.put("DeviceName", t.deviceName);
        data.put(
                "DeviceSecret",
                engine.authenticator().secretOf(t.productKey, t.deviceName).orElse(""));
        if (r != null && r.nickname() != null) {
            data.put("Nickname", r.nickname());
        }
        data.put("Status", engine.deviceStatus(t.productKey, t.deviceName).name());
        data.put("NodeType", 0);
        data.put("Region", "cn-shanghai");
        if (r != null) {
            data.put("GmtCreate", GMT.format(Instant.ofEpochMilli(r.createdMillis())));
            data.put("UtcCreate", UTC.format(Instant.ofEpochMilli(r.createdMillis())));
        }
        if (state.lastOnlineMillis() > 0) {
            Instant online = Instant.ofEpochMilli(state.lastOnlineMillis());
            data.put("GmtOnline", GMT.format(online));
            data.put("UtcOnline", UTC.format(online));
        }
    }

    private void queryDevice(OpenApiParams p, ObjectNode ok) {
        String pk = p.required("ProductKey");
        int pageSize = p.intParam("PageSize", 10, 1, MAX_DEVICE_PAGE);
        int page = p.intParam("CurrentPage", 1, 1, Integer.MAX_VALUE);
        List<String> names = engine.deviceNames(pk);
        int from = (int) Math.min((long) (page - 1) * pageSize, names.size());
        List<String> slice = names.subList(from, Math.min(from + pageSize, names.size()));
        ok.put("Total", names.size());
        ok.put("PageSize", pageSize);
        ok.put("Page", page);
        ok.put("PageCount", (names.size() + pageSize - 1) / pageSize);
        ArrayNode list = ok.putObject("Data").putArray("DeviceInfo");
        for (String dn : slice) {
            ObjectNode info = list.addObject();
            String iotId = engine.directory().iotId(pk, dn);
            info.put("IotId", iotId);
            info.put("DeviceId", iotId);
            info.put("ProductKey", pk);
            info.put("DeviceName", dn);
            info.put("DeviceSecret", engine.authenticator().secretOf(pk, dn).orElse(""));
            info.put("DeviceStatus", engine.deviceStatus(pk, dn).name());
            info.put("DeviceType", pk);
            DeviceDirectory.Registered r = engine.directory().registered(pk, dn);
            if (r != null) {
                if (r.nickname() != null) {
                    info.put("Nickname", r.nickname());
                }
                info.put("GmtCreate", GMT.format(Instant.ofEpochMilli(r.createdMillis())));
                info.put("UtcCreate", UTC.format(Instant.ofEpochMilli(r.createdMillis())));
            }
        }
    }

    private void batchGetDeviceState(OpenApiParams p, ObjectNode ok) {
        List<Target> targets = new ArrayList<>();
        List<String> iotIds = p.list("IotId");
        if (!iotIds.isEmpty()) {
            for (String iotId : iotIds) {
                targets.add(target(new OpenApiParams(Map.of("IotId", iotId))));
            }
        } else {
            String pk = p.required("ProductKey");
            deviceNames(p).forEach(dn -> targets.add(new Target(pk, dn)));
        }
        ArrayNode list = ok.putObject("DeviceStatusList").putArray("DeviceStatus");
        for (Target t : targets) {
            DeviceState state = engine.knownDeviceState(t.productKey, t.deviceName);
            ObjectNode s = list.addObject();
            s.put("IotId", engine.directory().iotId(t.productKey, t.deviceName));
            s.put("DeviceName", t.deviceName);
            s.put("Status", engine.deviceStatus(t.productKey, t.deviceName).name());
            if (state.lastOnlineMillis() > 0) {
                s.put("LastOnlineTime", GMT.format(Instant.ofEpochMilli(state.lastOnlineMillis())));
            }
        }
    }

    private Mono<ObjectNode> invokeThingService(OpenApiParams p, ObjectNode ok) {
        Target t = target(p);
        String identifier = p.required("Identifier");
        String args = p.optional("Args");
        if (!engine.options().syncServices().contains(t.productKey + "/" + identifier)) {
            String id = engine.invokeService(t.productKey, t.deviceName, identifier, args);
            ok.putObject("Data").put("MessageId", id);
            return Mono.just(ok);
        }
        // the emulator's own Timeout (ms, as RRpc takes it): the platform waits its 8 s deadline
        Duration deadline =
                Duration.ofMillis(
                        p.intParam(
                                "Timeout", RRPC_MAX_TIMEOUT, RRPC_MIN_TIMEOUT, RRPC_MAX_TIMEOUT));
        return engine.invokeServiceSync(t.productKey, t.deviceName, identifier, args, deadline)
                .map(
                        idAndReply -> {
                            ObjectNode data = ok.putObject("Data");
                            data.put("MessageId", idAndReply[0]);
                            JsonNode reply =
                                    EmulatorJson.readObject(
                                            idAndReply[1].getBytes(StandardCharsets.UTF_8));
                            JsonNode result = reply == null ? null : reply.get("data");
                            data.put(
                                    "Result",
                                    result == null ? idAndReply[1] : EmulatorJson.text(result));
                            return ok;
                        })
                .onErrorMap(
                        TimeoutException.class,
                        e ->
                                new EmulatorRequestException(
                                        "iot.device.InvokeThingServiceTimeout",
                                        "the device did not answer within "
                                                + deadline.toMillis()
                                                + " ms"));
    }

    /**
     * The emulator's dedup view of what a device published (not a platform action): {@code
     * Data.List.PublishInfo}, each distinct message once in order of first arrival, with {@code
     * TopicFullName}, {@code MessageContent} (base64), {@code AlinkId} when the payload has one,
     * {@code Arrivals} and {@code DupArrivals}; only the topic {@code TopicFullName} when given.
     */
    private void queryDevicePublishes(OpenApiParams p, ObjectNode ok) {
        Target t = target(p);
        String topic = p.optional("TopicFullName");
        ArrayNode list = ok.putObject("Data").putObject("List").putArray("PublishInfo");
        for (DistinctPublish d : engine.distinctPublishes(t.productKey, t.deviceName)) {
            if (topic != null && !topic.equals(d.topic())) {
                continue;
            }
            ObjectNode info = list.addObject();
            info.put("TopicFullName", d.topic());
            info.put("MessageContent", Base64.getEncoder().encodeToString(d.payload()));
            if (d.alinkId() != null) {
                info.put("AlinkId", d.alinkId());
            }
            info.put("Arrivals", d.arrivals());
            info.put("DupArrivals", d.dupArrivals());
        }
    }

    private void queryDevicePropertyStatus(OpenApiParams p, ObjectNode ok) {
        Target t = target(p);
        Map<String, PropertyValue> props = engine.properties(t.productKey, t.deviceName);
        ArrayNode list = ok.putObject("Data").putObject("List").putArray("PropertyStatusInfo");
        props.values().stream()
                .sorted(Comparator.comparing(PropertyValue::identifier))
                .forEach(
                        v -> {
                            ObjectNode info = list.addObject();
                            info.put("Identifier", v.identifier());
                            info.put("Value", displayValue(v.valueJson()));
                            info.put("Time", Long.toString(v.timeMillis()));
                        });
    }

    /** A JSON string value without its quotes; any other value as its JSON text. */
    private static String displayValue(String valueJson) {
        JsonNode value = EmulatorJson.readAny(valueJson.getBytes(StandardCharsets.UTF_8));
        return value != null && value.isTextual() ? value.asText() : valueJson;
    }

    private void queryDevicePropertyData(OpenApiParams p, ObjectNode ok) {
        Target t = target(p);
        String identifier = p.required("Identifier");
        DeviceState state = engine.knownDeviceState(t.productKey, t.deviceName);
        Page<PropertyValue> page =
                page(p, state.propertyHistory(identifier), PropertyValue::timeMillis);
        ObjectNode data = ok.putObject("Data");
        ArrayNode list = page.fill(data).putObject("List").putArray("PropertyInfo");
        for (PropertyValue v : page.items) {
            ObjectNode info = list.addObject();
            info.put("Time", Long.toString(v.timeMillis()));
            info.put("Value", displayValue(v.valueJson()));
        }
    }

    private void queryDeviceEventData(OpenApiParams p, ObjectNode ok) {
        Target t = target(p);
        String identifier = p.optional("Identifier");
        String eventType = p.optional("EventType");
        DeviceState state = engine.knownDeviceState(t.productKey, t.deviceName);
        List<DeviceState.Event> events =
                state.eventHistory().stream()
                        .filter(e -> identifier == null || e.identifier().equals(identifier))
                        .filter(e -> eventType == null || eventType.equals("info"))
                        .toList();
        Page<DeviceState.Event> page = page(p, events, DeviceState.Event::timeMillis);
        ObjectNode data = ok.putObject("Data");
        ArrayNode list = page.fill(data).putObject("List").putArray("EventInfo");
        for (DeviceState.Event e : page.items) {
            ObjectNode info = list.addObject();
            info.put("Time", Long.toString(e.timeMillis()));
            info.put("Identifier", e.identifier());
            info.put("Name", e.identifier());
            info.put("EventType", "info");
            info.put("OutputData", e.outputJson());
        }
    }

    /** One page of a history query: its items and where the next page starts. */
    private record Page<T>(List<T> items, boolean nextValid, long nextTime) {
        ObjectNode fill(ObjectNode data) {
            data.put("NextValid", nextValid);
            data.put("NextTime", nextTime);
            return data;
        }
    }

    /**
     * The platform's paging of a time range: {@code StartTime} and {@code EndTime} (ms, inclusive),
     * {@code PageSize}, {@code Asc} (1 oldest first, 0 newest first); the next page is asked with
     * {@code StartTime} (ascending) or {@code EndTime} (descending) set to {@code NextTime}.
     */
    private static <T> Page<T> page(OpenApiParams p, List<T> all, ToLongFunction<T> time) {
        long start = p.requiredLong("StartTime");
        long end = p.requiredLong("EndTime");
        int pageSize = p.intParam("PageSize", 10, 1, MAX_HISTORY_PAGE);
        int asc = p.intParam("Asc", 0, 0, 1);
        Comparator<T> order = Comparator.comparingLong(time);
        List<T> inRange =
                all.stream()
                        .filter(v -> time.applyAsLong(v) >= Math.min(start, end))
                        .filter(v -> time.applyAsLong(v) <= Math.max(start, end))
                        .sorted(asc == 1 ? order : order.reversed())
                        .toList();
        if (inRange.size() <= pageSize) {
            return new Page<>(inRange, false, 0);
        }
        List<T> items = inRange.subList(0, pageSize);
        long last = time.applyAsLong(items.get(pageSize - 1));
        return new Page<>(List.copyOf(items), true, asc == 1 ? last + 1 : last - 1);
    }

    private void pub(OpenApiParams p, ObjectNode ok) {
        p.required("ProductKey");
        byte[] content = base64(p.required("MessageContent"), "MessageContent");
        int qos = p.intParam("Qos", 0, 0, 1);
        engine.publish(p.required("TopicFullName"), content, MqttQos.valueOf(qos));
        ok.put("MessageId", engine.nextMessageId());
    }

    private void pubBroadcast(OpenApiParams p, ObjectNode ok) {
        String pk = p.required("ProductKey");
        byte[] content = base64(p.required("MessageContent"), "MessageContent");
        String topic = p.optional("TopicFullName");
        String messageId = engine.nextMessageId();
        if (topic != null) {
            if (!topic.startsWith("/broadcast/" + pk + "/")) {
                throw OpenApiError.invalid(
                        "TopicFullName", "must start with /broadcast/" + pk + "/");
            }
            engine.publish(topic, content, MqttQos.AT_MOST_ONCE);
        } else {
            for (String dn : engine.deviceNames(pk)) {
                if (engine.deviceStatus(pk, dn) == DeviceStatus.ONLINE) {
                    engine.publish(
                            "/sys/" + pk + "/" + dn + "/broadcast/request/" + messageId,
                            content,
                            MqttQos.AT_MOST_ONCE);
                }
            }
        }
        ok.put("MessageId", Long.parseLong(messageId));
    }

    private Mono<ObjectNode> rrpc(OpenApiParams p, ObjectNode ok) {
        Target t = target(p);
        byte[] request = base64(p.required("RequestBase64Byte"), "RequestBase64Byte");
        int timeout =
                p.intParam("Timeout", RRPC_DEFAULT_TIMEOUT, RRPC_MIN_TIMEOUT, RRPC_MAX_TIMEOUT);
        if (engine.deviceStatus(t.productKey, t.deviceName) != DeviceStatus.ONLINE) {
            ok.put("RrpcCode", "OFFLINE");
            return Mono.just(ok);
        }
        return engine.rrpc(t.productKey, t.deviceName, request, Duration.ofMillis(timeout))
                .map(
                        response -> {
                            ok.put("RrpcCode", "SUCCESS");
                            ok.put(
                                    "PayloadBase64Byte",
                                    Base64.getEncoder().encodeToString(response));
                            return ok;
                        })
                .onErrorResume(
                        TimeoutException.class,
                        e -> {
                            ok.put("RrpcCode", "TIMEOUT");
                            return Mono.just(ok);
                        });
    }

    private static byte[] base64(String text, String field) {
        try {
            return Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw OpenApiError.invalid(field, "not base64");
        }
    }
}
