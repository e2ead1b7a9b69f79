package io.thingflux.netty.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.EncoderException;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.concurrent.PromiseCombiner;
import io.thingflux.mqtt.ConnAck;
import io.thingflux.mqtt.Connect;
import io.thingflux.mqtt.MqttPacket;
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
import java.util.List;

/**
 * Writes {@link MqttPacket}s exactly as MQTT 3.1.1 lays them out: the fixed header with the flags
 * the type requires, the remaining length computed, the packet id always present for QoS 1 and 2.
 *
 * <p>A PUBLISH payload of at least {@link #WRAP_THRESHOLD} bytes is not copied: it goes out as a
 * second, wrapped buffer behind the header (the write's promise completes when both are written).
 * Any other message passes through untouched. An encoding failure fails the write's promise with an
 * {@link EncoderException}. Stateless and shared by every channel.
 */
@ChannelHandler.Sharable
public final class MqttEncoder extends ChannelOutboundHandlerAdapter {

    /** The name of this handler in a pipeline. */
    public static final String NAME = "mqttEncoder";

    /** The one instance. */
    public static final MqttEncoder INSTANCE = new MqttEncoder();

    /** Payloads this large or larger are wrapped rather than copied into the header buffer. */
    public static final int WRAP_THRESHOLD = 1024;

    private static final int MAX_REMAINING_LENGTH = 268_435_455;

    /**
     * The size of the per-thread scratch array: a CONNECT, SUBSCRIBE or PUBLISH frame up to this
     * size whose strings are ASCII is assembled in it and written to its exactly-sized buffer in
     * one copy; room for any PUBLISH below {@link #WRAP_THRESHOLD} with a topic of up to 2 KB.
     */
    private static final int SCRATCH_BYTES = 4096;

    /**
     * Per thread (per event loop), so the encoder stays stateless and shared; the array is only
     * used inside one call of an encode method, never across calls.
     */
    private static final FastThreadLocal<byte[]> SCRATCH =
            new FastThreadLocal<>() {
                @Override
                protected byte[] initialValue() {
                    return new byte[SCRATCH_BYTES];
                }
            };

    private MqttEncoder() {}

