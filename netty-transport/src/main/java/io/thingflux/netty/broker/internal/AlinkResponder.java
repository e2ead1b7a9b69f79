package io.thingflux.netty.broker.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thingflux.aliyun.AliyunLimits;
import io.thingflux.mqtt.MqttQos;
import io.thingflux.netty.broker.PropertyValue;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The platform's side of the Alink thing model for what devices publish: property, event, batch,
 * history and pack posts are answered on {@code <topic>_reply} with
 * {@code {"id":<same id>,"code":200,"data":{},"message":"success","method":<same>,"version":"1.0"}}
 * (no reply when {@code sys.ack} is 0; code 460 for a payload that is not a JSON object, 6106 for a
 * property post of more than 200 properties, which are then not kept), reported
 * property values are kept, NTP requests are answered, and replies to downlink requests (set_reply,
 * service replies) and RRPC responses complete whoever waits for them.
 */
final class AlinkResponder {

    static final ObjectMapper JSON = new ObjectMapper();
    private static final int CODE_SUCCESS = 200;
    private static final int CODE_BAD_PARAMS = 460;
    private static final int CODE_TOO_MANY_PROPERTIES = 6106;

    private final BrokerEngine engine;

    AlinkResponder(BrokerEngine engine) {
        this.engine = engine;
    }

    /** Handles a PUBLISH device {@code device} is allowed to make (the ACL was checked). */
    void onDevicePublish(DeviceState device, String topic, byte[] payload, MqttQos qos) {
        String sysPrefix = device.sysPrefix;
        if (topic.startsWith(sysPrefix)) {
            String rest = topic.substring(sysPrefix.length());
            if (rest.startsWith("thing/")) {
                onThing(device, topic, rest, payload, qos);
            } else if (rest.startsWith("rrpc/response/")) {
                device.rrpcResponse(rest.substring("rrpc/response/".length()), payload);
            }
        } else if (topic.startsWith("/ext/rrpc/")) {
            int end = topic.indexOf('/', "/ext/rrpc/".length());
            device.rrpcResponse(topic.substring("/ext/rrpc/".length(), end), payload);
        } else if (topic.equals("/ext/ntp/" + device.productKey + "/" + device.deviceName + "/request")) {
            onNtp(device, payload);
        }
    }

    private void onThing(DeviceState device, String topic, String rest, byte[] payload, MqttQos qos) {
        if (rest.endsWith("_reply")) {
            JsonNode reply = parseObject(payload);
            if (reply != null && reply.hasNonNull("id")) {
                device.reply(reply.get("id").asText(), new String(payload, StandardCharsets.UTF_8));
            }
            return;
        }
        if (!(rest.startsWith("thing/event/") && rest.endsWith("/post"))) {
            return;
        }
        String topicMethod = rest.replace('/', '.');
        JsonNode request = parseObject(payload);
        if (request == null) {
            replyTo(topic, null, topicMethod, CODE_BAD_PARAMS, "request parameter error", qos);
            return;
        }
        JsonNode id = request.get("id");
        String method = request.hasNonNull("method") ? request.get("method").asText() : topicMethod;
        JsonNode params = request.get("params");
        boolean valid = id != null && !id.isNull() && params != null && !params.isNull();
        if (valid && rest.equals("thing/event/property/post")) {
            valid = params.isObject();
            if (valid && params.size() > AliyunLimits.MAX_PROPERTIES_PER_POST) {
                replyTo(topic, id, method, CODE_TOO_MANY_PROPERTIES, "too many properties", qos);
                return;
            }
            if (valid) {
                storeProperties(device, params);
            }
        } else if (valid && rest.equals("thing/event/property/batch/post")) {
            valid = params.isObject();
            if (valid) {
                storeBatch(device, params.get("properties"));
            }
        }
        JsonNode sys = request.get("sys");
        boolean ack = sys == null || !sys.has("ack") || sys.get("ack").asInt(1) != 0;
        if (!valid) {
            replyTo(topic, id, method, CODE_BAD_PARAMS, "request parameter error", qos);
        } else if (ack) {
            replyTo(topic, id, method, CODE_SUCCESS, "success", qos);
        }
    }

