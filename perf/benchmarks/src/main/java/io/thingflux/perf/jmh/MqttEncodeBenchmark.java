package io.thingflux.perf.jmh;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.FastThreadLocalThread;
import io.thingflux.mqtt.MqttPacket;
import io.thingflux.netty.codec.MqttDecoder;
import io.thingflux.netty.codec.MqttEncoder;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Encoding one seed packet with thingflux and with Netty codec-mqtt, in the same JVM and harness.
 *
 * <p>The benchmark threads are Netty {@code FastThreadLocalThread}s ({@link
 * EventLoopThreadExecutor}), as on an event loop. Each codec encodes its own message for the frame,
 * built once in setup by decoding the seed frame with that codec's decoder (so both write exactly
 * the seed bytes; setup checks it). The encoded buffer is released at once.
 *
 * <ul>
 *   <li>{@code thingfluxChannel} / {@code nettyChannel}: the encoder alone in an {@link
 *       EmbeddedChannel}; {@code writeOutbound} then {@code readOutbound} and release. Netty's
 *       encoder releases the message it encodes, so its (ref-counted) PUBLISH is retained before
 *       each write (a count increment, no allocation); our records are immutable and need nothing.
 *   <li>{@code thingfluxBare}: {@link MqttEncoder#encode(io.netty.buffer.ByteBufAllocator,
 *       MqttPacket)} with the channel's allocator, no pipeline. Netty's encoder has no public path
 *       below its {@code MessageToMessageEncoder} ({@code doEncode} is package-private), so {@code
 *       nettyPipeline} is its floor.
 *   <li>{@code thingfluxPipeline} / {@code nettyPipeline}: the encoder in a pipeline driven
 *       directly ({@link PipelineHarness}): {@code pipeline.write(message, voidPromise)} through
 *       the encoder into a capturing handler before it (head side), which takes the buffer; the
 *       benchmark releases it. No {@code writeOutbound}/{@code readOutbound} queue, no {@code
 *       runPendingTasks}/{@code checkException}.
 * </ul>
 *
 * {@code harnessOnly} measures the {@link EmbeddedChannel} round trip without any encoder, and
 * {@code pipelineHarnessOnly} the pipeline harness without any encoder, to be subtracted from the
 * matching scores.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
        value = 2,
        jvmArgsAppend = {
            "-Dio.netty.leakDetection.level=disabled",
            EventLoopThreadExecutor.JMH_EXECUTOR,
            EventLoopThreadExecutor.JMH_EXECUTOR_CLASS
        })
public class MqttEncodeBenchmark {

    @Param({"CONNECT", "SUBSCRIBE", "PUBLISH"})
    public BenchmarkFrames frame;

    private MqttPacket packet;
    private MqttMessage nettyMessage;
    private EmbeddedChannel thingfluxChannel;
    private EmbeddedChannel nettyChannel;
    private EmbeddedChannel harnessChannel;
    private PipelineHarness thingfluxPipeline;
    private PipelineHarness nettyPipeline;
    private PipelineHarness harnessPipeline;
    private ByteBuf encodedFrame;

    @Setup
    public void setUp() {
        byte[] bytes = frame.bytes();
        EmbeddedChannel decoders = new EmbeddedChannel(new MqttDecoder());
        decoders.writeInbound(PooledByteBufAllocator.DEFAULT.buffer().writeBytes(bytes));
        packet = decoders.readInbound();
        decoders.finishAndReleaseAll();
        EmbeddedChannel nettyDecoder =
                new EmbeddedChannel(
                        new io.netty.handler.codec.mqtt.MqttDecoder(
                                MqttDecoder.DEFAULT_MAX_PACKET_SIZE));
        nettyDecoder.writeInbound(PooledByteBufAllocator.DEFAULT.buffer().writeBytes(bytes));
        nettyMessage = nettyDecoder.readInbound();
        nettyDecoder.finishAndReleaseAll();

        harnessChannel = new EmbeddedChannel();
        encodedFrame = PooledByteBufAllocator.DEFAULT.directBuffer(bytes.length).writeBytes(bytes);
        thingfluxChannel = new EmbeddedChannel(MqttEncoder.INSTANCE);
        nettyChannel = new EmbeddedChannel(io.netty.handler.codec.mqtt.MqttEncoder.INSTANCE);
        thingfluxPipeline = PipelineHarness.outbound(MqttEncoder.INSTANCE);
        nettyPipeline = PipelineHarness.outbound(io.netty.handler.codec.mqtt.MqttEncoder.INSTANCE);
        harnessPipeline = PipelineHarness.outbound(null);
        // each path must write the seed bytes, twice in a row (the message is reused), or the
        // numbers mean nothing
        for (int i = 0; i < 2; i++) {
            check("thingfluxBare", MqttEncoder.encode(thingfluxChannel.alloc(), packet), bytes);
            thingfluxChannel.writeOutbound(packet);
            check("thingfluxChannel", thingfluxChannel.readOutbound(), bytes);
            ReferenceCountUtil.retain(nettyMessage);
            nettyChannel.writeOutbound(nettyMessage);
            check("nettyChannel", nettyChannel.readOutbound(), bytes);
            check("thingfluxPipeline", (ByteBuf) thingfluxPipeline.write(packet), bytes);
            ReferenceCountUtil.retain(nettyMessage);
            check("nettyPipeline", (ByteBuf) nettyPipeline.write(nettyMessage), bytes);
            check(
                    "pipelineHarnessOnly",
                    (ByteBuf) harnessPipeline.write(encodedFrame.retainedDuplicate()),
                    bytes);
        }
    }

