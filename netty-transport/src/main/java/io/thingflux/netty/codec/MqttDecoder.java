package io.thingflux.netty.codec;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.thingflux.mqtt.MqttPacket;
import io.thingflux.mqtt.MqttProtocolException;
import io.thingflux.mqtt.MqttProtocolException.Reason;
import java.util.List;

/**
 * Splits an MQTT byte stream into frames and decodes each into an {@link MqttPacket}.
 *
 * <p>The fixed header is read first: the packet type and its flags are checked, then the
 * variable-length remaining length (at most four bytes, §2.2.3). A frame larger than {@code
 * maxPacketSize} is refused <em>before</em> its body is buffered, so a peer cannot make us hold
 * more than that. Only a complete frame is handed to {@link MqttPacketDecoder}, a pure function of
 * its bytes.
 *
 * <p>On a violation the decoder discards the rest of the input, fires {@code exceptionCaught} with
 * the {@link MqttProtocolException} (a handler after it may still answer, e.g. a broker's CONNACK
 * 0x01 for an unsupported protocol level) and closes the channel. Other channels are not affected.
 * One instance per channel: it remembers the last few PUBLISH topics of its connection (see {@code
 * TopicCache}) so a repeated topic costs no allocation.
 *
 * <p>A read that is exactly one whole frame, with nothing buffered before it (the usual case), is
 * decoded straight away: the buffer is released and the packet passed on, without {@link
 * ByteToMessageDecoder}'s cumulation and output list. Every other read (part of a frame, several
 * frames, a frame after buffered bytes, a read arriving while an earlier one is still being passed
 * on) goes through {@link ByteToMessageDecoder}.
 */
public final class MqttDecoder extends ByteToMessageDecoder {

    /** The name of this handler in a pipeline. */
    public static final String NAME = "mqttDecoder";

    /**
     * The default largest frame (fixed header included) accepted: 2 MiB + 5 bytes of fixed header,
     * room for a 2 MiB payload. The Aliyun platform's own limit is 256 KB; raise it for brokers
     * that allow more.
     */
    public static final int DEFAULT_MAX_PACKET_SIZE = 2 * 1024 * 1024 + 5;

    /**
     * The largest frame MQTT 3.1.1 can express: 268,435,455 bytes of remaining length + 5 of fixed
     * header.
     */
    public static final int PROTOCOL_MAX_PACKET_SIZE = 268_435_455 + 5;

    private final int maxPacketSize;
    private final TopicCache topics = new TopicCache();
    private boolean failed;

    /**
     * How deep this decoder is in {@link #channelRead} calls (more than one when a handler after it
     * re-enters).
     */
    private int readDepth;

    /** A decoder with {@link #DEFAULT_MAX_PACKET_SIZE}. */
    public MqttDecoder() {
        this(DEFAULT_MAX_PACKET_SIZE);
    }

    /**
     * @param maxPacketSize the largest whole frame accepted, fixed header included (at least 2)
     */
    public MqttDecoder(int maxPacketSize) {
        if (maxPacketSize < 2) {
            throw new IllegalArgumentException(
                    "maxPacketSize must be at least 2, was " + maxPacketSize);
        }
        this.maxPacketSize = maxPacketSize;
    }

    public int maxPacketSize() {
        return maxPacketSize;
    }

    /**
     * Bytes held while waiting for the rest of a frame. Never more than the maximum packet size
     * (plus whatever arrived in the same read after a complete frame), because a too-large frame is
     * refused from its header alone.
     */
    public int bufferedBytes() {
        return actualReadableBytes();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (readDepth == 0
                && !failed
                && msg instanceof ByteBuf in
                && !internalBuffer().isReadable()) {
            int start = in.readerIndex();
            int readable = in.readableBytes();
            long header = fixedHeader(in, start, readable);
            if (header >= 0 && frameLength(header) == readable) {
                MqttPacket packet;
                try {
                    packet = decodeBody(in, start, header);
                } catch (MqttProtocolException e) {
                    try {
                        fail(ctx, in, e);
                    } finally {
                        in.release();
                    }
                    return;
                }
                in.release(); // nothing of it is held: the packet is made of copies
                readDepth++;
                try {
                    ctx.fireChannelRead(packet);
                } finally {
                    readDepth--;
                }
                return;
            }
        }
        readDepth++;
        try {
            super.channelRead(ctx, msg);
        } finally {
            readDepth--;
        }
    }

