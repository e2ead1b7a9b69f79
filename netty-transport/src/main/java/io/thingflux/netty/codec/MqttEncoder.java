package io.thingflux.netty.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;
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
 * Writes {@link MqttPacket}s exactly as MQTT 3.1.1 lays them out: the fixed header with the flags the type
 * requires, the remaining length computed, the packet id always present for QoS 1 and 2.
 *
 * <p>A PUBLISH payload of at least {@link #WRAP_THRESHOLD} bytes is not copied: it goes out as a second,
 * wrapped buffer behind the header. Stateless and shared by every channel.
 */
@ChannelHandler.Sharable
public final class MqttEncoder extends MessageToMessageEncoder<MqttPacket> {

    /** The name of this handler in a pipeline. */
    public static final String NAME = "mqttEncoder";

    /** The one instance. */
    public static final MqttEncoder INSTANCE = new MqttEncoder();

    /** Payloads this large or larger are wrapped rather than copied into the header buffer. */
    public static final int WRAP_THRESHOLD = 1024;

    private static final int MAX_REMAINING_LENGTH = 268_435_455;

    private MqttEncoder() {
        super(MqttPacket.class);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, MqttPacket msg, List<Object> out) {
        if (msg instanceof Publish p && p.payloadLength() >= WRAP_THRESHOLD) {
            int topicLength = ByteBufUtil.utf8Bytes(p.topic());
            int remaining = publishRemainingLength(p, topicLength);
            int variable = publishVariableLength(p, topicLength);
            ByteBuf header = ctx.alloc().buffer(1 + varIntSize(remaining) + variable);
            writePublishHeader(header, p, topicLength, remaining);
            out.add(header);
            out.add(Unpooled.wrappedBuffer(p.payloadUnsafe()));
        } else {
            out.add(encode(ctx.alloc(), msg));
        }
    }

    /** Encodes {@code packet} into one new buffer from {@code alloc}; the caller owns (and releases) it. */
    public static ByteBuf encode(ByteBufAllocator alloc, MqttPacket packet) {
        return switch (packet.type()) {
            case CONNECT -> connect(alloc, (Connect) packet);
            case CONNACK -> {
                ConnAck a = (ConnAck) packet;
                yield fixed(alloc, 0x20, 2).writeByte(a.sessionPresent() ? 1 : 0).writeByte(a.returnCode().code());
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
        int remaining = 2 + name.length() + 1 + 1 + 2 + stringSize(c.clientId());
        int flags = c.cleanSession() ? 0x02 : 0;
        if (will != null) {
            remaining += stringSize(will.topic()) + 2 + will.payloadUnsafe().length;
            flags |= 0x04 | (will.qos().code() << 3) | (will.retain() ? 0x20 : 0);
        }
        if (c.username() != null) {
            remaining += stringSize(c.username());
            flags |= 0x80;
        }
        byte[] password = c.passwordUnsafe();
        if (password != null) {
            remaining += 2 + password.length;
            flags |= 0x40;
        }
        ByteBuf buf = alloc.buffer(1 + varIntSize(remaining) + remaining);
        buf.writeByte(0x10);
        writeVarInt(buf, remaining);
        writeString(buf, name);
        buf.writeByte(c.protocolLevel());
        buf.writeByte(flags);
        buf.writeShort(c.keepAliveSeconds());
        writeString(buf, c.clientId());
        if (will != null) {
            writeString(buf, will.topic());
            buf.writeShort(will.payloadUnsafe().length);
            buf.writeBytes(will.payloadUnsafe());
        }
        if (c.username() != null) {
            writeString(buf, c.username());
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
        buf.writeByte(0x30 | (p.dup() ? 0x08 : 0) | (p.qos().code() << 1) | (p.retain() ? 0x01 : 0));
        writeVarInt(buf, remaining);
        writeString(buf, p.topic(), topicLength);
        if (p.qos().code() > 0) {
            buf.writeShort(p.packetId());
        }
    }

    private static int publishRemainingLength(Publish p, int topicLength) {
        long remaining = (long) publishVariableLength(p, topicLength) + p.payloadLength();
        if (remaining > MAX_REMAINING_LENGTH) {
            throw new IllegalArgumentException("PUBLISH of " + remaining + " bytes exceeds the MQTT maximum");
        }
        return (int) remaining;
    }

    private static ByteBuf publish(ByteBufAllocator alloc, Publish p) {
        int topicLength = ByteBufUtil.utf8Bytes(p.topic());
        int remaining = publishRemainingLength(p, topicLength);
        ByteBuf buf = alloc.buffer(1 + varIntSize(remaining) + remaining);
        writePublishHeader(buf, p, topicLength, remaining);
        buf.writeBytes(p.payloadUnsafe());
        return buf;
    }

    private static ByteBuf subscribe(ByteBufAllocator alloc, Subscribe s) {
        int remaining = 2;
        for (Subscription sub : s.subscriptions()) {
            remaining += stringSize(sub.filter()) + 1;
        }
        ByteBuf buf = alloc.buffer(1 + varIntSize(remaining) + remaining);
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
        return 2 + ByteBufUtil.utf8Bytes(s);
    }

    private static void writeString(ByteBuf buf, String s) {
        writeString(buf, s, ByteBufUtil.utf8Bytes(s));
    }

    /**
     * Writes the length prefix and the UTF-8 bytes of {@code s}, whose encoded length is {@code utf8Length}.
     * Reserves exactly that many bytes: {@link ByteBufUtil#writeUtf8(ByteBuf, CharSequence)} reserves three
     * bytes per char and so would grow (reallocate and copy) every exactly-sized buffer.
     */
    private static void writeString(ByteBuf buf, String s, int utf8Length) {
        buf.writeShort(utf8Length);
        ByteBufUtil.reserveAndWriteUtf8(buf, s, utf8Length);
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
