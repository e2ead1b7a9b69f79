package io.thingflux.emulator.platform.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thingflux.aliyun.AliyunLimits;
import io.thingflux.alink.AlinkJson;
import io.thingflux.mqtt.MqttQos;
import io.thingflux.emulator.platform.PropertyValue;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Map;

/**
 * The platform's side of the Alink thing model for what devices publish: property, event, batch,
 * history and pack posts are answered on {@code <topic>_reply} with
 * {@code {"id":<same id>,"code":200,"data":{},"message":"success","method":<same>,"version":"1.0"}}
 * (no reply when {@code sys.ack} is 0; code 460 for a payload that is not a JSON object, 6106 for a
 * property post of more than 200 properties, which are then not kept), reported
 * property values are kept, NTP requests are answered, and replies to downlink requests (set_reply,
 * service replies) and RRPC responses complete whoever waits for them.
 *
 * <p>Property and event posts, what a device sends most, are read with Jackson's streaming parser and their
 * replies written straight into an array of the reply's size; batch posts and requests the streaming reader
 * does not take on are read into a Jackson tree, with the same answer byte for byte.
 */
final class AlinkResponder {

    static final ObjectMapper JSON = new ObjectMapper();
    private static final int CODE_SUCCESS = 200;
    private static final int CODE_BAD_PARAMS = 460;
    private static final int CODE_TOO_MANY_PROPERTIES = 6106;

    /** Posts larger than this are read into a tree (no string in them can then reach Jackson's length limit). */
    private static final int MAX_STREAMED = 1 << 20;
    /** Returned by {@link #answerPostStreaming} for a request the tree reader is to answer. */
    static final byte[] USE_TREE = new byte[0];
    private static final String PROPERTY_POST = "thing/event/property/post";
    private static final String BATCH_POST = "thing/event/property/batch/post";

    private static final byte[] REPLY_START = ascii("{\"id\":");
    private static final byte[] NULL = ascii("null");
    private static final byte[] MIDDLE_SUCCESS = middle(CODE_SUCCESS);
    private static final byte[] MIDDLE_BAD_PARAMS = middle(CODE_BAD_PARAMS);
    private static final byte[] MIDDLE_TOO_MANY = middle(CODE_TOO_MANY_PROPERTIES);
    private static final byte[] REPLY_END = ascii(",\"version\":\"1.0\"}");

