package io.thingflux.perf.jmh;

import static org.assertj.core.api.Assertions.assertThat;

import io.thingflux.aliyun.MqttCredentials;
import io.thingflux.aliyun.SignMethod;
import io.thingflux.mqtt.MqttPacket;
import io.thingflux.mqtt.PacketType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every benchmark method does the work it claims, without leaking buffers (paranoid leak detection
 * fails the test), so a JMH run measures something real. Runs each method a few times outside JMH.
 */
class CodecBenchmarksTest {

    @ParameterizedTest
    @EnumSource(BenchmarkFrames.class)
    void decodeBenchmarksDecodeTheFrameRepeatedlyWithBothCodecs(BenchmarkFrames frame) {
        MqttDecodeBenchmark benchmark = new MqttDecodeBenchmark();
        benchmark.frame = frame;
        benchmark.setUp();
        try {
            for (int i = 0; i < 3; i++) {
                MqttPacket bare = benchmark.thingfluxBare();
                assertThat(bare.type())
                        .isEqualTo(PacketType.valueOf(frame.bytes()[0] >>> 4 & 0x0F));
                assertThat(benchmark.thingfluxChannel()).isEqualTo(bare);
                assertThat(benchmark.nettyChannel().decoderResult().isSuccess()).isTrue();
                assertThat(benchmark.harnessOnly()).isNotNull();
                assertThat(benchmark.thingfluxPipeline()).isEqualTo(bare);
                assertThat(benchmark.nettyPipeline().decoderResult().isSuccess()).isTrue();
                assertThat(benchmark.pipelineHarnessOnly()).isNotNull();
            }
        } finally {
            benchmark.tearDown();
        }
    }

    @ParameterizedTest
    @EnumSource(BenchmarkFrames.class)
    void encodeBenchmarksWriteTheWholeFrameRepeatedlyWithBothCodecs(BenchmarkFrames frame) {
        MqttEncodeBenchmark benchmark = new MqttEncodeBenchmark();
        benchmark.frame = frame;
        benchmark.setUp();
        try {
            int length = frame.bytes().length;
            for (int i = 0; i < 3; i++) {
                assertThat(benchmark.thingfluxBare()).isEqualTo(length);
                assertThat(benchmark.thingfluxChannel()).isEqualTo(length);
                assertThat(benchmark.nettyChannel()).isEqualTo(length);
                assertThat(benchmark.harnessOnly()).isEqualTo(length);
                assertThat(benchmark.thingfluxPipeline()).isEqualTo(length);
                assertThat(benchmark.nettyPipeline()).isEqualTo(length);
                assertThat(benchmark.pipelineHarnessOnly()).isEqualTo(length);
            }
        } finally {
            benchmark.tearDown();
        }
    }

    @ParameterizedTest
    @EnumSource(SignMethod.class)
    void signBenchmarkProducesTheDevicesCredentials(SignMethod method) {
        AliyunSignBenchmark benchmark = new AliyunSignBenchmark();
        benchmark.method = method;
        benchmark.setUp();

        MqttCredentials credentials = benchmark.sign();

        assertThat(credentials.username()).isEqualTo("co_0001&a1wFylTxYeD");
        assertThat(credentials.clientId()).contains("signmethod=" + method.wireName());
        assertThat(credentials.password()).matches("[0-9a-f]+");
    }
}