    /**
     * The fixed header of the frame that starts at {@code start}, packed as {@code firstByte << 40
     * | headerLength << 32 | remainingLength}, or -1 if it is incomplete, malformed, or announces a
     * frame above the maximum ({@link #decodeFrame} then says which), or shorter than four bytes
     * (which {@link #decodeFrame} reads byte by byte). Reads the header with one access (every
     * frame of four bytes up to 2 MiB); moves no index.
     */
    private long fixedHeader(ByteBuf in, int start, int readable) {
        if (readable < 4) {
            // a two- or three-byte frame (PINGREQ, DISCONNECT ...) or a partial header: decodeFrame
            // reads it
            return -1;
        }
        int word = in.getInt(start);
        int first = word >>> 24;
        int b1 = (word >>> 16) & 0xFF;
        int b2 = (word >>> 8) & 0xFF;
        int b3 = word & 0xFF;
        int remaining;
        int lengthBytes;
        if ((b1 & 0x80) == 0) {
            remaining = b1;
            lengthBytes = 1;
        } else if ((b2 & 0x80) == 0) {
            remaining = (b1 & 0x7F) | b2 << 7;
            lengthBytes = 2;
        } else if ((b3 & 0x80) == 0) {
            remaining = (b1 & 0x7F) | (b2 & 0x7F) << 7 | b3 << 14;
            lengthBytes = 3;
        } else {
            return -1; // a four-byte remaining length, 2 MiB or more: decodeFrame reads it
        }
        if (1L + lengthBytes + remaining > maxPacketSize) {
            return -1;
        }
        return (long) first << 40 | (long) lengthBytes << 32 | remaining;
    }

    private static int frameLength(long header) {
        return 1 + (int) (header >>> 32 & 0xFF) + (int) header;
    }

    /**
     * Checks the first byte of {@code header} and decodes the body after it; moves {@code in}'s
     * reader index past it.
     */
    private MqttPacket decodeBody(ByteBuf in, int start, long header) {
        int first = (int) (header >>> 40);
        MqttPacketDecoder.checkFixedHeader(first);
        int bodyStart = start + 1 + (int) (header >>> 32 & 0xFF);
        int remaining = (int) header;
        in.readerIndex(bodyStart + remaining);
        return MqttPacketDecoder.decodeBody(first, in, bodyStart, remaining, topics);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        try {
            MqttPacket packet = decodeFrame(in);
            if (packet != null) {
                out.add(packet);
            }
        } catch (MqttProtocolException e) {
            fail(ctx, in, e);
        }
    }

    private void fail(ChannelHandlerContext ctx, ByteBuf in, MqttProtocolException e) {
        failed = true;
        in.skipBytes(in.readableBytes());
        ctx.fireExceptionCaught(e);
        ctx.close();
    }

    /**
     * Decodes one frame from {@code in} if it is complete, advancing the reader index past it;
     * returns {@code null} (reader index unchanged) when more bytes are needed.
     */
    MqttPacket decodeFrame(ByteBuf in) {
        int start = in.readerIndex();
        int readable = in.readableBytes();
        if (readable < 1) {
            return null;
        }
        long header = fixedHeader(in, start, readable);
        if (header >= 0) {
            return frameLength(header) <= readable ? decodeBody(in, start, header) : null;
        }
        // incomplete, malformed or too large: byte by byte, saying which
        int first = in.getUnsignedByte(start);
        MqttPacketDecoder.checkFixedHeader(first);
        int remaining = 0;
        int multiplier = 1;
        int lengthBytes = 0;
        while (true) {
            if (lengthBytes == 4) {
                throw new MqttProtocolException(
                        Reason.MALFORMED_REMAINING_LENGTH,
                        "remaining length longer than four bytes");
            }
            if (1 + lengthBytes >= readable) {
                return null;
            }
            int b = in.getUnsignedByte(start + 1 + lengthBytes);
            lengthBytes++;
            remaining += (b & 0x7F) * multiplier;
            if ((b & 0x80) == 0) {
                break;
            }
            multiplier <<= 7;
        }
        long frameLength = 1L + lengthBytes + remaining;
        if (frameLength > maxPacketSize) {
            throw new MqttProtocolException(
                    Reason.PACKET_TOO_LARGE,
                    "frame of " + frameLength + " bytes exceeds the maximum of " + maxPacketSize);
        }
        if (readable < frameLength) {
            return null;
        }
        return decodeBody(in, start, (long) first << 40 | (long) lengthBytes << 32 | remaining);
    }
}
