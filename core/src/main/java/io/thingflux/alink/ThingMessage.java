package io.thingflux.alink;

import io.thingflux.mqtt.MqttQos;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;

/**
 * A message the platform sent to a device, decoded by its topic. Every incoming message becomes one
 * of these; what no decoder knows, or what fails to decode, becomes an {@link UnknownMessage} with
 * the reason.
 *
 * <p>Records holding a {@code byte[]} take it over and do not copy it; do not modify it.
 */
public sealed interface ThingMessage {

    /** The topic the message arrived on. */
    String topic();

    /** A message the device answers with {@link AliyunDevice#reply(Request, int, Object)}. */
    sealed interface Request extends ThingMessage {

        /** The id to answer with. */
        String id();

        /** Where the answer goes. */
        String replyTopic();
    }

    /**
     * {@code thing.service.property.set}: the platform sets properties; answered on {@code
     * .../property/set_reply}.
     */
    record PropertySet(String topic, AlinkRequest request) implements Request {

        public PropertySet {
            Objects.requireNonNull(topic, "topic");
            Objects.requireNonNull(request, "request");
        }

        @Override
        public String id() {
            return request.id();
        }

        /** The properties to set, by identifier. */
        public Map<String, Object> properties() {
            return request.paramsAsMap();
        }

        @Override
        public String replyTopic() {
            return AlinkTopics.reply(topic);
        }
    }

    /**
     * A service call ({@code thing.service.{serviceId}}): asynchronous on {@code
     * .../thing/service/{serviceId}}, answered on the topic plus {@code _reply}; or synchronous,
     * arriving on {@code /sys/{pk}/{dn}/rrpc/request/{messageId}} and answered (at QoS 0, within
     * the platform's 8 s) on {@code .../rrpc/response/{messageId}}. {@link
     * AliyunDevice#reply(Request, int, Object)} answers both; the user need not know which form it
     * was.
     *
     * @param replyTopic where the answer goes
     */
    record ServiceCall(String topic, String serviceId, AlinkRequest request, String replyTopic)
            implements Request {

        public ServiceCall {
            Objects.requireNonNull(topic, "topic");
            Objects.requireNonNull(serviceId, "serviceId");
            Objects.requireNonNull(request, "request");
            Objects.requireNonNull(replyTopic, "replyTopic");
        }

        /** An asynchronous call, answered on {@code topic + "_reply"}. */
        public ServiceCall(String topic, String serviceId, AlinkRequest request) {
            this(topic, serviceId, request, AlinkTopics.reply(Objects.requireNonNull(topic)));
        }

        /** Whether the platform waits for the answer (it came over system RRPC). */
        public boolean synchronous() {
            return !replyTopic.equals(AlinkTopics.reply(topic));
        }

        @Override
        public String id() {
            return request.id();
        }

        /** The input parameters. */
        public Map<String, Object> params() {
            return request.paramsAsMap();
        }
    }

    /**
     * A synchronous call over RRPC, to be answered within 8 s at QoS 0: a synchronous service
     * ({@code /ext/rrpc/{messageId}/sys/{pk}/{dn}/thing/service/{serviceId}}, Alink JSON, answered
     * on the same topic), a custom-topic RRPC ({@code /ext/rrpc/{messageId}/{topic}}, answered on
     * the same topic), or a system RRPC ({@code /sys/{pk}/{dn}/rrpc/request/{messageId}}, raw
     * payload, answered on {@code .../rrpc/response/{messageId}}).
     *
     * @param serviceId {@code null} unless it is a synchronous service
     * @param request the Alink request when the payload is one, else {@code null} (system and
     *     custom RRPC)
     * @param payload the raw payload
     */
    record RrpcCall(
            String topic,
            String messageId,
            String replyTopic,
            String serviceId,
            AlinkRequest request,
            byte[] payload)
            implements Request {

        public RrpcCall {
            Objects.requireNonNull(topic, "topic");
            Objects.requireNonNull(messageId, "messageId");
            Objects.requireNonNull(replyTopic, "replyTopic");
            Objects.requireNonNull(payload, "payload");
        }

        /** The Alink id when the payload is an Alink request, else the RRPC message id. */
        @Override
        public String id() {
            return request != null ? request.id() : messageId;
        }

        /** Whether this is a synchronous thing-model service call. */
        public boolean isService() {
            return serviceId != null;
        }

        public String payloadAsString() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        /** Compares the payload by content. */
        @Override
        public boolean equals(Object o) {
            return o instanceof RrpcCall c
                    && topic.equals(c.topic)
                    && messageId.equals(c.messageId)
                    && replyTopic.equals(c.replyTopic)
                    && Objects.equals(serviceId, c.serviceId)
                    && Objects.equals(request, c.request)
                    && Arrays.equals(payload, c.payload);
        }

        @Override
        public int hashCode() {
            return Objects.hash(topic, messageId, serviceId, Arrays.hashCode(payload));
        }

        @Override
        public String toString() {
            return "RrpcCall[topic="
                    + topic
                    + ", messageId="
                    + messageId
                    + ", serviceId="
                    + serviceId
                    + ", request="
                    + request
                    + ", payload="
                    + payload.length
                    + " bytes]";
        }
    }

    /**
     * {@code thing.config.push}: remote configuration; answered on {@code .../config/push_reply}.
     */
    record ConfigPush(String topic, AlinkRequest request) implements Request {

        @Override
        public String id() {
            return request.id();
        }

        /** {@code configId, configSize, sign, signMethod, url, getType}. */
        public Map<String, Object> config() {
            return request.paramsAsMap();
        }

