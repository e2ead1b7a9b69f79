package io.thingflux.perf.jmh;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.FastThreadLocalThread;
import io.thingflux.mqtt.MqttPacket;
import io.thingflux.netty.codec.MqttDecoder;
import io.thingflux.netty.codec.MqttPacketDecoder;
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
 * Decoding one seed frame with thingflux and with Netty codec-mqtt, in the same JVM and harness.
 *
 * <p>The benchmark threads are Netty {@code FastThreadLocalThread}s ({@link
 * EventLoopThreadExecutor}), as on an event loop. The frame sits in a pooled direct buffer, as it
 * would after a socket read. Each operation hands the decoder a {@code retainedDuplicate()} of it
 * (recycled, no allocation), which the decoder releases after consuming it.
 *
 * <ul>
 *   <li>{@code thingfluxChannel} / {@code nettyChannel}: the decoder alone in an {@link
 *       EmbeddedChannel}; {@code writeInbound} then {@code readInbound}. Same pipeline cost for
 *       both; Netty's PUBLISH message holds a retained slice and is released after reading.
 *   <li>{@code thingfluxBare}: no channel: the fixed header (type, flags, remaining length) is read
 *       from the buffer and {@link MqttPacketDecoder#decode} turns the body into the record, as
 *       {@link MqttDecoder} does once a frame is complete. Netty has no public path below its
 *       {@code ByteToMessageDecoder} (the class is final, its decode methods private/protected), so
 *       {@code nettyPipeline} is Netty's floor.
 *   <li>{@code thingfluxPipeline} / {@code nettyPipeline}: the decoder in a pipeline driven
 *       directly ({@link PipelineHarness}): {@code pipeline.fireChannelRead(duplicate)} into the
 *       decoder, and a capturing handler after it takes the message; no {@code writeInbound}/{@code
 *       readInbound} queue, no {@code runPendingTasks}/{@code checkException}. The same harness for
 *       both; Netty's PUBLISH is released.
 * </ul>
 *
 * {@code harnessOnly} measures the {@link EmbeddedChannel} round trip without any decoder, and
 * {@code pipelineHarnessOnly} the pipeline harness without any decoder, to be subtracted from the
 * matching scores. Netty's decoder is given the same size limit as ours (its default, 8092 bytes,
 * is below MQTT's needs).
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
public class MqttDecodeBenchmark {

    @Param({"CONNECT", "SUBSCRIBE", "PUBLISH"})
    public BenchmarkFrames frame;

    private ByteBuf wire;
    private EmbeddedChannel thingfluxChannel;
    private EmbeddedChannel nettyChannel;
    private EmbeddedChannel harnessChannel;
    private PipelineHarness thingfluxPipeline;
    private PipelineHarness nettyPipeline;
    private PipelineHarness harnessPipeline;

    @Setup
    public void setUp() {
        byte[] bytes = frame.bytes();
        wire = PooledByteBufAllocator.DEFAULT.directBuffer(bytes.length).writeBytes(bytes);
        thingfluxChannel =
                new EmbeddedChannel(new MqttDecoder(MqttDecoder.DEFAULT_MAX_PACKET_SIZE));
        nettyChannel =
                new EmbeddedChannel(
                        new io.netty.handler.codec.mqtt.MqttDecoder(
                                MqttDecoder.DEFAULT_MAX_PACKET_SIZE));
        harnessChannel = new EmbeddedChannel();
        thingfluxPipeline =
                PipelineHarness.inbound(new MqttDecoder(MqttDecoder.DEFAULT_MAX_PACKET_SIZE));
        nettyPipeline =
                PipelineHarness.inbound(
                        new io.netty.handler.codec.mqtt.MqttDecoder(
                                MqttDecoder.DEFAULT_MAX_PACKET_SIZE));
        harnessPipeline = PipelineHarness.inbound(null);
        // every path must decode the frame, and to the same packet, twice in a row, or the numbers
        // mean nothing
        for (int i = 0; i < 2; i++) {
            Object bare = thingfluxBare();
            Object viaChannel = thingfluxChannel();
            Object viaPipeline = thingfluxPipeline();
            if (bare == null || !bare.equals(viaChannel) || !bare.equals(viaPipeline)) {
                throw new IllegalStateException(
                        "thingflux paths disagree on "
                                + frame
                                + ": "
                                + bare
                                + " / "
                                + viaChannel
                                + " / "
                                + viaPipeline);
            }
            requireNettyDecoded("nettyChannel", nettyChannel());
            requireNettyDecoded("nettyPipeline", nettyPipeline());
            if (pipelineHarnessOnly() == null) {
                throw new IllegalStateException("the pipeline harness passed nothing on");
            }
        }
    }

    private void requireNettyDecoded(String path, MqttMessage netty) {
        if (netty == null
                || !netty.decoderResult().isSuccess()
                || netty.fixedHeader().messageType().value() != (frame.bytes()[0] & 0xFF) >>> 4) {
            throw new IllegalStateException(path + " did not decode " + frame + ": " + netty);
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
        wire.release();
    }

    @Benchmark
    public MqttPacket thingfluxBare() {
        ByteBuf in = wire;
        int start = in.readerIndex();
        int first = in.getUnsignedByte(start);
        MqttPacketDecoder.checkFixedHeader(first);
        int remaining = 0;
        int shift = 0;
        int index = start + 1;
        int b;
        do {
            b = in.getUnsignedByte(index++);
            remaining |= (b & 0x7F) << shift;
            shift += 7;
        } while ((b & 0x80) != 0 && shift < 28);
        return MqttPacketDecoder.decode(first, in, index, remaining);
    }

    @Benchmark
    public Object thingfluxChannel() {
        thingfluxChannel.writeInbound(wire.retainedDuplicate());
        return thingfluxChannel.readInbound();
    }

    /**
     * The harness alone: the same {@code writeInbound}/{@code readInbound} of a duplicate through
     * an {@link EmbeddedChannel} with no decoder. Subtract it from the {@code *Channel} scores'
     * bytes per op to see what each decoder itself allocates.
     */
    @Benchmark
    public Object harnessOnly() {
        harnessChannel.writeInbound(wire.retainedDuplicate());
        ByteBuf passed = harnessChannel.readInbound();
        passed.release();
        return passed;
    }

    @Benchmark
    public MqttMessage nettyChannel() {
        nettyChannel.writeInbound(wire.retainedDuplicate());
        MqttMessage message = nettyChannel.readInbound();
        ReferenceCountUtil.release(message);
        return message;
    }

    @Benchmark
    public Object thingfluxPipeline() {
        return thingfluxPipeline.read(wire.retainedDuplicate());
    }

    @Benchmark
    public MqttMessage nettyPipeline() {
        MqttMessage message = (MqttMessage) nettyPipeline.read(wire.retainedDuplicate());
        ReferenceCountUtil.release(message);
        return message;
    }

    /**
     * The pipeline harness alone: the same {@code fireChannelRead} of a duplicate, with no decoder,
     * into the capturing handler, then released. Subtract it from the {@code *Pipeline} scores'
     * bytes per op.
     */
    @Benchmark
    public Object pipelineHarnessOnly() {
        ByteBuf passed = (ByteBuf) harnessPipeline.read(wire.retainedDuplicate());
        passed.release();
        return passed;
    }
}
