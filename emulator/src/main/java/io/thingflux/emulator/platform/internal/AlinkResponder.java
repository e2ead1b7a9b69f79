package io.thingflux.emulator.platform.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thingflux.alink.AlinkJson;
import io.thingflux.aliyun.AliyunLimits;
import io.thingflux.emulator.platform.PropertyValue;
import io.thingflux.mqtt.MqttQos;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The platform's side of the Alink thing model for what devices publish: property, event, batch,
 * history and pack posts are answered on {@code <topic>_reply} with {@code {"id":<same
 * id>,"code":200,"data":{},"message":"success","method":<same>,"version":"1.0"}} (no reply when
 * {@code sys.ack} is 0; code 460 for a payload that is not a JSON object or lacks its id or params,
 * 6106 for a property post of more than 200 properties, which are then not kept), reported property
 * values are kept, NTP requests are answered, and replies to downlink requests (set_reply, service
 * replies) and RRPC responses complete whoever waits for them. JSON is read and written with {@link
 * EmulatorJson}.
 */
final class AlinkResponder {

    private static final int CODE_SUCCESS = 200;
    private static final int CODE_BAD_PARAMS = 460;
    private static final int CODE_TOO_MANY_PROPERTIES = 6106;

    private static final String PROPERTY_POST = "thing/event/property/post";
    private static final String BATCH_POST = "thing/event/property/batch/post";

    private final BrokerEngine engine;

    AlinkResponder(BrokerEngine engine) {
        this.engine = engine;
    }

    /** Handles a PUBLISH device {@code device} is allowed to make (the ACL was checked). */
    void onDevicePublish(DeviceState device, String topic, byte[] payload, MqttQos qos) {
        String sysPrefix = device.sysPrefix;
        if (topic.startsWith(sysPrefix)) {
            int from = sysPrefix.length();
            if (topic.startsWith("thing/", from)) {
                onThing(device, topic, from, payload, qos);
            } else if (topic.startsWith("rrpc/response/", from)) {
                device.rrpcResponse(topic.substring(from + "rrpc/response/".length()), payload);
            }
        } else if (topic.startsWith("/ext/rrpc/")) {
            int end = topic.indexOf('/', "/ext/rrpc/".length());
            device.rrpcResponse(topic.substring("/ext/rrpc/".length(), end), payload);
        } else if (topic.equals(
                "/ext/ntp/" + device.productKey + "/" + device.deviceName + "/request")) {
            onNtp(device, payload);
        }
    }

    /**
     * {@code topic} from index {@code from} on (the part after the device's {@code /sys/} prefix).
     */
    private void onThing(DeviceState device, String topic, int from, byte[] payload, MqttQos qos) {
        if (topic.endsWith("_reply")) {
            JsonNode reply = EmulatorJson.readObject(payload);
            if (reply != null && reply.hasNonNull("id")) {
                device.reply(reply.get("id").asText(), new String(payload, StandardCharsets.UTF_8));
            }
            return;
        }
        if (!(topic.startsWith("thing/event/", from) && topic.endsWith("/post"))) {
            return;
        }
        byte[] reply = answerPost(device, topic, from, payload, System.currentTimeMillis());
        if (reply != null) {
            engine.publishFromPlatform(topic + "_reply", reply, qos);
        }
    }

    /**
     * Answers the post {@code payload} on {@code topic} (a {@code thing/event/.../post} topic from
     * index {@code from} on), keeping the properties it reports with {@code now} for those without
     * a time; returns the reply's payload, or {@code null} for none.
     */
    byte[] answerPost(DeviceState device, String topic, int from, byte[] payload, long now) {
        JsonNode request = EmulatorJson.readObject(payload);
        if (request == null) {
            return reply(null, CODE_BAD_PARAMS, topicMethod(topic, from));
        }
        JsonNode id = request.get("id");
        String method =
                request.hasNonNull("method")
                        ? request.get("method").asText()
                        : topicMethod(topic, from);
        JsonNode params = request.get("params");
        boolean valid = id != null && !id.isNull() && params != null && !params.isNull();
        if (valid && restIs(topic, from, PROPERTY_POST)) {
            valid = params.isObject();
            if (valid && params.size() > AliyunLimits.MAX_PROPERTIES_PER_POST) {
                return reply(id, CODE_TOO_MANY_PROPERTIES, method);
            }
            if (valid) {
                storeProperties(device, params, now);
            }
        } else if (valid && restIs(topic, from, BATCH_POST)) {
            valid = params.isObject();
            if (valid) {
                storeBatch(device, params.get("properties"), now);
            }
        }
        if (!valid) {
            return reply(id, CODE_BAD_PARAMS, method);
        }
        JsonNode sys = request.get("sys");
        boolean ack = sys == null || !sys.has("ack") || sys.get("ack").asInt(1) != 0;
        return ack ? reply(id, CODE_SUCCESS, method) : null;
    }

