package io.thingflux.netty.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.thingflux.mqtt.MqttProtocolException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Splitting outgoing MQTT bytes into WebSocket frames and joining incoming ones. */
class MqttWebSocketFramesTest {

    @Test
    void aLargeWriteLeavesAsOneFragmentedMessageOfBoundedFrames() {
        EmbeddedChannel ch = new EmbeddedChannel(new MqttWebSocketFrames(256));
        byte[] data = new byte[1000];
        new Random(23).nextBytes(data);
        ch.writeOutbound(Unpooled.wrappedBuffer(data));
        List<WebSocketFrame> frames = new ArrayList<>();
        for (Object o; (o = ch.readOutbound()) != null; ) {
            frames.add((WebSocketFrame) o);
        }
        assertThat(frames).hasSize(4);
        assertThat(frames.get(0)).isInstanceOf(BinaryWebSocketFrame.class);
        assertThat(frames.subList(1, 4)).allMatch(f -> f instanceof ContinuationWebSocketFrame);
        assertThat(frames)
                .extracting(f -> f.content().readableBytes())
                .containsExactly(256, 256, 256, 232);
        assertThat(frames)
                .extracting(WebSocketFrame::isFinalFragment)
                .containsExactly(false, false, false, true);
        ByteBuf joined = Unpooled.buffer();
        frames.forEach(
                f -> {
                    joined.writeBytes(f.content());
                    f.release();
                });
        byte[] back = new byte[joined.readableBytes()];
        joined.readBytes(back);
        joined.release();
        assertThat(back).isEqualTo(data);
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void aSmallWriteIsOneFinalBinaryFrame() {
        EmbeddedChannel ch = new EmbeddedChannel(new MqttWebSocketFrames(256));
        ch.writeOutbound(Unpooled.wrappedBuffer(new byte[] {(byte) 0xC0, 0}));
        BinaryWebSocketFrame f = ch.readOutbound();
        assertThat(f.isFinalFragment()).isTrue();
        assertThat(f.content().readableBytes()).isEqualTo(2);
        f.release();
    }

    @Test
    void incomingFramesBecomeOneByteStreamForTheDecoder() {
        // a PINGRESP split over two frames, then two PINGRESPs in one frame
        EmbeddedChannel ch =
                new EmbeddedChannel(new MqttWebSocketFrames(256), new MqttDecoder(1024));
        ch.writeInbound(
                new BinaryWebSocketFrame(
                        false, 0, Unpooled.wrappedBuffer(new byte[] {(byte) 0xD0})));
        ch.writeInbound(
                new ContinuationWebSocketFrame(true, 0, Unpooled.wrappedBuffer(new byte[] {0})));
        ch.writeInbound(
                new BinaryWebSocketFrame(
                        Unpooled.wrappedBuffer(new byte[] {(byte) 0xD0, 0, (byte) 0xD0, 0})));
        List<Object> packets = new ArrayList<>();
        for (Object o; (o = ch.readInbound()) != null; ) {
            packets.add(o);
        }
        assertThat(packets).hasSize(3).allMatch(p -> p instanceof io.thingflux.mqtt.PingResp);
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void aTextFrameIsAProtocolViolationThatCloses() {
        List<Throwable> errors = new ArrayList<>();
        EmbeddedChannel ch =
                new EmbeddedChannel(
                        new MqttWebSocketFrames(256),
                        new ChannelInboundHandlerAdapter() {
                            @Override
                            public void exceptionCaught(
                                    ChannelHandlerContext ctx, Throwable cause) {
                                errors.add(cause);
                            }
                        });
        ch.writeInbound(new TextWebSocketFrame("hello"));
        assertThat(errors).singleElement().isInstanceOf(MqttProtocolException.class);
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void channelActiveWaitsForTheHandshake() {
        List<String> seen = new ArrayList<>();
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.pipeline()
                .addLast(new MqttWebSocketFrames(256))
                .addLast(
                        new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelActive(ChannelHandlerContext ctx) {
                                seen.add("active");
                            }
                        });
        ch.pipeline().fireChannelActive();
        assertThat(seen).isEmpty();
        ch.pipeline()
                .fireUserEventTriggered(
                        WebSocketClientProtocolHandler.ClientHandshakeStateEvent
                                .HANDSHAKE_COMPLETE);
        assertThat(seen).containsExactly("active");
    }
}
