package io.thingflux.perf.jmh;

import static org.assertj.core.api.Assertions.assertThat;

import io.thingflux.netty.testing.SeedFrames;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class BenchmarkFramesTest {

    @ParameterizedTest
    @EnumSource(BenchmarkFrames.class)
    void benchmarkFrameIsTheSeedFrameOfTheVectorsFile(BenchmarkFrames frame) {
        assertThat(frame.bytes()).isEqualTo(SeedFrames.bytes(frame.vectorName()));
    }
}
