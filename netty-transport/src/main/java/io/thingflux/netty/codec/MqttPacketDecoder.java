package io.thingflux.netty.codec;

import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.FastThreadLocal;
import io.thingflux.mqtt.ConnAck;
import io.thingflux.mqtt.Connect;
import io.thingflux.mqtt.ConnectReturnCode;
import io.thingflux.mqtt.Disconnect;
import io.thingflux.mqtt.MqttPacket;
import io.thingflux.mqtt.MqttProtocolException;
import io.thingflux.mqtt.MqttProtocolException.Reason;
import io.thingflux.mqtt.MqttQos;
import io.thingflux.mqtt.MqttTopics;
import io.thingflux.mqtt.PingReq;
import io.thingflux.mqtt.PingResp;
import io.thingflux.mqtt.PubAck;
import io.thingflux.mqtt.PubComp;
import io.thingflux.mqtt.PubRec;
import io.thingflux.mqtt.PubRel;
import io.thingflux.mqtt.Publish;
import io.thingflux.mqtt.SubAck;
import io.thingflux.mqtt.SubAckReturnCode;
import io.thingflux.mqtt.Subscribe;
import io.thingflux.mqtt.Subscription;
import io.thingflux.mqtt.UnsubAck;
import io.thingflux.mqtt.Unsubscribe;
import io.thingflux.mqtt.Will;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Pure decoding of one complete MQTT 3.1.1 frame body into its packet, one function per type. Every
 * rule violation raises {@link MqttProtocolException} with the rule's {@link Reason}; no other
 * exception escapes.
 */
public final class MqttPacketDecoder {

    private static final int FLAGS_NONE = 0;

    /** "MQTT" in ASCII, as a big-endian int. */
    private static final int MQTT = 'M' << 24 | 'Q' << 16 | 'T' << 8 | 'T';

    private static final int FLAGS_PUBREL_SUBSCRIBE_UNSUBSCRIBE = 0b0010;

    private MqttPacketDecoder() {}

    /** Checks the packet type and the fixed-header flags of {@code firstByte} (§2.2.1, §2.2.2). */
    public static void checkFixedHeader(int firstByte) {
        int type = firstByte >>> 4;
        int flags = firstByte & 0x0F;
        switch (type) {
            case 0, 15 ->
                    throw new MqttProtocolException(
                            Reason.RESERVED_PACKET_TYPE, "packet type " + type + " is reserved");
            case 3 -> {
                if ((flags & 0b0110) == 0b0110) {
                    throw new MqttProtocolException(Reason.INVALID_QOS, "PUBLISH with QoS 3");
                }
                if ((flags & 0b1000) != 0 && (flags & 0b0110) == 0) {
                    throw new MqttProtocolException(
                            Reason.INVALID_FIXED_HEADER_FLAGS,
                            "DUP set on a QoS 0 PUBLISH (MQTT-3.3.1-2)");
                }
            }
            case 6, 8, 10 -> {
                if (flags != FLAGS_PUBREL_SUBSCRIBE_UNSUBSCRIBE) {
                    throw new MqttProtocolException(
                            Reason.INVALID_FIXED_HEADER_FLAGS,
                            "packet type " + type + " must carry flags 0010, had " + bits(flags));
                }
            }
            default -> {
                if (flags != FLAGS_NONE) {
                    throw new MqttProtocolException(
                            Reason.INVALID_FIXED_HEADER_FLAGS,
                            "packet type " + type + " must carry flags 0000, had " + bits(flags));
                }
            }
        }
    }

    /**
     * Decodes the frame whose first byte is {@code firstByte} and whose body is the {@code length}
     * bytes of {@code buf} starting at {@code index}. Does not move {@code buf}'s indices.
     */
    public static MqttPacket decode(int firstByte, ByteBuf buf, int index, int length) {
        checkFixedHeader(firstByte);
        return decodeBody(firstByte, buf, index, length, null);
    }

