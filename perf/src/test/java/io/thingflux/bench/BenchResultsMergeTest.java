package io.thingflux.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class BenchResultsMergeTest {

    @Test
    void mergingTwoShardsAddsCountsAndRatesAndTakesExactPercentilesFromTheMergedHistograms() {
        // shard 0 answered in 1..1000 ms, shard 1 in 1001..2000 ms: the merged median is ~1000 ms,
        // which neither shard's own percentiles could give
        Histogram fast = BenchResultJsonTest.histogram(1_000, 1_000_000, 1_000);
        Histogram slow = BenchResultJsonTest.histogram(1_001_000, 2_000_000, 1_000);
        BenchResult a =
                new BenchResult(
                        "thingflux",
                        50,
                        50,
                        0,
                        100,
                        BenchResultJsonTest.histogram(1_000, 1_000, 1),
                        500,
                        500,
                        50,
                        2,
                        fast,
                        5,
                        5,
                        BenchResultJsonTest.histogram(3_000, 3_000, 1),
                        Map.of("reply_timeout", 1L),
                        2_000,
                        10.0);
        BenchResult b =
                new BenchResult(
                        "thingflux",
                        50,
                        48,
                        2,
                        80,
                        BenchResultJsonTest.histogram(9_000, 9_000, 1),
                        480,
                        470,
                        47,
                        3,
                        slow,
                        4,
                        3,
                        BenchResultJsonTest.histogram(5_000, 5_000, 1),
                        Map.of("reply_timeout", 2L, "connect_mqtt_connect", 2L),
                        3_000,
                        11.0);

        BenchResult m = BenchResults.merge(List.of(a, b));

        assertThat(m.client()).isEqualTo("thingflux");
        assertThat(m.requested()).isEqualTo(100);
        assertThat(m.connected()).isEqualTo(98);
        assertThat(m.failed()).isEqualTo(2);
        assertThat(m.connectPerSecond()).isEqualTo(180);
        assertThat(m.sent()).isEqualTo(980);
        assertThat(m.acked()).isEqualTo(970);
        assertThat(m.publishPerSecond()).isEqualTo(97);
        assertThat(m.overruns()).isEqualTo(5);
        assertThat(m.downlinkSent()).isEqualTo(9);
        assertThat(m.downlinkReceived()).isEqualTo(8);
        assertThat(m.errors())
                .containsExactlyInAnyOrderEntriesOf(
                        Map.of("reply_timeout", 3L, "connect_mqtt_connect", 2L));
        assertThat(m.durationSeconds()).isEqualTo(11.0);
        assertThat(m.heapUsedBytesPerDevice())
                .isEqualTo(Math.round((2_000.0 * 50 + 3_000.0 * 48) / 98));

        assertThat(m.publishLatency().getTotalCount()).isEqualTo(2_000);
        assertThat(BenchResultJson.millis(m.publishLatency(), "p50")).isCloseTo(1000, within(2.0));
        assertThat(BenchResultJson.millis(m.publishLatency(), "p99")).isCloseTo(1980, within(3.0));
        assertThat(BenchResultJson.millis(m.publishLatency(), "max")).isCloseTo(2000, within(3.0));
        assertThat(BenchResultJson.millis(m.connectLatency(), "max")).isCloseTo(9, within(0.01));
        assertThat(BenchResultJson.millis(m.downlinkLatency(), "p50")).isCloseTo(3, within(0.01));
    }

    @Test
    void shardsOfDifferentClientsMergeAsMixed() {
        BenchResult a =
                BenchResultJsonTest.sample("thingflux", 1, BenchMetrics.newHistogram(), Map.of());
        BenchResult b =
                BenchResultJsonTest.sample("hivemq", 1, BenchMetrics.newHistogram(), Map.of());
        assertThat(BenchResults.merge(List.of(a, b)).client()).isEqualTo("mixed");
    }
}