    private void check(String path, ByteBuf encoded, byte[] expected) {
        if (encoded == null) {
            throw new IllegalStateException(path + " wrote nothing for " + frame);
        }
        try {
            if (!Arrays.equals(ByteBufUtil.getBytes(encoded), expected)) {
                throw new IllegalStateException(
                        path + " does not write the seed bytes of " + frame);
            }
        } finally {
            encoded.release();
        }
    }

    /**
     * Fails the run if JMH's threads are not event-loop-like (see {@link EventLoopThreadExecutor}).
     */
    @Setup
    public void requireEventLoopThread() {
        if (!FastThreadLocalThread.currentThreadHasFastThreadLocal()) {
            throw new IllegalStateException(
                    "benchmark thread "
                            + Thread.currentThread()
                            + " is not a FastThreadLocalThread: run with "
                            + EventLoopThreadExecutor.JMH_EXECUTOR
                            + " "
                            + EventLoopThreadExecutor.JMH_EXECUTOR_CLASS);
        }
    }

    @TearDown
    public void tearDown() {
        thingfluxChannel.finishAndReleaseAll();
        nettyChannel.finishAndReleaseAll();
        harnessChannel.finishAndReleaseAll();
        thingfluxPipeline.close();
        nettyPipeline.close();
        harnessPipeline.close();
        encodedFrame.release();
        ReferenceCountUtil.release(nettyMessage);
    }

    @Benchmark
    public int thingfluxBare() {
        ByteBuf encoded = MqttEncoder.encode(thingfluxChannel.alloc(), packet);
        int n = encoded.readableBytes();
        encoded.release();
        return n;
    }

    @Benchmark
    public int thingfluxChannel() {
        thingfluxChannel.writeOutbound(packet);
        ByteBuf encoded = thingfluxChannel.readOutbound();
        int n = encoded.readableBytes();
        encoded.release();
        return n;
    }

    /**
     * The harness alone: the same {@code writeOutbound}/{@code readOutbound} through an {@link
     * EmbeddedChannel} with no encoder, of an already encoded frame (a retained duplicate).
     * Subtract it from the {@code *Channel} scores' bytes per op to see what each encoder itself
     * allocates.
     */
    @Benchmark
    public int harnessOnly() {
        harnessChannel.writeOutbound(encodedFrame.retainedDuplicate());
        ByteBuf passed = harnessChannel.readOutbound();
        int n = passed.readableBytes();
        passed.release();
        return n;
    }

    @Benchmark
    public int nettyChannel() {
        ReferenceCountUtil.retain(nettyMessage);
        nettyChannel.writeOutbound(nettyMessage);
        ByteBuf encoded = nettyChannel.readOutbound();
        int n = encoded.readableBytes();
        encoded.release();
        return n;
    }

    @Benchmark
    public int thingfluxPipeline() {
        ByteBuf encoded = (ByteBuf) thingfluxPipeline.write(packet);
        int n = encoded.readableBytes();
        encoded.release();
        return n;
    }

    @Benchmark
    public int nettyPipeline() {
        ReferenceCountUtil.retain(nettyMessage);
        ByteBuf encoded = (ByteBuf) nettyPipeline.write(nettyMessage);
        int n = encoded.readableBytes();
        encoded.release();
        return n;
    }

    /**
     * The pipeline harness alone: the same {@code write} with no encoder, of an already encoded
     * frame (a retained duplicate), into the capturing handler, then released. Subtract it from the
     * {@code *Pipeline} scores' bytes per op.
     */
    @Benchmark
    public int pipelineHarnessOnly() {
        ByteBuf passed = (ByteBuf) harnessPipeline.write(encodedFrame.retainedDuplicate());
        int n = passed.readableBytes();
        passed.release();
        return n;
    }
}
