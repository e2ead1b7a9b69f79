package io.thingflux.netty.codec;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageCodec;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.thingflux.mqtt.MqttProtocolException;
import java.util.List;

/**
 * Carries the MQTT byte stream in WebSocket binary frames (MQTT 3.1.1 §6), between the WebSocket
 * protocol handler and {@link MqttDecoder}/{@link MqttEncoder}, on the client and the server side.
 *
 * <p>Inbound, the payloads of binary and continuation frames are passed on as they come: {@link
 * MqttDecoder} joins them, so a packet may span frames and a frame may hold several packets. A text
 * frame is a protocol violation (MQTT-6.0.0-1) and closes the connection. Outbound, each buffer
 * becomes one binary frame, or, when larger than the frame limit, a binary frame and continuation
 * frames of at most that size.
 *
 * <p>{@code channelActive} is held back until the WebSocket handshake completes, so the handlers
 * after this one (CONNECT on the client, the CONNECT timeout on the server) start on an open
 * WebSocket.
 */
public final class MqttWebSocketFrames extends MessageToMessageCodec<WebSocketFrame, ByteBuf> {

    /** The name of this handler in a pipeline. */
    public static final String NAME = "mqttWebSocketFrames";

    private final int maxFramePayload;
    private boolean active;

    /**
     * @param maxFramePayload the largest payload of one outgoing frame
     */
    public MqttWebSocketFrames(int maxFramePayload) {
        if (maxFramePayload < 1) {
            throw new IllegalArgumentException("maxFramePayload must be positive");
        }
        this.maxFramePayload = maxFramePayload;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        // held back until the handshake completes
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (!active
                && (evt
                                == WebSocketClientProtocolHandler.ClientHandshakeStateEvent
                                        .HANDSHAKE_COMPLETE
                        || evt instanceof WebSocketServerProtocolHandler.HandshakeComplete)) {
            active = true;
            ctx.fireChannelActive();
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, ByteBuf msg, List<Object> out) {
        int length = msg.readableBytes();
        if (length <= maxFramePayload) {
            out.add(new BinaryWebSocketFrame(msg.retain()));
            return;
        }
        boolean first = true;
        while (msg.isReadable()) {
            int n = Math.min(maxFramePayload, msg.readableBytes());
            ByteBuf part = msg.readRetainedSlice(n);
            boolean last = !msg.isReadable();
            out.add(
                    first
                            ? new BinaryWebSocketFrame(last, 0, part)
                            : new ContinuationWebSocketFrame(last, 0, part));
            first = false;
        }
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, WebSocketFrame frame, List<Object> out) {
        if (frame instanceof BinaryWebSocketFrame || frame instanceof ContinuationWebSocketFrame) {
            out.add(frame.content().retain());
            return;
        }
        ctx.fireExceptionCaught(
                new MqttProtocolException(
                        MqttProtocolException.Reason.UNEXPECTED_PACKET,
                        "a "
                                + frame.getClass().getSimpleName()
                                + " carries no MQTT (MQTT-6.0.0-1)"));
        ctx.close();
    }
}
