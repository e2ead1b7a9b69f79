package io.thingflux.netty.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.thingflux.netty.client.MqttClientResources;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * How long the well-behaved device's round trips take while the broker is abused, on the wall
 * clock: the {@link BrokerAbuseTest#abuse} scenario, which also forces full collections to measure
 * the heap. A round trip that a stop-the-world collection fell into is left out (it measures the
 * collector, not the broker); of the rest, the {@value #PERCENTILE}th percentile must stay under
 * {@value #ROUND_TRIP_LIMIT_MILLIS} ms.
 */
class BrokerAbuseIT {

    private static final long ROUND_TRIP_LIMIT_MILLIS = 3_000;
    private static final double PERCENTILE = 95;
    private static final int MIN_SAMPLES = 20;

    @Test
    void aWellBehavedDeviceIsServedPromptlyWhileTheBrokerIsAbused() throws Exception {
        MqttClientResources resources = MqttClientResources.create(1);
        BrokerAbuseTest.AbuseRun run;
        try {
            run = BrokerAbuseTest.abuse(resources);
        } finally {
            resources.disposeLater().block(Duration.ofSeconds(10));
        }
        List<Long> kept =
                run.echoes().stream()
                        .filter(e -> !e.overlappedGc())
                        .map(e -> TimeUnit.NANOSECONDS.toMillis(e.roundTripNanos()))
                        .sorted()
                        .toList();
        long all = run.echoes().size();
        long p95 = GcPauses.percentile(kept, PERCENTILE);
        System.out.printf(
                "abuse: %d echoes, %d without a GC pause in them: p50 %d ms, p%.0f %d ms, max %d ms%n",
                all,
                kept.size(),
                GcPauses.percentile(kept, 50),
                PERCENTILE,
                p95,
                kept.get(kept.size() - 1));
        assertThat(kept)
                .as("round trips without a GC pause in them")
                .hasSizeGreaterThanOrEqualTo(MIN_SAMPLES);
        assertThat(p95).as("p%.0f round trip, ms", PERCENTILE).isLessThan(ROUND_TRIP_LIMIT_MILLIS);
    }
}
