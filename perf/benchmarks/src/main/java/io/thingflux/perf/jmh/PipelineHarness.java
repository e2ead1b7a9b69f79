package io.thingflux.perf.jmh;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;

/**
 * One codec handler in a channel pipeline, driven directly: no {@link EmbeddedChannel#writeInbound}
 * / {@code writeOutbound} (and so no inbound/outbound queue, {@code runPendingTasks} or {@code
 * checkException} per operation), only the pipeline's own handler-to-handler dispatch, as on an
 * event loop.
 *
 * <p>The channel is an {@link EmbeddedChannel} only for its pipeline and its event loop, on which
 * every call is "in the event loop", so each call runs through the handlers at once, on the
 * caller's thread.
 *
 * <ul>
 *   <li>{@link #inbound}: {@code pipeline.fireChannelRead(buffer)} goes into the handler (a
 *       decoder), and a capturing handler after it takes what the decoder passes on, instead of the
 *       pipeline's tail.
 *   <li>{@link #outbound}: {@code pipeline.write(message, voidPromise)} goes through the handler
 *       (an encoder) into a capturing handler before it (head side), which takes the encoded buffer
 *       instead of the transport.
 * </ul>
 *
 * The same class drives thingflux's and Netty's handlers; with no handler it measures the pipeline
 * alone. Not thread-safe: one instance per benchmark thread.
 */
final class PipelineHarness {

    private final EmbeddedChannel channel;
    private final ChannelPipeline pipeline;
    private final ChannelPromise voidPromise;
    private Object captured;
    private int capturedCount;

    private PipelineHarness(ChannelHandler codec, boolean inbound) {
        channel = new EmbeddedChannel();
        pipeline = channel.pipeline();
        voidPromise = channel.voidPromise();
        if (inbound) {
            if (codec != null) {
                pipeline.addLast("codec", codec);
            }
            pipeline.addLast("capture", new InboundCapture());
        } else {
            pipeline.addLast("capture", new OutboundCapture());
            if (codec != null) {
                pipeline.addLast("codec", codec);
            }
        }
    }

    /** {@code decoder} (or nothing, if {@code null}) followed by a capturing handler. */
    static PipelineHarness inbound(ChannelHandler decoder) {
        return new PipelineHarness(decoder, true);
    }

    /** A capturing handler on the head side of {@code encoder} (or of nothing, if {@code null}). */
    static PipelineHarness outbound(ChannelHandler encoder) {
        return new PipelineHarness(encoder, false);
    }

    /**
     * Fires {@code buffer} into the pipeline and returns what reached the end of it, or {@code
     * null}.
     */
    Object read(ByteBuf buffer) {
        pipeline.fireChannelRead(buffer);
        return take();
    }

    /**
     * Writes {@code message} into the pipeline and returns what reached its head (the caller owns
     * it), or {@code null}.
     */
    Object write(Object message) {
        pipeline.write(message, voidPromise);
        return take();
    }

    private Object take() {
        Object message = captured;
        captured = null;
        if (capturedCount > 1) {
            capturedCount = 0;
            ReferenceCountUtil.release(message);
            throw new IllegalStateException("more than one message per operation");
        }
        capturedCount = 0;
        return message;
    }

    /** Releases anything left and closes the channel. */
    void close() {
        ReferenceCountUtil.release(captured);
        captured = null;
        channel.finishAndReleaseAll();
    }

    private void capture(Object message) {
        if (captured != null) {
            ReferenceCountUtil.release(captured);
        }
        captured = message;
        capturedCount++;
    }

    private final class InboundCapture extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            capture(msg);
        }
    }

    private final class OutboundCapture extends ChannelOutboundHandlerAdapter {
        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            capture(msg);
        }
    }
}
