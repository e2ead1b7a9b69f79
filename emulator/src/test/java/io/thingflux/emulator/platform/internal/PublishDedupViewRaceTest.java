package io.thingflux.emulator.platform.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.thingflux.emulator.platform.DistinctPublish;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import reactor.test.util.RaceTestUtils;

/**
 * The dedup view fed from two event loops at once: no arrival is lost and one message is never
 * counted as two, and a query racing the writers sees a consistent snapshot.
 */
class PublishDedupViewRaceTest {

    private static final int ROUNDS = 2_000;

    @Test
    void concurrentArrivalsOfOneMessageAreCountedOnceEach() {
        PublishDedupView view = new PublishDedupView(ROUNDS * 2);
        for (int i = 0; i < ROUNDS; i++) {
            // two copies of the same bytes, as two connections would deliver them
            byte[] a = ("{\"id\":\"" + i + "\"}").getBytes(StandardCharsets.UTF_8);
            byte[] b = a.clone();
            int round = i;
            RaceTestUtils.race(
                    () -> view.record("pk", "dn", "t", a, false),
                    () -> view.record("pk", "dn", "t", b, true),
                    () -> {
                        List<DistinctPublish> seen = view.of("pk", "dn");
                        assertThat(seen.size()).isBetween(round, round + 1);
                    });
        }
        List<DistinctPublish> all = view.of("pk", "dn");
        assertThat(all).hasSize(ROUNDS);
        assertThat(all)
                .allSatisfy(
                        p -> {
                            assertThat(p.arrivals()).isEqualTo(2);
                            assertThat(p.dupArrivals()).isEqualTo(1);
                        });
        assertThat(all.get(ROUNDS - 1).alinkId()).isEqualTo(Integer.toString(ROUNDS - 1));
    }
}