        @Override
        public String replyTopic() {
            return AlinkTopics.reply(topic);
        }
    }

    /**
     * A reply to something the device sent (any {@code ..._reply} topic under {@code
     * /sys/{pk}/{dn}/}).
     */
    record Reply(String topic, AlinkReply reply) implements ThingMessage {}

    /**
     * An NTP response on {@code /ext/ntp/{pk}/{dn}/response}, with the device's receive time. All
     * times are epoch milliseconds.
     */
    record NtpResponse(
            String topic,
            long deviceSendTime,
            long serverRecvTime,
            long serverSendTime,
            long deviceRecvTime)
            implements ThingMessage {

        /**
         * The server's time at {@link #deviceRecvTime()}: {@code (serverRecvTime + serverSendTime +
         * deviceRecvTime - deviceSendTime) / 2} (Aliyun doc 102509), i.e. the server's send time
         * plus half the round trip.
         */
        public long serverTimeMillis() {
            return Math.floorDiv(
                    serverRecvTime + serverSendTime + deviceRecvTime - deviceSendTime, 2);
        }

        /**
         * What to add to the device clock to get the server's: {@code serverTimeMillis() -
         * deviceRecvTime}.
         */
        public long offsetMillis() {
            return serverTimeMillis() - deviceRecvTime;
        }
    }

    /**
     * An OTA upgrade notice on {@code /ota/device/upgrade/{pk}/{dn}}: {@code
     * {"code":"1000","data":{..},"id":..}}.
     *
     * @param code as sent ({@code "1000"} is success)
     * @param data {@code size, version, url, md5, sign, signMethod, module, ...}
     */
    record OtaUpgrade(
            String topic, String id, String code, Map<String, Object> data, String message)
            implements ThingMessage {

        public String version() {
            return data.get("version") instanceof String s ? s : null;
        }

        public String url() {
            return data.get("url") instanceof String s ? s : null;
        }
    }

    /** Raw (pass-through) data on {@code .../thing/model/down_raw}. */
    record RawDown(String topic, byte[] payload) implements ThingMessage {

        /** Compares the payload by content. */
        @Override
        public boolean equals(Object o) {
            return o instanceof RawDown r
                    && topic.equals(r.topic)
                    && Arrays.equals(payload, r.payload);
        }

        @Override
        public int hashCode() {
            return Objects.hash(topic, Arrays.hashCode(payload));
        }

        @Override
        public String toString() {
            return "RawDown[topic=" + topic + ", payload=" + payload.length + " bytes]";
        }
    }

    /**
     * A message no decoder knows, or one that failed to decode; kept so nothing is lost.
     *
     * @param reason why it was not decoded
     */
    record UnknownMessage(String topic, byte[] payload, MqttQos qos, String reason)
            implements ThingMessage {

        /** Compares the payload by content. */
        @Override
        public boolean equals(Object o) {
            return o instanceof UnknownMessage u
                    && topic.equals(u.topic)
                    && Arrays.equals(payload, u.payload)
                    && qos == u.qos
                    && Objects.equals(reason, u.reason);
        }

        @Override
        public int hashCode() {
            return Objects.hash(topic, Arrays.hashCode(payload), qos, reason);
        }

        public String payloadAsString() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return "UnknownMessage[topic="
                    + topic
                    + ", qos="
                    + qos.code()
                    + ", reason="
                    + reason
                    + ", payload="
                    + payload.length
                    + " bytes]";
        }
    }

    /**
     * A device-shadow message on {@code /shadow/get/{pk}/{dn}}: a {@code reply} to the device's
     * get, update or delete, or a {@code control} push of the desired state. Read it with {@link
     * DeviceShadow}.
     *
     * @param method {@code reply} or {@code control}
     * @param payload the message's {@code payload} object
     * @param version the shadow version the message carries, or -1 when it has none
     * @param timestamp the platform's time (epoch seconds or ms as sent), or 0
     */
    record ShadowMessage(
            String topic, String method, Map<String, Object> payload, long version, long timestamp)
            implements ThingMessage {

        public ShadowMessage {
            Objects.requireNonNull(topic, "topic");
            payload = payload == null ? Map.of() : payload;
        }

        /** Whether this is a {@code control} push of desired state. */
        public boolean isControl() {
            return "control".equals(method);
        }

        /** {@code payload.status}: {@code success} or {@code error}, or {@code null}. */
        public String status() {
            return payload.get("status") instanceof String s ? s : null;
        }

        /** {@code payload.state}, or an empty map. */
        @SuppressWarnings("unchecked")
        public Map<String, Object> state() {
            return payload.get("state") instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
        }

        /** {@code payload.state.desired}, or an empty map. */
        @SuppressWarnings("unchecked")
        public Map<String, Object> desired() {
            return state().get("desired") instanceof Map<?, ?> m
                    ? (Map<String, Object>) m
                    : Map.of();
        }

        /** {@code payload.state.reported}, or an empty map. */
        @SuppressWarnings("unchecked")
        public Map<String, Object> reported() {
            return state().get("reported") instanceof Map<?, ?> m
                    ? (Map<String, Object>) m
                    : Map.of();
        }

        /** The error code of an error reply ({@code payload.content.errorcode}), or 0. */
        public int errorCode() {
            if (payload.get("content") instanceof Map<?, ?> c && c.get("errorcode") != null) {
                try {
                    return Integer.parseInt(c.get("errorcode").toString());
                } catch (NumberFormatException e) {
                    return -1;
                }
            }
            return 0;
        }
    }
}
