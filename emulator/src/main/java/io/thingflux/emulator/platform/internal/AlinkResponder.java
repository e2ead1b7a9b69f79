package io.thingflux.emulator.platform.internal;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.thingflux.alink.AlinkJson;
import io.thingflux.aliyun.AliyunLimits;
import io.thingflux.emulator.platform.PropertyValue;
import io.thingflux.mqtt.MqttQos;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
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
        boolean propertyPost = restIs(topic, from, PROPERTY_POST);
        Post request = Post.read(payload, propertyPost, now);
        if (request == null) {
            return reply(null, CODE_BAD_PARAMS, topicMethod(topic, from));
        }
        JsonNode id = request.id;
        String method = request.method != null ? request.method : topicMethod(topic, from);
        boolean valid = id != null && request.hasParams;
        if (valid && propertyPost) {
            valid = request.properties != null;
            if (valid && request.properties.size() > AliyunLimits.MAX_PROPERTIES_PER_POST) {
                return reply(id, CODE_TOO_MANY_PROPERTIES, method);
            }
            if (valid) {
                request.properties.values().forEach(device::putProperty);
            }
        } else if (valid && restIs(topic, from, BATCH_POST)) {
            valid = request.params.isObject();
            if (valid) {
                storeBatch(device, request.params.get("properties"), now);
            }
        }
        if (!valid) {
            return reply(id, CODE_BAD_PARAMS, method);
        }
        return request.ack ? reply(id, CODE_SUCCESS, method) : null;
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
        return EmulatorJson.write(
                g -> {
                    g.writeStartObject();
                    g.writeFieldName("id");
                    if (id == null) {
                        g.writeNull();
                    } else if (id.isTextual()) {
                        g.writeString(id.textValue()); // what devices send: no serializer lookup
                    } else {
                        g.writeTree(id);
                    }
                    g.writeNumberField("code", code);
                    g.writeObjectFieldStart("data");
                    g.writeEndObject();
                    g.writeStringField(
                            "message",
                            code == CODE_SUCCESS
                                    ? "success"
                                    : code == CODE_BAD_PARAMS
                                            ? "request parameter error"
                                            : "too many properties");
                    g.writeStringField("method", method);
                    g.writeStringField("version", AlinkJson.VERSION);
                    g.writeEndObject();
                });
    }

    /**
     * A post's envelope as the streaming parser reads it: the id (null when missing or null), the
     * method, whether {@code sys.ack} asks for a reply, and the params: a property post's as the
     * values to keep (each property's value as JSON text, with its {@code time} if given; {@code
     * null} when params is not an object), any other post's as a tree.
     */
    private static final class Post {
        JsonNode id;
        String method;
        boolean ack = true;
        boolean hasParams;
        Map<String, PropertyValue> properties;
        JsonNode params;

        /** The post in {@code payload}, or {@code null} when it is not a JSON object. */
        static Post read(byte[] payload, boolean propertyPost, long now) {
            try (JsonParser p = EmulatorJson.parser(payload)) {
                if (p.nextToken() != JsonToken.START_OBJECT) {
                    return null;
                }
                Post post = new Post();
                for (JsonToken f = p.nextToken(); f == JsonToken.FIELD_NAME; f = p.nextToken()) {
                    String name = p.currentName();
                    JsonToken t = p.nextToken();
                    switch (name) {
                        case "id" ->
                                post.id =
                                        t == JsonToken.VALUE_NULL
                                                ? null
                                                : t == JsonToken.VALUE_STRING
                                                        ? TextNode.valueOf(p.getText())
                                                        : read(p);
                        case "method" -> post.method = t == JsonToken.VALUE_NULL ? null : text(p);
                        case "params" -> {
                            post.hasParams = t != JsonToken.VALUE_NULL;
                            post.properties = null;
                            post.params = null;
                            if (propertyPost && t == JsonToken.START_OBJECT) {
                                post.properties = properties(p, now);
                            } else if (post.hasParams) {
                                post.params = read(p);
                            }
                        }
                        case "sys" -> {
                            JsonNode sys = read(p);
                            post.ack = !sys.has("ack") || sys.get("ack").asInt(1) != 0;
                        }
                        default -> p.skipChildren();
                    }
                }
                return post;
            } catch (IOException e) {
                return null;
            }
        }

        private static JsonNode read(JsonParser p) throws IOException {
            return EmulatorJson.readTree(p);
        }

        /** A scalar as {@code JsonNode.asText} gives it; an object or array as "". */
        private static String text(JsonParser p) throws IOException {
            if (p.currentToken().isStructStart()) {
                p.skipChildren();
                return "";
            }
            return p.getText();
        }

        /** A property post's params, from its START_OBJECT; the last of a repeated name wins. */
        private static Map<String, PropertyValue> properties(JsonParser p, long now)
                throws IOException {
            Map<String, PropertyValue> values = new LinkedHashMap<>();
            for (JsonToken f = p.nextToken(); f == JsonToken.FIELD_NAME; f = p.nextToken()) {
                String name = p.currentName();
                JsonToken t = p.nextToken();
                PropertyValue value;
                if (t == JsonToken.START_OBJECT) {
                    JsonNode v = read(p);
                    if (v.has("value")) {
                        long time = v.hasNonNull("time") ? v.get("time").asLong(now) : now;
                        value = new PropertyValue(name, EmulatorJson.text(v.get("value")), time);
                    } else {
                        value = new PropertyValue(name, EmulatorJson.text(v), now);
                    }
                } else if (t == JsonToken.START_ARRAY) {
                    value = new PropertyValue(name, EmulatorJson.text(read(p)), now);
                } else {
                    value = new PropertyValue(name, scalarText(p, t), now);
                }
                values.put(name, value);
            }
            return values;
        }

        /** A scalar as JSON text, as Jackson writes the tree node it would read it as. */
        private static String scalarText(JsonParser p, JsonToken t) throws IOException {
            return switch (t) {
                case VALUE_STRING ->
                        "\""
                                + new String(
                                        JsonStringEncoder.getInstance().quoteAsString(p.getText()))
                                + "\"";
                case VALUE_NUMBER_INT ->
                        switch (p.getNumberType()) {
                            case INT -> Integer.toString(p.getIntValue());
                            case LONG -> Long.toString(p.getLongValue());
                            default -> p.getBigIntegerValue().toString();
                        };
                case VALUE_NUMBER_FLOAT -> Double.toString(p.getDoubleValue());
                case VALUE_TRUE -> "true";
                case VALUE_FALSE -> "false";
                default -> "null";
            };
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