    /**
     * Encodes an {@link MqttPacket} and writes the bytes in its place, straight to the next
     * handler: no intermediate message list. Anything else is written on as it is.
     */
    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (!(msg instanceof MqttPacket packet)) {
            ctx.write(msg, promise);
            return;
        }
        ByteBuf header;
        ByteBuf payload = null;
        try {
            if (packet instanceof Publish p && p.payloadLength() >= WRAP_THRESHOLD) {
                int topicLength = utf8Length(p.topic());
                int remaining = publishRemainingLength(p, topicLength);
                int variable = publishVariableLength(p, topicLength);
                header = ctx.alloc().buffer(1 + varIntSize(remaining) + variable);
                writePublishHeader(header, p, topicLength, remaining);
                payload = Unpooled.wrappedBuffer(p.payloadUnsafe());
            } else {
                header = encode(ctx.alloc(), packet);
            }
        } catch (EncoderException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new EncoderException(e);
        }
        if (payload == null) {
            ctx.write(header, promise);
        } else if (promise == ctx.voidPromise()) {
            ctx.write(header, promise);
            ctx.write(payload, promise);
        } else {
            PromiseCombiner combiner = new PromiseCombiner(ctx.executor());
            combiner.add(ctx.write(header));
            combiner.add(ctx.write(payload));
            combiner.finish(promise);
        }
    }

    /**
     * Encodes {@code packet} into one new buffer from {@code alloc}; the caller owns (and releases)
     * it.
     */
    public static ByteBuf encode(ByteBufAllocator alloc, MqttPacket packet) {
        return switch (packet.type()) {
            case CONNECT -> connect(alloc, (Connect) packet);
            case CONNACK -> {
                ConnAck a = (ConnAck) packet;
                yield fixed(alloc, 0x20, 2)
                        .writeByte(a.sessionPresent() ? 1 : 0)
                        .writeByte(a.returnCode().code());
            }
            case PUBLISH -> publish(alloc, (Publish) packet);
            case PUBACK -> fixed(alloc, 0x40, 2).writeShort(((PubAck) packet).packetId());
            case PUBREC -> fixed(alloc, 0x50, 2).writeShort(((PubRec) packet).packetId());
            case PUBREL -> fixed(alloc, 0x62, 2).writeShort(((PubRel) packet).packetId());
            case PUBCOMP -> fixed(alloc, 0x70, 2).writeShort(((PubComp) packet).packetId());
            case SUBSCRIBE -> subscribe(alloc, (Subscribe) packet);
            case SUBACK -> subAck(alloc, (SubAck) packet);
            case UNSUBSCRIBE -> unsubscribe(alloc, (Unsubscribe) packet);
            case UNSUBACK -> fixed(alloc, 0xB0, 2).writeShort(((UnsubAck) packet).packetId());
            case PINGREQ -> fixed(alloc, 0xC0, 0);
            case PINGRESP -> fixed(alloc, 0xD0, 0);
            case DISCONNECT -> fixed(alloc, 0xE0, 0);
        };
    }

    private static ByteBuf fixed(ByteBufAllocator alloc, int firstByte, int remaining) {
        ByteBuf buf = alloc.buffer(2 + remaining);
        buf.writeByte(firstByte);
        buf.writeByte(remaining);
        return buf;
    }

    private static ByteBuf connect(ByteBufAllocator alloc, Connect c) {
        String name = c.protocolName();
        Will will = c.will();
        String clientId = c.clientId();
        String username = c.username();
        int clientIdLength = utf8Length(clientId);
        int remaining = 2 + name.length() + 1 + 1 + 2 + 2 + clientIdLength;
        int flags = c.cleanSession() ? 0x02 : 0;
        int willTopicLength = 0;
        if (will != null) {
            willTopicLength = utf8Length(will.topic());
            remaining += 2 + willTopicLength + 2 + will.payloadUnsafe().length;
            flags |= 0x04 | (will.qos().code() << 3) | (will.retain() ? 0x20 : 0);
        }
        int usernameLength = 0;
        if (username != null) {
            usernameLength = utf8Length(username);
            remaining += 2 + usernameLength;
            flags |= 0x80;
        }
        byte[] password = c.passwordUnsafe();
        if (password != null) {
            remaining += 2 + password.length;
            flags |= 0x40;
        }
        int frameLength = 1 + varIntSize(remaining) + remaining;
        if (frameLength <= SCRATCH_BYTES
                && clientIdLength == clientId.length()
                && (will == null || willTopicLength == will.topic().length())
                && (username == null || usernameLength == username.length())) {
            byte[] a = SCRATCH.get();
            a[0] = 0x10;
            int i = putVarInt(a, 1, remaining);
            i = putAscii(a, i, name);
            a[i++] = (byte) c.protocolLevel();
            a[i++] = (byte) flags;
            i = putShort(a, i, c.keepAliveSeconds());
            i = putAscii(a, i, clientId);
            if (will != null) {
                i = putAscii(a, i, will.topic());
                i = putBinary(a, i, will.payloadUnsafe());
            }
            if (username != null) {
                i = putAscii(a, i, username);
            }
            if (password != null) {
                i = putBinary(a, i, password);
            }
            return alloc.buffer(frameLength).writeBytes(a, 0, i);
        }
        ByteBuf buf = alloc.buffer(frameLength);
        buf.writeByte(0x10);
        writeVarInt(buf, remaining);
        writeString(buf, name, name.length());
        buf.writeByte(c.protocolLevel());
        buf.writeByte(flags);
        buf.writeShort(c.keepAliveSeconds());
        writeString(buf, clientId, clientIdLength);
        if (will != null) {
            writeString(buf, will.topic(), willTopicLength);
            buf.writeShort(will.payloadUnsafe().length);
            buf.writeBytes(will.payloadUnsafe());
        }
        if (username != null) {
            writeString(buf, username, usernameLength);
        }
        if (password != null) {
            buf.writeShort(password.length);
            buf.writeBytes(password);
        }
        return buf;
    }

    private static int publishVariableLength(Publish p, int topicLength) {
        return 2 + topicLength + (p.qos().code() > 0 ? 2 : 0);
    }

    private static void writePublishHeader(ByteBuf buf, Publish p, int topicLength, int remaining) {
        buf.writeByte(
                0x30 | (p.dup() ? 0x08 : 0) | (p.qos().code() << 1) | (p.retain() ? 0x01 : 0));
        writeVarInt(buf, remaining);
        writeString(buf, p.topic(), topicLength);
        if (p.qos().code() > 0) {
            buf.writeShort(p.packetId());
        }
    }

    private static int publishRemainingLength(Publish p, int topicLength) {
        long remaining = (long) publishVariableLength(p, topicLength) + p.payloadLength();
        if (remaining > MAX_REMAINING_LENGTH) {
            throw new IllegalArgumentException(
                    "PUBLISH of " + remaining + " bytes exceeds the MQTT maximum");
        }
        return (int) remaining;
    }

    private static ByteBuf publish(ByteBufAllocator alloc, Publish p) {
        String topic = p.topic();
        int topicLength = utf8Length(topic);
        int remaining = publishRemainingLength(p, topicLength);
        int frameLength = 1 + varIntSize(remaining) + remaining;
        if (frameLength <= SCRATCH_BYTES && topicLength == topic.length()) {
            byte[] a = SCRATCH.get();
            int qos = p.qos().code();
            a[0] = (byte) (0x30 | (p.dup() ? 0x08 : 0) | (qos << 1) | (p.retain() ? 0x01 : 0));
            int i = putVarInt(a, 1, remaining);
            i = putAscii(a, i, topic);
            if (qos > 0) {
                i = putShort(a, i, p.packetId());
            }
            byte[] payload = p.payloadUnsafe();
            System.arraycopy(payload, 0, a, i, payload.length);
            i += payload.length;
            return alloc.buffer(frameLength).writeBytes(a, 0, i);
        }
        ByteBuf buf = alloc.buffer(frameLength);
        writePublishHeader(buf, p, topicLength, remaining);
        buf.writeBytes(p.payloadUnsafe());
        return buf;
    }

    private static ByteBuf subscribe(ByteBufAllocator alloc, Subscribe s) {
        List<Subscription> subscriptions = s.subscriptions();
        int remaining = 2;
        boolean ascii = true;
        for (int k = 0, n = subscriptions.size(); k < n; k++) {
            String filter = subscriptions.get(k).filter();
            int length = utf8Length(filter);
            ascii &= length == filter.length();
            remaining += 2 + length + 1;
        }
        int frameLength = 1 + varIntSize(remaining) + remaining;
        if (ascii && frameLength <= SCRATCH_BYTES) {
            byte[] a = SCRATCH.get();
            a[0] = (byte) 0x82;
            int i = putVarInt(a, 1, remaining);
            i = putShort(a, i, s.packetId());
            for (int k = 0, n = subscriptions.size(); k < n; k++) {
                Subscription sub = subscriptions.get(k);
                i = putAscii(a, i, sub.filter());
                a[i++] = (byte) sub.qos().code();
            }
            return alloc.buffer(frameLength).writeBytes(a, 0, i);
        }
        ByteBuf buf = alloc.buffer(frameLength);
        buf.writeByte(0x82);
        writeVarInt(buf, remaining);
        buf.writeShort(s.packetId());
        for (Subscription sub : s.subscriptions()) {
            writeString(buf, sub.filter());
            buf.writeByte(sub.qos().code());
        }
        return buf;
    }

    private static ByteBuf subAck(ByteBufAllocator alloc, SubAck s) {
        int remaining = 2 + s.returnCodes().size();
        ByteBuf buf = alloc.buffer(1 + varIntSize(remaining) + remaining);
        buf.writeByte(0x90);
        writeVarInt(buf, remaining);
        buf.writeShort(s.packetId());
        for (SubAckReturnCode code : s.returnCodes()) {
            buf.writeByte(code.code());
        }
        return buf;
    }

    private static ByteBuf unsubscribe(ByteBufAllocator alloc, Unsubscribe u) {
        int remaining = 2;
        for (String f : u.filters()) {
            remaining += stringSize(f);
        }
        ByteBuf buf = alloc.buffer(1 + varIntSize(remaining) + remaining);
        buf.writeByte(0xA2);
        writeVarInt(buf, remaining);
        buf.writeShort(u.packetId());
        for (String f : u.filters()) {
            writeString(buf, f);
        }
        return buf;
    }

    private static int stringSize(String s) {
        return 2 + utf8Length(s);
    }

    private static void writeString(ByteBuf buf, String s) {
        writeString(buf, s, utf8Length(s));
    }

    /**
     * The UTF-8 encoded length of {@code s}: one pass over an ASCII string, Netty's count
     * otherwise.
     */
    static int utf8Length(String s) {
        int n = s.length();
        for (int i = 0; i < n; i++) {
            if (s.charAt(i) >= 0x80) {
                return ByteBufUtil.utf8Bytes(s);
            }
        }
        return n;
    }

    /**
     * Writes the length prefix and the UTF-8 bytes of {@code s}, whose encoded length is {@code
     * utf8Length}. Reserves exactly that many bytes: {@link ByteBufUtil#writeUtf8(ByteBuf,
     * CharSequence)} reserves three bytes per char and so would grow (reallocate and copy) every
     * exactly-sized buffer.
     */
    private static void writeString(ByteBuf buf, String s, int utf8Length) {
        buf.writeShort(utf8Length);
        ByteBufUtil.reserveAndWriteUtf8(buf, s, utf8Length);
    }

    /**
     * Puts the length prefix and the bytes of the ASCII string {@code s} at {@code a[i]}; returns
     * the index after. Only for a string whose UTF-8 length equals its length in chars: as the
     * packet records refuse unpaired surrogates, that is an ASCII string, and the low byte of each
     * char is its UTF-8 encoding.
     */
    @SuppressWarnings(
            "deprecation") // String.getBytes(int, int, byte[], int): exactly the low bytes, an
    // array copy
    private static int putAscii(byte[] a, int i, String s) {
        int n = s.length();
        a[i] = (byte) (n >>> 8);
        a[i + 1] = (byte) n;
        s.getBytes(0, n, a, i + 2);
        return i + 2 + n;
    }

    private static int putBinary(byte[] a, int i, byte[] bytes) {
        int n = bytes.length;
        a[i] = (byte) (n >>> 8);
        a[i + 1] = (byte) n;
        System.arraycopy(bytes, 0, a, i + 2, n);
        return i + 2 + n;
    }

    private static int putShort(byte[] a, int i, int value) {
        a[i] = (byte) (value >>> 8);
        a[i + 1] = (byte) value;
        return i + 2;
    }

    /**
     * Puts the variable-length remaining length (§2.2.3) at {@code a[i]}; returns the index after.
     */
    private static int putVarInt(byte[] a, int i, int value) {
        do {
            int digit = value & 0x7F;
            value >>>= 7;
            a[i++] = (byte) (value > 0 ? digit | 0x80 : digit);
        } while (value > 0);
        return i;
    }

    /** The number of bytes the remaining length {@code value} takes on the wire (1..4). */
    public static int varIntSize(int value) {
        return value < 128 ? 1 : value < 16_384 ? 2 : value < 2_097_152 ? 3 : 4;
    }

    /** Writes the variable-length remaining length (§2.2.3). */
    public static void writeVarInt(ByteBuf buf, int value) {
        do {
            int digit = value & 0x7F;
            value >>>= 7;
            buf.writeByte(value > 0 ? digit | 0x80 : digit);
        } while (value > 0);
    }
}