    /**
     * Publishes {@code {"id":..,"code":..,"data":{},"message":..,"method":..,"version":"1.0"}} on
     * {@code topic + "_reply"}, written field by field (no tree is built for it).
     */
    private void replyTo(String topic, JsonNode id, String method, int code, String message, MqttQos qos) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        try (JsonGenerator g = JSON.getFactory().createGenerator(out)) {
            g.writeStartObject();
            g.writeFieldName("id");
            if (id == null) {
                g.writeNull();
            } else if (id.isTextual()) {
                g.writeString(id.textValue());
            } else if (id.isInt()) {
                g.writeNumber(id.intValue());
            } else if (id.isLong()) {
                g.writeNumber(id.longValue());
            } else {
                JSON.writeTree(g, id);
            }
            g.writeNumberField("code", code);
            g.writeFieldName("data");
            g.writeStartObject();
            g.writeEndObject();
            g.writeStringField("message", message);
            g.writeStringField("method", method);
            g.writeStringField("version", "1.0");
            g.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException("cannot write an Alink reply", e);
        }
        engine.publishFromPlatform(topic + "_reply", out.toByteArray(), qos);
    }

    private static void storeProperties(DeviceState device, JsonNode params) {
        long now = System.currentTimeMillis();
        for (Map.Entry<String, JsonNode> e : params.properties()) {
            JsonNode v = e.getValue();
            if (v.isObject() && v.has("value")) {
                long time = v.hasNonNull("time") ? v.get("time").asLong(now) : now;
                device.putProperty(new PropertyValue(e.getKey(), jsonText(v.get("value")), time));
            } else {
                device.putProperty(new PropertyValue(e.getKey(), jsonText(v), now));
            }
        }
    }

    /**
     * {@code v} as JSON text, the same as {@code v.toString()}: scalars directly (the common case of a
     * property value), anything else through the serializer.
     */
    static String jsonText(JsonNode v) {
        if (v.isInt() || v.isLong() || v.isBigInteger() || v.isBoolean() || v.isNull()) {
            return v.asText();
        }
        if (v.isDouble() && Double.isFinite(v.doubleValue())) {
            return Double.toString(v.doubleValue());
        }
        if (v.isTextual()) {
            return '"' + new String(JsonStringEncoder.getInstance().quoteAsString(v.textValue())) + '"';
        }
        return v.toString();
    }

    /** Batch post: {@code properties} maps an identifier to an array of {value,time}; the latest time wins. */
    private static void storeBatch(DeviceState device, JsonNode properties) {
        if (properties == null || !properties.isObject()) {
            return;
        }
        long now = System.currentTimeMillis();
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
                device.putProperty(new PropertyValue(e.getKey(), latest.toString(), latestTime));
            }
        }
    }

    /** NTP (doc 102509): echo deviceSendTime with the server's receive and send times on {@code .../response}. */
    private void onNtp(DeviceState device, byte[] payload) {
        long received = System.currentTimeMillis();
        JsonNode request = parseObject(payload);
        if (request == null || !request.hasNonNull("deviceSendTime")) {
            return;
        }
        ObjectNode response = JsonNodeFactory.instance.objectNode();
        response.put("deviceSendTime", request.get("deviceSendTime").asText());
        response.put("serverRecvTime", Long.toString(received));
        response.put("serverSendTime", Long.toString(System.currentTimeMillis()));
        engine.publishFromPlatform("/ext/ntp/" + device.productKey + "/" + device.deviceName + "/response",
                bytes(response), MqttQos.AT_MOST_ONCE);
    }

    static JsonNode parseObject(byte[] payload) {
        try {
            JsonNode node = JSON.readTree(payload);
            return node != null && node.isObject() ? node : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** Any JSON value from text, or {@code null} when it is not JSON. */
    static JsonNode parseAny(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            return null;
        }
    }

    static byte[] bytes(JsonNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise a JSON tree", e);
        }
    }
}
