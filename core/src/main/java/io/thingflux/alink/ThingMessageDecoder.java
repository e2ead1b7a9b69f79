package io.thingflux.alink;

import io.thingflux.link.LinkMessage;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Turns what a link delivers into {@link ThingMessage}s for one device, by topic. Never throws for
 * a bad payload: it becomes an {@link ThingMessage.UnknownMessage} carrying the reason. Stateless
 * apart from the clock; thread-safe.
 */
public final class ThingMessageDecoder {

    /** {@link AlinkTopics#propertySet()} after the device's {@link AlinkTopics#sysPrefix()}. */
    private static final String PROPERTY_SET = "thing/service/property/set";

    private final AlinkTopics topics;
    private final LongSupplier clock;

    /**
     * @param clock epoch milliseconds, read when an NTP response is decoded
     */
    public ThingMessageDecoder(AlinkTopics topics, LongSupplier clock) {
        this.topics = Objects.requireNonNull(topics, "topics");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The thing message {@code message} carries. */
    public ThingMessage decode(LinkMessage message) {
        return decode(topics, clock, message);
    }

    /**
     * {@link #decode(LinkMessage)} without a decoder object: what a device uses, so it holds none.
     */
    static ThingMessage decode(AlinkTopics topics, LongSupplier clock, LinkMessage message) {
        String topic = message.topic();
        byte[] payload = message.payloadUnsafe();
        try {
            ThingMessage decoded = decodeKnown(topics, clock, topic, payload);
            return decoded != null
                    ? decoded
                    : new ThingMessage.UnknownMessage(
                            topic, payload, message.qos(), "no thing-model decoder for this topic");
        } catch (AlinkException e) {
            return new ThingMessage.UnknownMessage(
                    topic, payload, message.qos(), "malformed: " + e.getMessage());
        } catch (RuntimeException e) {
            // a payload must never stop the stream; keep the message and say what went wrong (not
            // its content)
            return new ThingMessage.UnknownMessage(
                    topic, payload, message.qos(), "undecodable: " + e.getClass().getSimpleName());
        }
    }

    private static ThingMessage decodeKnown(
            AlinkTopics topics, LongSupplier clock, String topic, byte[] payload) {
        int sys = topics.sysPrefixLength(topic);
        if (sys > 0) {
            // replies first, without building a string: they are what a posting device mostly
            // receives
            if (topic.endsWith(AlinkTopics.REPLY_SUFFIX)) {
                return new ThingMessage.Reply(topic, AlinkJson.decodeReply(payload));
            }
            if (topic.length() == sys + PROPERTY_SET.length() && topic.endsWith(PROPERTY_SET)) {
                return new ThingMessage.PropertySet(topic, AlinkJson.decodeRequest(payload));
            }
            String rest = topic.substring(sys);
            if (rest.startsWith("thing/service/")
                    && rest.indexOf('/', "thing/service/".length()) < 0) {
                String serviceId = rest.substring("thing/service/".length());
                if (!serviceId.isEmpty()) {
                    return new ThingMessage.ServiceCall(
                            topic, serviceId, AlinkJson.decodeRequest(payload));
                }
            }
            if (rest.startsWith("rrpc/request/")
                    && rest.indexOf('/', "rrpc/request/".length()) < 0) {
                String messageId = rest.substring("rrpc/request/".length());
                if (!messageId.isEmpty()) {
                    ThingMessage.ServiceCall service =
                            syncService(topic, payload, topics.rrpcResponse(messageId));
                    return service != null
                            ? service
                            : new ThingMessage.RrpcCall(
                                    topic,
                                    messageId,
                                    topics.rrpcResponse(messageId),
                                    null,
                                    null,
                                    payload);
                }
            }
            if (topic.equals(topics.configPush())) {
                return new ThingMessage.ConfigPush(topic, AlinkJson.decodeRequest(payload));
            }
            if (topic.equals(topics.downRaw())) {
                return new ThingMessage.RawDown(topic, payload);
            }
            return null;
        }
        if (topic.startsWith(AlinkTopics.EXT_RRPC_PREFIX)) {
            return decodeExtRrpc(topics, topic, payload);
        }
        if (topic.equals(topics.ntpResponse())) {
            long received = clock.getAsLong();
            Map<String, Object> o = AlinkJson.decodeObject(payload, "NTP response");
            return new ThingMessage.NtpResponse(
                    topic,
                    millis(o, "deviceSendTime"),
                    millis(o, "serverRecvTime"),
                    millis(o, "serverSendTime"),
                    received);
        }
        if (topic.equals(topics.shadowGet())) {
            Map<String, Object> o = AlinkJson.decodeObject(payload, "shadow message");
            @SuppressWarnings("unchecked")
            Map<String, Object> body =
                    o.get("payload") instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
            Object version = o.containsKey("version") ? o.get("version") : body.get("version");
            return new ThingMessage.ShadowMessage(
                    topic,
                    o.get("method") instanceof String s ? s : null,
                    body,
                    version instanceof Number n ? n.longValue() : -1,
                    o.get("timestamp") instanceof Number n ? n.longValue() : 0);
        }
        if (topic.equals(topics.otaUpgrade())) {
            Map<String, Object> o = AlinkJson.decodeObject(payload, "OTA upgrade notice");
            Object code = o.get("code");
            @SuppressWarnings("unchecked")
            Map<String, Object> data =
                    o.get("data") instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
            return new ThingMessage.OtaUpgrade(
                    topic,
                    AlinkJson.id(o, false),
                    code == null ? null : code.toString(),
                    data,
                    o.get("message") instanceof String s ? s : null);
        }
        return null;
    }

    private static ThingMessage decodeExtRrpc(AlinkTopics topics, String topic, byte[] payload) {
        int idEnd = topic.indexOf('/', AlinkTopics.EXT_RRPC_PREFIX.length());
        if (idEnd <= AlinkTopics.EXT_RRPC_PREFIX.length()) {
            return null;
        }
        String messageId = topic.substring(AlinkTopics.EXT_RRPC_PREFIX.length(), idEnd);
        String inner = topic.substring(idEnd);
        String servicePrefix = topics.sysPrefix() + "thing/service/";
        if (inner.startsWith(servicePrefix)) {
            String serviceId = inner.substring(servicePrefix.length());
            if (!serviceId.isEmpty() && serviceId.indexOf('/') < 0) {
                return new ThingMessage.RrpcCall(
                        topic,
                        messageId,
                        topic,
                        serviceId,
                        AlinkJson.decodeRequest(payload),
                        payload);
            }
        }
        return new ThingMessage.RrpcCall(topic, messageId, topic, null, null, payload);
    }

    /**
     * A synchronous service call in a system RRPC request: an Alink request whose method is {@code
     * thing.service.{serviceId}}; {@code null} when the payload is anything else (a raw RRPC).
     */
    private static ThingMessage.ServiceCall syncService(
            String topic, byte[] payload, String replyTopic) {
        int first = 0;
        while (first < payload.length && payload[first] <= ' ') {
            first++;
        }
        if (first == payload.length || payload[first] != '{') {
            return null;
        }
        AlinkRequest request;
        try {
            request = AlinkJson.decodeRequest(payload);
        } catch (RuntimeException e) {
            return null;
        }
        String method = request.method();
        String prefix = "thing.service.";
        if (method == null || !method.startsWith(prefix) || method.length() == prefix.length()) {
            return null;
        }
        return new ThingMessage.ServiceCall(
                topic, method.substring(prefix.length()), request, replyTopic);
    }

    private static long millis(Map<String, Object> o, String field) {
        Object v = o.get(field);
        if (v instanceof Integer || v instanceof Long) {
            return ((Number) v).longValue();
        }
        if (v instanceof String s && s.matches("\\d{1,18}")) {
            return Long.parseLong(s);
        }
        throw new MalformedAlinkException("\"" + field + "\" is not epoch milliseconds");
    }
}
