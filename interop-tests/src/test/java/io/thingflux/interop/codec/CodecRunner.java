package io.thingflux.interop.codec;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.util.ReferenceCountUtil;
import io.thingflux.mqtt.MqttPacket;
import io.thingflux.mqtt.MqttProtocolException;
import io.thingflux.netty.codec.MqttDecoder;
import io.thingflux.netty.codec.MqttEncoder;
import java.io.ByteArrayOutputStream;
import java.util.function.Function;

/**
 * Runs one packet through each codec inside an {@link EmbeddedChannel}, the way a pipeline would,
 * with byte arrays on the outside so no buffer escapes: every buffer and message created here is
 * released here.
 */
final class CodecRunner {

    /** Large enough for every generated packet; both decoders get the same limit. */
    static final int MAX_PACKET_SIZE = 4 << 20;

    private CodecRunner() {}

    /** The bytes thingflux's encoder writes for {@code packet} (all outbound buffers, in order). */
    static byte[] thingfluxEncode(MqttPacket packet) {
        EmbeddedChannel ch = new EmbeddedChannel(MqttEncoder.INSTANCE);
        try {
            ch.writeOutbound(packet);
            return drainOutbound(ch);
        } finally {
            ch.finishAndReleaseAll();
        }
    }

    /** The bytes Netty codec-mqtt's encoder writes for {@code packet} mapped to its message. */
    static byte[] nettyEncode(MqttPacket packet) {
        EmbeddedChannel ch = new EmbeddedChannel(io.netty.handler.codec.mqtt.MqttEncoder.INSTANCE);
        try {
            ch.writeOutbound(NettyMqttMessages.toNetty(packet));
            return drainOutbound(ch);
        } finally {
            ch.finishAndReleaseAll();
        }
    }

    /**
     * What thingflux's decoder makes of exactly one frame; throws its typed error when it refuses.
     */
    static MqttPacket thingfluxDecode(byte[] frame) {
        EmbeddedChannel ch = new EmbeddedChannel(new MqttDecoder(MAX_PACKET_SIZE));
        try {
            ch.writeInbound(allocated(ch, frame));
            MqttPacket packet = ch.readInbound();
            if (packet == null) {
                throw new AssertionError(
                        "thingflux decoded nothing from " + frame.length + " bytes");
            }
            Object extra = ch.readInbound();
            if (extra != null) {
                throw new AssertionError("thingflux decoded more than one packet: " + extra);
            }
            return packet;
        } finally {
            ch.finishAndReleaseAll();
        }
    }

    /**
     * What Netty codec-mqtt's decoder makes of exactly one frame, mapped to our record.
     *
     * @throws NettyRefusedException when Netty's decoder marks the message invalid
     */
    static MqttPacket nettyDecode(byte[] frame) {
        return withNettyMessage(
                frame,
                message -> {
                    if (message.decoderResult().isFailure()) {
                        throw new NettyRefusedException(message.decoderResult().cause());
                    }
                    return NettyMqttMessages.fromNetty(message);
                });
    }

    /** Whether Netty codec-mqtt's decoder reports success for exactly one frame. */
    static boolean nettyAccepts(byte[] frame) {
        return withNettyMessage(frame, message -> message.decoderResult().isSuccess());
    }

    /**
     * Applies {@code inspect} to the one message Netty's decoder makes of {@code frame}, then
     * releases it.
     */
    static <T> T withNettyMessage(byte[] frame, Function<MqttMessage, T> inspect) {
        EmbeddedChannel ch =
                new EmbeddedChannel(new io.netty.handler.codec.mqtt.MqttDecoder(MAX_PACKET_SIZE));
        try {
            ch.writeInbound(allocated(ch, frame));
            MqttMessage message = ch.readInbound();
            if (message == null) {
                throw new AssertionError("Netty decoded nothing from " + frame.length + " bytes");
            }
            try {
                Object extra = ch.readInbound();
                if (extra != null) {
                    ReferenceCountUtil.release(extra);
                    throw new AssertionError("Netty decoded more than one message from one frame");
                }
                return inspect.apply(message);
            } finally {
                ReferenceCountUtil.release(message);
            }
        } finally {
            ch.finishAndReleaseAll();
        }
    }

    /**
     * The typed error thingflux's decoder raises for {@code frame}, or {@code null} if it decodes.
     */
    static MqttProtocolException thingfluxRefusal(byte[] frame) {
        try {
            thingfluxDecode(frame);
            return null;
        } catch (MqttProtocolException e) {
            return e;
        }
    }

    /**
     * The frame in a buffer from the channel's allocator: only allocator buffers are tracked by
     * leak detection.
     */
    private static ByteBuf allocated(EmbeddedChannel ch, byte[] frame) {
        return ch.alloc().buffer(frame.length).writeBytes(frame);
    }

    private static byte[] drainOutbound(EmbeddedChannel ch) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object o = ch.readOutbound(); o != null; o = ch.readOutbound()) {
            out.writeBytes(NettyMqttMessages.drain((ByteBuf) o));
        }
        return out.toByteArray();
    }

    /** Netty's decoder produced an invalid message (its way of reporting a malformed frame). */
    static final class NettyRefusedException extends RuntimeException {
        NettyRefusedException(Throwable cause) {
            super("Netty codec-mqtt refused the frame: " + cause, cause);
        }
    }
}
