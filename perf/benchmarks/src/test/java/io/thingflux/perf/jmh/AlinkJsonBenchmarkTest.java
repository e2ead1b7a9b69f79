package io.thingflux.perf.jmh;

import static org.assertj.core.api.Assertions.assertThat;

import io.thingflux.alink.ThingMessage;
import io.thingflux.netty.testing.SeedFrames;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/**
 * The Alink JSON benchmarks run on the seed payload and do what they claim (their setUp checks
 * every output).
 */
class AlinkJsonBenchmarkTest {

    @Test
    void propertySetPayloadIsTheSeedVectorsAndEveryBenchmarkMethodProducesItsResult()
            throws IOException {
        String vectors =
                Files.readString(
                        SeedFrames.vectorsDir().resolve("mqtt-frames.txt"), StandardCharsets.UTF_8);
        assertThat(vectors).contains("payload " + AlinkJsonBenchmark.PROPERTY_SET);

        AlinkJsonBenchmark benchmark = new AlinkJsonBenchmark();
        benchmark.setUp();
        for (int i = 0; i < 3; i++) {
            assertThat(benchmark.decodePropertySet().method())
                    .isEqualTo("thing.service.property.set");
            assertThat(benchmark.decodePropertySetMessage())
                    .isInstanceOf(ThingMessage.PropertySet.class);
            assertThat(benchmark.encodePropertyPost()).isNotEmpty();
            assertThat(benchmark.decodeReply().isSuccess()).isTrue();
            assertThat(benchmark.encodeReply()).isNotEmpty();
        }
    }
}