    private final BrokerEngine engine;
    /** The method of the last reply (most posts of a run have the same); shared by threads, racing harmlessly. */
    private QuotedMethod lastMethod;

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
        } else if (topic.equals("/ext/ntp/" + device.productKey + "/" + device.deviceName + "/request")) {
            onNtp(device, payload);
        }
    }

    /** {@code topic} from index {@code from} on (the part after the device's {@code /sys/} prefix). */
    private void onThing(DeviceState device, String topic, int from, byte[] payload, MqttQos qos) {
        if (topic.endsWith("_reply")) {
            JsonNode reply = parseObject(payload);
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
     * Answers the post {@code payload} on {@code topic} (a {@code thing/event/.../post} topic from index
     * {@code from} on), keeping the properties it reports with {@code now} for those without a time; returns
     * the reply's payload, or {@code null} for none. Property and event posts are read with a streaming
     * parser; batch posts and whatever the streaming reader does not take on ({@link #USE_TREE}) are read
     * into a tree, with the same answer.
     */
    byte[] answerPost(DeviceState device, String topic, int from, byte[] payload, long now) {
        if (payload.length <= MAX_STREAMED && !restIs(topic, from, BATCH_POST)) {
            byte[] reply = answerPostStreaming(device, topic, from, payload, now);
            if (reply != USE_TREE) {
                return reply;
            }
        }
        return answerPostFromTree(device, topic, from, payload, now);
    }

    /**
     * {@link #answerPost} with a Jackson tree of the whole request: what every post was answered with before
     * the streaming reader, and what still answers batch posts and the requests that reader hands back.
     */
    byte[] answerPostFromTree(DeviceState device, String topic, int from, byte[] payload, long now) {
        JsonNode request = parseObject(payload);
        if (request == null) {
            return replyFromTree(null, CODE_BAD_PARAMS, topicMethod(topic, from));
        }
        JsonNode id = request.get("id");
        String method = request.hasNonNull("method") ? request.get("method").asText() : topicMethod(topic, from);
        JsonNode params = request.get("params");
        boolean valid = id != null && !id.isNull() && params != null && !params.isNull();
        if (valid && restIs(topic, from, PROPERTY_POST)) {
            valid = params.isObject();
            if (valid && params.size() > AliyunLimits.MAX_PROPERTIES_PER_POST) {
                return replyFromTree(id, CODE_TOO_MANY_PROPERTIES, method);
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
        JsonNode sys = request.get("sys");
        boolean ack = sys == null || !sys.has("ack") || sys.get("ack").asInt(1) != 0;
        if (!valid) {
            return replyFromTree(id, CODE_BAD_PARAMS, method);
        }
        return ack ? replyFromTree(id, CODE_SUCCESS, method) : null;
    }

    /**
     * {@link #answerPost} read token by token, without a tree: the top-level {@code id}, {@code method},
     * {@code params} and {@code sys.ack}, and for a property post each property's value as JSON text. Returns
     * {@link #USE_TREE} (having kept nothing) for whatever the tree reader is to answer instead: a payload that
     * is not a well-formed JSON object, an id that is neither a string nor a 64-bit integer, a non-string
     * method, more than {@value AliyunLimits#MAX_PROPERTIES_PER_POST} properties, a key given twice, a value
     * other than a scalar or a {@code {"value":<scalar>,"time":<integer>}} object, and the like.
     */
    byte[] answerPostStreaming(DeviceState device, String topic, int from, byte[] payload, long now) {
        boolean propertyPost = restIs(topic, from, PROPERTY_POST);
        Object id = null; // null, a String or a Long
        QuotedMethod method = null; // null: the topic's
        boolean paramsSeen = false;
        boolean paramsNonNull = false;
        boolean paramsObject = false;
        ArrayList<PropertyValue> properties = null;
        int ack = 1;
        try (JsonParser p = JSON.getFactory().createParser(payload)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return USE_TREE;
            }
            String name;
            while ((name = p.nextFieldName()) != null) {
                JsonToken t = p.nextToken();
                switch (name) {
                    case "id":
                        if (t == JsonToken.VALUE_STRING) {
                            id = p.getText();
                        } else if (t == JsonToken.VALUE_NULL) {
                            id = null;
                        } else if (isIntOrLong(p, t)) {
                            id = p.getLongValue();
                        } else {
                            return USE_TREE;
                        }
                        break;
                    case "method":
                        if (t == JsonToken.VALUE_STRING) {
                            method = quotedMethod(p);
                        } else if (t == JsonToken.VALUE_NULL) {
                            method = null;
                        } else {
                            return USE_TREE;
                        }
                        break;
                    case "params":
                        if (paramsSeen) {
                            return USE_TREE;
                        }
                        paramsSeen = true;
                        paramsNonNull = t != JsonToken.VALUE_NULL;
                        paramsObject = t == JsonToken.START_OBJECT;
                        if (propertyPost && paramsObject) {
                            properties = readProperties(p, now);
                            if (properties == null) {
                                return USE_TREE;
                            }
                        } else {
                            skipValue(p, t);
                        }
                        break;
                    case "sys":
                        ack = 1;
                        if (t == JsonToken.START_OBJECT) {
                            String member;
                            while ((member = p.nextFieldName()) != null) {
                                JsonToken mt = p.nextToken();
                                if (member.equals("ack")) {
                                    if (!isIntOrLong(p, mt)) {
                                        return USE_TREE;
                                    }
                                    ack = (int) p.getLongValue(); // as JsonNode.asInt does
                                } else {
                                    skipValue(p, mt);
                                }
                            }
                        } else if (t == JsonToken.START_ARRAY) {
                            return USE_TREE;
                        } else {
                            skipValue(p, t); // a scalar sys has no ack
                        }
                        break;
                    default:
                        skipValue(p, t);
                        break;
                }
            }
            if (p.currentToken() != JsonToken.END_OBJECT) {
                return USE_TREE;
            }
        } catch (IOException | RuntimeException e) {
            return USE_TREE;
        }
        if (method == null) {
            method = quotedMethod(topicMethod(topic, from));
        }
        boolean valid = id != null && paramsNonNull;
        if (valid && propertyPost) {
            valid = paramsObject;
            if (valid) {
                for (int i = 0, n = properties.size(); i < n; i++) {
                    device.putProperty(properties.get(i));
                }
            }
        }
        if (!valid) {
            return reply(id, CODE_BAD_PARAMS, method);
        }
        return ack != 0 ? reply(id, CODE_SUCCESS, method) : null;
    }

    /**
     * The properties of a property post's {@code params} (the parser is on its {@code START_OBJECT}) in the
     * order given, or {@code null} when the tree reader is to answer (see {@link #answerPostStreaming}).
     */
    private static ArrayList<PropertyValue> readProperties(JsonParser p, long now) throws IOException {
        ArrayList<PropertyValue> properties = new ArrayList<>();
        String name;
        while ((name = p.nextFieldName()) != null) {
            int n = properties.size();
            if (n == AliyunLimits.MAX_PROPERTIES_PER_POST) {
                return null;
            }
            for (int i = 0; i < n; i++) {
                if (properties.get(i).identifier().equals(name)) {
                    return null;
                }
            }
            JsonToken t = p.nextToken();
            String text;
            long time = now;
            if (t == JsonToken.START_OBJECT) {
                text = null;
                String member;
                while ((member = p.nextFieldName()) != null) {
                    JsonToken mt = p.nextToken();
                    if (member.equals("value")) {
                        text = scalarText(p, mt);
                        if (text == null) {
                            return null;
                        }
                    } else if (member.equals("time")) {
                        if (mt == JsonToken.VALUE_NULL) {
                            time = now;
                        } else if (isIntOrLong(p, mt)) {
                            time = p.getLongValue();
                        } else {
                            return null;
                        }
                    } else {
                        return null;
                    }
                }
                if (text == null) {
                    return null; // an object without "value" is kept whole
                }
            } else {
                text = scalarText(p, t);
                if (text == null) {
                    return null;
                }
            }
            properties.add(new PropertyValue(name, text, time));
        }
        return properties;
    }

    /** The current scalar value as {@link #jsonText} writes it, or {@code null} for anything else. */
    private static String scalarText(JsonParser p, JsonToken t) throws IOException {
        if (t == null) {
            return null;
        }
        switch (t) {
            case VALUE_STRING:
                return quoted(p.getText());
            case VALUE_NUMBER_INT:
                JsonParser.NumberType type = p.getNumberType();
                if (type == JsonParser.NumberType.INT || type == JsonParser.NumberType.LONG) {
                    return Long.toString(p.getLongValue());
                }
                return type == JsonParser.NumberType.BIG_INTEGER ? p.getBigIntegerValue().toString() : null;
            case VALUE_NUMBER_FLOAT:
                double d = p.getDoubleValue();
                return Double.isFinite(d) ? Double.toString(d) : null;
            case VALUE_TRUE:
                return "true";
            case VALUE_FALSE:
                return "false";
            case VALUE_NULL:
                return "null";
            default:
                return null;
        }
    }

    private static boolean isIntOrLong(JsonParser p, JsonToken t) throws IOException {
        if (t != JsonToken.VALUE_NUMBER_INT) {
            return false;
        }
        JsonParser.NumberType type = p.getNumberType();
        return type == JsonParser.NumberType.INT || type == JsonParser.NumberType.LONG;
    }

    /**
     * Steps over the value whose first token {@code t} is current, decoding every string in it as a tree
     * reader would, so that a malformed one fails here too.
     */
    private static void skipValue(JsonParser p, JsonToken t) throws IOException {
        if (t == JsonToken.VALUE_STRING) {
            p.finishToken();
            return;
        }
        if (t != JsonToken.START_OBJECT && t != JsonToken.START_ARRAY) {
            return;
        }
        int depth = 1;
        while (depth > 0) {
            JsonToken next = p.nextToken();
            if (next == null) {
                throw new IOException("end of input inside a value");
            }
            if (next == JsonToken.START_OBJECT || next == JsonToken.START_ARRAY) {
                depth++;
            } else if (next == JsonToken.END_OBJECT || next == JsonToken.END_ARRAY) {
                depth--;
            } else if (next == JsonToken.VALUE_STRING) {
                p.finishToken();
            }
        }
    }

    private static boolean restIs(String topic, int from, String rest) {
        return topic.length() - from == rest.length() && topic.startsWith(rest, from);
    }

    /** The method a post's topic stands for: {@code thing/event/property/post} is {@code thing.event.property.post}. */
    private static String topicMethod(String topic, int from) {
        return topic.substring(from).replace('/', '.');
    }

    /** The method string the parser is on, with its quoted bytes: the last one again when it repeats. */
    private QuotedMethod quotedMethod(JsonParser p) throws IOException {
        char[] chars = p.getTextCharacters();
        int offset = p.getTextOffset();
        int length = p.getTextLength();
        QuotedMethod last = lastMethod;
        if (last != null && last.method.length() == length) {
            String m = last.method;
            int i = 0;
            while (i < length && m.charAt(i) == chars[offset + i]) {
                i++;
            }
            if (i == length) {
                return last;
            }
        }
        QuotedMethod q = new QuotedMethod(new String(chars, offset, length));
        lastMethod = q;
        return q;
    }

    private QuotedMethod quotedMethod(String method) {
        QuotedMethod last = lastMethod;
        if (last != null && last.method.equals(method)) {
            return last;
        }
        QuotedMethod q = new QuotedMethod(method);
        lastMethod = q;
        return q;
    }

    /** A method and its JSON string bytes ({@code null} when Jackson is to write it: it holds a surrogate). */
    private static final class QuotedMethod {
        final String method;
        final byte[] quoted;

        QuotedMethod(String method) {
            this.method = method;
            int length = quotedLength(method);
            if (length < 0) {
                this.quoted = null;
            } else {
                this.quoted = new byte[length];
                writeQuoted(method, quoted, 0);
            }
        }
    }

    private byte[] replyFromTree(JsonNode id, int code, String method) {
        Object plainId;
        if (id == null || id.isNull()) {
            plainId = null;
        } else if (id.isTextual()) {
            plainId = id.textValue();
        } else if (id.isInt() || id.isLong()) {
            plainId = id.longValue();
        } else {
            return replyWithJackson(id, code, method);
        }
        return reply(plainId, code, quotedMethod(method));
    }

    /**
     * {@code {"id":..,"code":..,"data":{},"message":..,"method":..,"version":"1.0"}} for an id that is
     * {@code null}, a {@code String} or a {@code Long}, written straight into an array of its exact size: the
     * bytes {@link #replyWithJackson} writes for it.
     */
    private static byte[] reply(Object id, int code, QuotedMethod method) {
        byte[] middle = code == CODE_SUCCESS ? MIDDLE_SUCCESS
                : code == CODE_BAD_PARAMS ? MIDDLE_BAD_PARAMS : MIDDLE_TOO_MANY;
        String idText = null;
        int idLength;
        if (id == null) {
            idLength = 4;
        } else if (id instanceof String) {
            idLength = quotedLength((String) id);
        } else {
            idText = Long.toString((Long) id);
            idLength = idText.length();
        }
        if (idLength < 0 || method.quoted == null) {
            return replyWithJackson(id, code, method.method);
        }
        byte[] out = new byte[REPLY_START.length + idLength + middle.length + method.quoted.length
                + REPLY_END.length];
        int at = put(REPLY_START, out, 0);
        if (id == null) {
            at = put(NULL, out, at);
        } else if (idText == null) {
            at = writeQuoted((String) id, out, at);
        } else {
            for (int i = 0; i < idLength; i++) {
                out[at++] = (byte) idText.charAt(i);
            }
        }
        at = put(middle, out, at);
        at = put(method.quoted, out, at);
        put(REPLY_END, out, at);
        return out;
    }

    private static int put(byte[] bytes, byte[] out, int at) {
        System.arraycopy(bytes, 0, out, at, bytes.length);
        return at + bytes.length;
    }

    /**
     * The reply written by Jackson's generator, for an id {@link #reply} does not write (any JSON node) and a
     * string with a surrogate (Jackson writes a pair as one 4-byte character and refuses a lone one).
     */
    static byte[] replyWithJackson(Object id, int code, String method) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        try (JsonGenerator g = JSON.getFactory().createGenerator(out)) {
            g.writeStartObject();
            g.writeFieldName("id");
            if (id == null) {
                g.writeNull();
            } else if (id instanceof String) {
                g.writeString((String) id);
            } else if (id instanceof Long) {
                g.writeNumber((long) (Long) id);
            } else {
                JSON.writeTree(g, (JsonNode) id);
            }
            g.writeNumberField("code", code);
            g.writeFieldName("data");
            g.writeStartObject();
            g.writeEndObject();
            g.writeStringField("message", message(code));
            g.writeStringField("method", method);
            g.writeStringField("version", "1.0");
            g.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException("cannot write an Alink reply", e);
        }
        return out.toByteArray();
    }

    private static String message(int code) {
        return code == CODE_SUCCESS ? "success"
                : code == CODE_BAD_PARAMS ? "request parameter error" : "too many properties";
    }

    /** The length of {@code s} as a quoted JSON string in UTF-8, as Jackson writes it. */
    private static int quotedLength(String s) {
        return AlinkJson.encodeValue(s).length;
    }

    /** Writes {@code s} as a quoted JSON string at {@code at}; returns the end. */
    private static int writeQuoted(String s, byte[] out, int at) {
        return put(AlinkJson.encodeValue(s), out, at);
    }

    /** Property post read from a tree: each property's value as JSON text, with its {@code time} if given. */
    static void storeProperties(DeviceState device, JsonNode params, long now) {
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
            return quoted(v.textValue());
        }
        return v.toString();
    }

    /** {@code s} as a JSON string as {@code TextNode.toString()} writes it (surrogates kept as they are). */
    static String quoted(String s) {
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == '"' || c == '\\') {
                return '"' + new String(JsonStringEncoder.getInstance().quoteAsString(s)) + '"';
            }
        }
        return '"' + s + '"';
    }

    /** Batch post: {@code properties} maps an identifier to an array of {value,time}; the latest time wins. */
    static void storeBatch(DeviceState device, JsonNode properties, long now) {
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

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** {@code ,"code":<code>,"data":{},"message":"<message>","method":}, what a reply has between id and method. */
    private static byte[] middle(int code) {
        return ascii(",\"code\":" + code + ",\"data\":{},\"message\":\"" + message(code) + "\",\"method\":");
    }

    static byte[] bytes(JsonNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise a JSON tree", e);
        }
    }
}