    /**
     * As {@link #decode(int, ByteBuf, int, int)} for a first byte already {@linkplain
     * #checkFixedHeader checked}; PUBLISH topics are looked up in (and added to) {@code topics} if
     * not {@code null}.
     *
     * <p>The body is read from an array: a heap buffer's own, or else one copy of the body (every
     * ByteBuf read checks bounds and the reference count, a copy does that once): into a per-thread
     * array when the body fits {@link #SCRATCH_BYTES}, into an array of its own when it does not,
     * except for a large PUBLISH, whose topic and packet id alone are copied and whose payload goes
     * straight from the buffer into the packet's array.
     */
    static MqttPacket decodeBody(
            int firstByte, ByteBuf buf, int index, int length, TopicCache topics) {
        if (index < 0 || length < 0 || length > buf.capacity() - index) {
            throw new MqttProtocolException(
                    Reason.TRUNCATED,
                    "a body of "
                            + length
                            + " bytes at "
                            + index
                            + " reads past the end of the buffer ("
                            + buf.capacity()
                            + " bytes)");
        }
        if (buf.hasArray()) {
            return decodeBody(firstByte, buf.array(), buf.arrayOffset() + index, length, topics);
        }
        if (length <= SCRATCH_BYTES) {
            byte[] scratch = SCRATCH.get();
            buf.getBytes(index, scratch, 0, length);
            return decodeBody(firstByte, scratch, 0, length, topics);
        }
        if (firstByte >>> 4 == 3) {
            try {
                return largePublish(firstByte, buf, index, length, topics);
            } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
                throw typed(e);
            }
        }
        byte[] body = new byte[length];
        buf.getBytes(index, body);
        return decodeBody(firstByte, body, 0, length, topics);
    }

    /**
     * Decodes the body {@code bytes[offset, offset + length)} of the frame whose (checked) first
     * byte is {@code firstByte}. Keeps no reference to {@code bytes}: every string and payload is a
     * copy.
     */
    static MqttPacket decodeBody(
            int firstByte, byte[] bytes, int offset, int length, TopicCache topics) {
        try {
            if (firstByte >>> 4 == 3) {
                return publish(firstByte, bytes, offset, length, topics, null, 0);
            }
            return decodeChecked(firstByte, new Cursor(bytes, offset, offset + length));
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
            throw typed(e);
        }
    }

    /**
     * A model invariant the explicit checks did not name, or a read past the body: still a typed
     * protocol error.
     */
    private static MqttProtocolException typed(RuntimeException e) {
        return e instanceof IndexOutOfBoundsException
                ? new MqttProtocolException(Reason.TRUNCATED, "read past the end of the packet", e)
                : new MqttProtocolException(Reason.MALFORMED_PACKET, e.getMessage(), e);
    }

    private static MqttPacket decodeChecked(int firstByte, Cursor c) {
        MqttPacket packet =
                switch (firstByte >>> 4) {
                    case 1 -> connect(c);
                    case 2 -> connAck(c);
                    case 4 -> new PubAck(c.packetId());
                    case 5 -> new PubRec(c.packetId());
                    case 6 -> new PubRel(c.packetId());
                    case 7 -> new PubComp(c.packetId());
                    case 8 -> subscribe(c);
                    case 9 -> subAck(c);
                    case 10 -> unsubscribe(c);
                    case 11 -> new UnsubAck(c.packetId());
                    case 12 -> PingReq.INSTANCE;
                    case 13 -> PingResp.INSTANCE;
                    case 14 -> Disconnect.INSTANCE;
                    default ->
                            throw new MqttProtocolException(
                                    Reason.RESERVED_PACKET_TYPE,
                                    "packet type " + (firstByte >>> 4));
                };
        c.requireEnd();
        return packet;
    }

    private static Connect connect(Cursor c) {
        String protocolName = c.protocolName();
        int level = c.u8("protocol level");
        if (!protocolName.equals("MQTT") && !protocolName.equals("MQIsdp")) {
            throw new MqttProtocolException(
                    Reason.INVALID_PROTOCOL_NAME,
                    "protocol name must be \"MQTT\" (or \"MQIsdp\" for 3.1), was \""
                            + printable(protocolName)
                            + "\"");
        }
        int expectedLevel = protocolName.equals("MQTT") ? Connect.MQTT_3_1_1 : Connect.MQTT_3_1;
        if (level != expectedLevel) {
            throw new MqttProtocolException(
                    Reason.UNSUPPORTED_PROTOCOL_LEVEL,
                    "protocol " + protocolName + " level " + level + " is not supported");
        }
        int flags = c.u8("connect flags");
        if ((flags & 0x01) != 0) {
            throw new MqttProtocolException(
                    Reason.RESERVED_CONNECT_FLAG, "reserved CONNECT flag is set (MQTT-3.1.2-3)");
        }
        boolean cleanSession = (flags & 0x02) != 0;
        boolean willFlag = (flags & 0x04) != 0;
        int willQos = (flags >>> 3) & 0x03;
        boolean willRetain = (flags & 0x20) != 0;
        boolean passwordFlag = (flags & 0x40) != 0;
        boolean usernameFlag = (flags & 0x80) != 0;
        if (!willFlag && (willQos != 0 || willRetain)) {
            throw new MqttProtocolException(
                    Reason.INVALID_WILL_FLAGS,
                    "will QoS or retain set without the will flag (MQTT-3.1.2-13, MQTT-3.1.2-15)");
        }
        if (willQos == 3) {
            throw new MqttProtocolException(
                    Reason.INVALID_WILL_FLAGS, "will QoS 3 (MQTT-3.1.2-14)");
        }
        if (passwordFlag && !usernameFlag) {
            throw new MqttProtocolException(
                    Reason.PASSWORD_WITHOUT_USERNAME,
                    "password flag without user name flag (MQTT-3.1.2-22)");
        }
        int keepAlive = c.u16("keepalive");
        String clientId = c.string("client id");
        Will will = null;
        if (willFlag) {
            String willTopic = c.string("will topic");
            String problem = MqttTopics.nameProblem(willTopic);
            if (problem != null) {
                throw new MqttProtocolException(Reason.INVALID_TOPIC_NAME, "will topic " + problem);
            }
            byte[] willPayload = c.binary("will message");
            will = new Will(willTopic, willPayload, MqttQos.valueOf(willQos), willRetain);
        }
        String username = usernameFlag ? c.string("user name") : null;
        byte[] password = passwordFlag ? c.binary("password") : null;
        return new Connect(level, clientId, cleanSession, keepAlive, will, username, password);
    }

    private static ConnAck connAck(Cursor c) {
        int ackFlags = c.u8("connect acknowledge flags");
        int code = c.u8("return code");
        if ((ackFlags & 0xFE) != 0) {
            throw new MqttProtocolException(
                    Reason.INVALID_CONNACK, "reserved CONNACK flag bits set (MQTT-3.2.2-1)");
        }
        if (code > 5) {
            throw new MqttProtocolException(
                    Reason.INVALID_CONNACK, "reserved CONNACK return code " + code);
        }
        boolean sessionPresent = (ackFlags & 0x01) != 0;
        if (sessionPresent && code != 0) {
            throw new MqttProtocolException(
                    Reason.INVALID_CONNACK, "session present with a refusal (MQTT-3.2.2-4)");
        }
        return new ConnAck(sessionPresent, ConnectReturnCode.valueOf(code));
    }

    /**
     * A PUBLISH body larger than {@link #SCRATCH_BYTES} in a direct buffer: its topic length, topic
     * and packet id are copied, the payload is read straight from the buffer into the packet's
     * array.
     */
    private static Publish largePublish(
            int firstByte, ByteBuf buf, int index, int length, TopicCache topics) {
        if (length < 2) {
            throw truncated("topic name length", 2, length);
        }
        int head = Math.min(length, 2 + buf.getUnsignedShort(index) + 2);
        byte[] bytes = head <= SCRATCH_BYTES ? SCRATCH.get() : new byte[head];
        buf.getBytes(index, bytes, 0, head);
        return publish(firstByte, bytes, 0, length, topics, buf, index);
    }

    /**
     * The hot path: a topic the connection sent before is reused without decoding it again. The
     * body starts at {@code bytes[offset]}; its payload is read from {@code bytes} too, or, when
     * {@code payloadBuf} is not {@code null}, from {@code payloadBuf} (whose body starts at {@code
     * bufIndex}; {@code bytes} then holds at least the topic and packet id).
     */
    private static Publish publish(
            int firstByte,
            byte[] bytes,
            int offset,
            int length,
            TopicCache topics,
            ByteBuf payloadBuf,
            int bufIndex) {
        boolean dup = (firstByte & 0x08) != 0;
        MqttQos qos = MqttQos.valueOf((firstByte >>> 1) & 0x03);
        boolean retain = (firstByte & 0x01) != 0;
        if (length < 2) {
            throw truncated("topic name length", 2, length);
        }
        int topicLength = u16(bytes, offset);
        int pos = 2;
        if (length - pos < topicLength) {
            throw truncated("topic name", topicLength, length - pos);
        }
        String topic = topics == null ? null : topics.find(bytes, offset + pos, topicLength);
        if (topic == null) {
            topic = utf8(bytes, offset + pos, topicLength, "topic name");
            // utf8 already refused malformed UTF-8 and U+0000; what is left of the name rules is
            // cheap
            if (topic.isEmpty() || topic.indexOf('+') >= 0 || topic.indexOf('#') >= 0) {
                throw new MqttProtocolException(
                        Reason.INVALID_TOPIC_NAME,
                        "PUBLISH topic " + MqttTopics.nameProblem(topic));
            }
            if (topics != null) {
                topics.remember(bytes, offset + pos, topicLength, topic);
            }
        }
        pos += topicLength;
        int packetId = 0;
        if (qos != MqttQos.AT_MOST_ONCE) {
            if (length - pos < 2) {
                throw truncated("packet id", 2, length - pos);
            }
            packetId = u16(bytes, offset + pos);
            if (packetId == 0) {
                throw new MqttProtocolException(
                        Reason.ZERO_PACKET_ID, "packet id 0 (MQTT-2.3.1-1)");
            }
            pos += 2;
        }
        byte[] payload;
        if (payloadBuf == null) {
            payload = Arrays.copyOfRange(bytes, offset + pos, offset + length);
        } else {
            payload = new byte[length - pos];
            payloadBuf.getBytes(bufIndex + pos, payload);
        }
        return new Publish(topic, qos, dup, retain, packetId, payload);
    }

    private static int u16(byte[] bytes, int index) {
        return (bytes[index] & 0xFF) << 8 | bytes[index + 1] & 0xFF;
    }

    private static MqttProtocolException truncated(String what, int needed, int left) {
        return new MqttProtocolException(
                Reason.TRUNCATED,
                what + " needs " + needed + " bytes, " + left + " left in the packet");
    }

    private static Subscribe subscribe(Cursor c) {
        int packetId = c.packetId();
        Subscription first = null;
        List<Subscription> all =
                null; // only when there is more than one: most SUBSCRIBEs carry a single filter
        while (c.hasMore()) {
            String filter = c.string("topic filter");
            int options = c.u8("requested QoS");
            if ((options & 0xFC) != 0) {
                throw new MqttProtocolException(
                        Reason.RESERVED_SUBSCRIPTION_BITS,
                        "reserved bits set in requested QoS byte 0x"
                                + Integer.toHexString(options)
                                + " (MQTT-3.8.3-4)");
            }
            if (options == 3) {
                throw new MqttProtocolException(Reason.INVALID_QOS, "subscription with QoS 3");
            }
            Subscription sub;
            try {
                sub =
                        new Subscription(
                                filter, MqttQos.valueOf(options)); // validates the filter once
            } catch (IllegalArgumentException e) {
                throw new MqttProtocolException(Reason.INVALID_TOPIC_FILTER, e.getMessage());
            }
            if (first == null) {
                first = sub;
            } else {
                if (all == null) {
                    all = new ArrayList<>(4);
                    all.add(first);
                }
                all.add(sub);
            }
        }
        if (first == null) {
            throw new MqttProtocolException(
                    Reason.EMPTY_SUBSCRIPTION_LIST,
                    "SUBSCRIBE without a topic filter (MQTT-3.8.3-3)");
        }
        return new Subscribe(packetId, all == null ? List.of(first) : all);
    }

    private static SubAck subAck(Cursor c) {
        int packetId = c.packetId();
        List<SubAckReturnCode> codes = new ArrayList<>(2);
        while (c.hasMore()) {
            int code = c.u8("return code");
            if (code != 0 && code != 1 && code != 2 && code != 0x80) {
                throw new MqttProtocolException(
                        Reason.INVALID_SUBACK_RETURN_CODE,
                        "SUBACK return code 0x" + Integer.toHexString(code) + " (MQTT-3.9.3-2)");
            }
            codes.add(SubAckReturnCode.valueOf(code));
        }
        if (codes.isEmpty()) {
            throw new MqttProtocolException(
                    Reason.EMPTY_SUBSCRIPTION_LIST, "SUBACK without a return code");
        }
        return new SubAck(packetId, codes);
    }

    private static Unsubscribe unsubscribe(Cursor c) {
        int packetId = c.packetId();
        List<String> filters = new ArrayList<>(2);
        while (c.hasMore()) {
            filters.add(c.string("topic filter"));
        }
        if (filters.isEmpty()) {
            throw new MqttProtocolException(
                    Reason.EMPTY_SUBSCRIPTION_LIST,
                    "UNSUBSCRIBE without a topic filter (MQTT-3.10.3-2)");
        }
        try {
            return new Unsubscribe(packetId, filters); // validates every filter once
        } catch (IllegalArgumentException e) {
            throw new MqttProtocolException(Reason.INVALID_TOPIC_FILTER, e.getMessage());
        }
    }

    private static String bits(int flags) {
        return String.format("%4s", Integer.toBinaryString(flags)).replace(' ', '0');
    }

    private static String printable(String s) {
        return s.length() > 32 ? s.substring(0, 32) + "..." : s;
    }

    /** A read position inside one frame body in an array; every read checks the frame's end. */
    private static final class Cursor {
        private final byte[] bytes;
        private int pos;
        private final int end;

        Cursor(byte[] bytes, int pos, int end) {
            this.bytes = bytes;
            this.pos = pos;
            this.end = end;
        }

        boolean hasMore() {
            return pos < end;
        }

        void need(int n, String what) {
            if (end - pos < n) {
                throw truncated(what, n, end - pos);
            }
        }

        int u8(String what) {
            need(1, what);
            return bytes[pos++] & 0xFF;
        }

        int u16(String what) {
            need(2, what);
            int v = MqttPacketDecoder.u16(bytes, pos);
            pos += 2;
            return v;
        }

        int packetId() {
            int id = u16("packet id");
            if (id == 0) {
                throw new MqttProtocolException(
                        Reason.ZERO_PACKET_ID, "packet id 0 (MQTT-2.3.1-1)");
            }
            return id;
        }

        /** A two-byte length prefix; the label of the error is built only when there is one. */
        int length(String what) {
            if (end - pos < 2) {
                throw truncated(what + " length", 2, end - pos);
            }
            int v = MqttPacketDecoder.u16(bytes, pos);
            pos += 2;
            return v;
        }

        /** The CONNECT protocol name: "MQTT" without decoding a string when it is exactly that. */
        String protocolName() {
            if (end - pos >= 6
                    && MqttPacketDecoder.u16(bytes, pos) == 4
                    && (int) INT_BE.get(bytes, pos + 2) == MQTT) {
                pos += 6;
                return "MQTT";
            }
            return string("protocol name");
        }

        String string(String what) {
            int len = length(what);
            need(len, what);
            String s = utf8(bytes, pos, len, what);
            pos += len;
            return s;
        }

        byte[] binary(String what) {
            int len = length(what);
            need(len, what);
            byte[] copy = Arrays.copyOfRange(bytes, pos, pos + len);
            pos += len;
            return copy;
        }

        void requireEnd() {
            if (pos != end) {
                throw new MqttProtocolException(
                        Reason.TRAILING_BYTES, (end - pos) + " bytes after the packet's fields");
            }
        }
    }

    /**
     * The longest frame body read through the per-thread scratch array; a longer one gets an array
     * of its own (or, for a PUBLISH, only its topic and packet id are copied).
     */
    static final int SCRATCH_BYTES = 4096;

    /**
     * A per-thread array a body in a direct buffer is copied into to be decoded: one copy, no
     * garbage. On an event loop (a {@code FastThreadLocalThread}) the lookup is an array index.
     */
    private static final FastThreadLocal<byte[]> SCRATCH =
            new FastThreadLocal<>() {
                @Override
                protected byte[] initialValue() {
                    return new byte[SCRATCH_BYTES];
                }
            };

    /** Reads four bytes of a {@code byte[]} as a big-endian int. */
    private static final VarHandle INT_BE =
            MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);

    /**
     * Reads eight bytes of a {@code byte[]} at once (the byte order does not matter for the tests
     * made on them).
     */
    private static final VarHandle LONG =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private static final long LOW_BITS = 0x0101010101010101L;
    private static final long HIGH_BITS = 0x8080808080808080L;

    /**
     * A strict UTF-8 decode (§1.5.3) of {@code bytes[offset, offset + length)}: well-formed as
     * Unicode defines it (no overlong form, no encoded surrogate, nothing above U+10FFFF,
     * MQTT-1.5.3-1) and no U+0000 (MQTT-1.5.3-2). The bytes are checked eight at a time for pure
     * ASCII without U+0000, the common case for topics and identifiers, which then becomes a {@code
     * String} with one copy.
     */
    static String utf8(byte[] bytes, int offset, int length, String what) {
        if (length == 0) {
            return "";
        }
        int stop = firstNonAsciiOrNul(bytes, offset, length);
        if (stop < 0) {
            return new String(bytes, offset, length, StandardCharsets.ISO_8859_1);
        }
        if (bytes[offset + stop] == 0) {
            throw new MqttProtocolException(
                    Reason.MALFORMED_UTF8, what + " contains U+0000 (MQTT-1.5.3-2)");
        }
        requireWellFormedUtf8(bytes, offset, offset + stop, offset + length, what);
        return new String(bytes, offset, length, StandardCharsets.UTF_8);
    }

    /**
     * The index (from {@code offset}) of the first byte of {@code bytes[offset, offset + length)}
     * that is 0x00 or above 0x7F, or -1 if every byte is 0x01..0x7F.
     */
    static int firstNonAsciiOrNul(byte[] bytes, int offset, int length) {
        int i = 0;
        for (; i + Long.BYTES <= length; i += Long.BYTES) {
            long v = (long) LONG.get(bytes, offset + i);
            // a byte with its top bit set, or a zero byte ((v - 0x01..) & ~v & 0x80.. is non-zero
            // iff v has one)
            if (((v | ((v - LOW_BITS) & ~v)) & HIGH_BITS) != 0) {
                break;
            }
        }
        for (; i < length; i++) {
            if (bytes[offset + i] <= 0) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Checks {@code bytes[from, end)} against the well-formed sequences of Unicode Table 3-7;
     * offsets in messages count from {@code start}, the string's first byte.
     */
    private static void requireWellFormedUtf8(
            byte[] bytes, int start, int from, int end, String what) {
        int n = end;
        int i = from;
        while (i < n) {
            int b = bytes[i] & 0xFF;
            if (b < 0x80) {
                if (b == 0) {
                    throw new MqttProtocolException(
                            Reason.MALFORMED_UTF8, what + " contains U+0000 (MQTT-1.5.3-2)");
                }
                i++;
                continue;
            }
            int trailing;
            int min2 = 0x80;
            int max2 = 0xBF;
            if (b >= 0xC2 && b <= 0xDF) {
                trailing = 1;
            } else if (b >= 0xE0 && b <= 0xEF) {
                trailing = 2;
                if (b == 0xE0) {
                    min2 = 0xA0; // below is an overlong form
                } else if (b == 0xED) {
                    max2 = 0x9F; // above is an encoded surrogate U+D800..U+DFFF
                }
            } else if (b >= 0xF0 && b <= 0xF4) {
                trailing = 3;
                if (b == 0xF0) {
                    min2 = 0x90; // below is an overlong form
                } else if (b == 0xF4) {
                    max2 = 0x8F; // above is beyond U+10FFFF
                }
            } else {
                throw malformedUtf8(
                        what, i - start); // a continuation byte, C0/C1 (overlong) or F5..FF
            }
            if (i + trailing >= n) {
                throw malformedUtf8(what, i - start);
            }
            int second = bytes[i + 1] & 0xFF;
            if (second < min2 || second > max2) {
                throw malformedUtf8(what, i - start);
            }
            for (int k = 2; k <= trailing; k++) {
                if ((bytes[i + k] & 0xC0) != 0x80) {
                    throw malformedUtf8(what, i - start);
                }
            }
            i += trailing + 1;
        }
    }

    private static MqttProtocolException malformedUtf8(String what, int offset) {
        return new MqttProtocolException(
                Reason.MALFORMED_UTF8,
                what + " is not well-formed UTF-8 at byte " + offset + " (MQTT-1.5.3-1)");
    }
}
