package io.thingflux.mqtt;

import java.util.Objects;

/**
 * A violation of MQTT 3.1.1 found on the wire or in the protocol flow. It names the broken rule in
 * {@link #reason()} so callers can react to it (a broker answers an unsupported protocol level with
 * CONNACK 0x01, for example) without parsing messages. The connection that produced it is closed;
 * other connections are not affected.
 */
public final class MqttProtocolException extends RuntimeException {

    /** The rule that was broken. */
    public enum Reason {
        /** The remaining length used more than four bytes (§2.2.3). */
        MALFORMED_REMAINING_LENGTH,
        /** The packet is larger than the configured maximum. */
        PACKET_TOO_LARGE,
        /** Packet type 0 or 15 (§2.2.1). */
        RESERVED_PACKET_TYPE,
        /**
         * Fixed-header flags other than those §2.2.2 requires for the type, or DUP on a QoS 0
         * PUBLISH (MQTT-3.3.1-2).
         */
        INVALID_FIXED_HEADER_FLAGS,
        /** CONNECT protocol name is not "MQTT" (or "MQIsdp" with level 3) (MQTT-3.1.2-1). */
        INVALID_PROTOCOL_NAME,
        /**
         * CONNECT protocol level other than 3 or 4 (MQTT-3.1.2-2): a broker answers CONNACK 0x01.
         */
        UNSUPPORTED_PROTOCOL_LEVEL,
        /** CONNECT reserved flag set (MQTT-3.1.2-3). */
        RESERVED_CONNECT_FLAG,
        /** Will QoS or retain set without the will flag, or will QoS 3 (MQTT-3.1.2-11..15). */
        INVALID_WILL_FLAGS,
        /** Password flag without the user name flag (MQTT-3.1.2-22). */
        PASSWORD_WITHOUT_USERNAME,
        /** QoS 3 in a PUBLISH or a subscription (MQTT-3.3.1-4). */
        INVALID_QOS,
        /** Packet identifier 0 where one is required (MQTT-2.3.1-1). */
        ZERO_PACKET_ID,
        /**
         * A string that is not well-formed UTF-8, contains U+0000, or is longer than 65535 bytes
         * (§1.5.3).
         */
        MALFORMED_UTF8,
        /** A topic name that is empty or contains a wildcard (§4.7). */
        INVALID_TOPIC_NAME,
        /** A topic filter that breaks the wildcard rules (§4.7.1). */
        INVALID_TOPIC_FILTER,
        /** A SUBSCRIBE or UNSUBSCRIBE with no topic filter (MQTT-3.8.3-3, MQTT-3.10.3-2). */
        EMPTY_SUBSCRIPTION_LIST,
        /** Reserved bits set in a SUBSCRIBE requested-QoS byte (MQTT-3.8.3-4). */
        RESERVED_SUBSCRIPTION_BITS,
        /** A SUBACK return code other than 0x00, 0x01, 0x02, 0x80 (MQTT-3.9.3-2). */
        INVALID_SUBACK_RETURN_CODE,
        /** CONNACK reserved bits or a reserved return code (§3.2.2). */
        INVALID_CONNACK,
        /** The remaining length ends before the packet's fields do. */
        TRUNCATED,
        /** Bytes left over after the packet's fields (or a body where none is allowed). */
        TRAILING_BYTES,
        /** A field value the packet type does not allow that no more specific reason names. */
        MALFORMED_PACKET,
        /** A packet that is well formed but not allowed at this point of the conversation. */
        UNEXPECTED_PACKET
    }

    private final Reason reason;

    public MqttProtocolException(Reason reason, String message) {
        super(reason + ": " + message);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public MqttProtocolException(Reason reason, String message, Throwable cause) {
        super(reason + ": " + message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /** The rule that was broken. */
    public Reason reason() {
        return reason;
    }
}