    private static boolean restIs(String topic, int from, String rest) {
        return topic.length() - from == rest.length() && topic.startsWith(rest, from);
    }

    /**
     * The method a post's topic stands for: {@code thing/event/property/post} is {@code
     * thing.event.property.post}.
     */
    private static String topicMethod(String topic, int from) {
        return topic.substring(from).replace('/', '.');
    }

    /**
     * {@code {"id":..,"code":..,"data":{},"message":..,"method":..,"version":"1.0"}}; a missing id
     * is null.
     */
    private static byte[] reply(JsonNode id, int code, String method) {
        ObjectNode reply = EmulatorJson.object();
        if (id == null) {
            reply.putNull("id");
        } else {
            reply.set("id", id);
        }
        reply.put("code", code);
        reply.putObject("data");
        reply.put(
                "message",
                code == CODE_SUCCESS
                        ? "success"
                        : code == CODE_BAD_PARAMS
                                ? "request parameter error"
                                : "too many properties");
        reply.put("method", method);
        reply.put("version", AlinkJson.VERSION);
        return EmulatorJson.bytes(reply);
    }

    /** Property post: each property's value as JSON text, with its {@code time} if given. */
    private static void storeProperties(DeviceState device, JsonNode params, long now) {
        for (Map.Entry<String, JsonNode> e : params.properties()) {
            JsonNode v = e.getValue();
            if (v.isObject() && v.has("value")) {
                long time = v.hasNonNull("time") ? v.get("time").asLong(now) : now;
                device.putProperty(
                        new PropertyValue(e.getKey(), EmulatorJson.text(v.get("value")), time));
            } else {
                device.putProperty(new PropertyValue(e.getKey(), EmulatorJson.text(v), now));
            }
        }
    }

    /**
     * Batch post: {@code properties} maps an identifier to an array of {value,time}; the latest
     * time wins.
     */
    private static void storeBatch(DeviceState device, JsonNode properties, long now) {
        if (properties == null || !properties.isObject()) {
            return;
        }
        for (Map.Entry<String, JsonNode> e : properties.properties()) {
            JsonNode latest = null;
            long latestTime = Long.MIN_VALUE;
            for (JsonNode sample : e.getValue()) {
                long time = sample.hasNonNull("time") ? sample.get("time").asLong(now) : now;
                if (sample.has("value") && time >= latestTime) {
                    latest = sample.get("value");
                    latestTime = time;
                }
            }
            if (latest != null) {
                device.putProperty(
                        new PropertyValue(e.getKey(), EmulatorJson.text(latest), latestTime));
            }
        }
    }

    /**
     * NTP (doc 102509): echo deviceSendTime with the server's receive and send times on {@code
     * .../response}.
     */
    private void onNtp(DeviceState device, byte[] payload) {
        long received = System.currentTimeMillis();
        JsonNode request = EmulatorJson.readObject(payload);
        if (request == null || !request.hasNonNull("deviceSendTime")) {
            return;
        }
        ObjectNode response = EmulatorJson.object();
        response.put("deviceSendTime", request.get("deviceSendTime").asText());
        response.put("serverRecvTime", Long.toString(received));
        response.put("serverSendTime", Long.toString(System.currentTimeMillis()));
        engine.publishFromPlatform(
                "/ext/ntp/" + device.productKey + "/" + device.deviceName + "/response",
                EmulatorJson.bytes(response),
                MqttQos.AT_MOST_ONCE);
    }
}
