package io.thingflux.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ReconnectPolicyTest {

    @Test
    void delaysDoubleFromTheInitialDelayUpToTheMaximum() {
        ReconnectPolicy p = ReconnectPolicy.exponential().withJitter(0);
        assertThat(p.delay(1, 0.5)).isEqualTo(Duration.ofSeconds(1));
        assertThat(p.delay(2, 0.5)).isEqualTo(Duration.ofSeconds(2));
        assertThat(p.delay(5, 0.5)).isEqualTo(Duration.ofSeconds(16));
        assertThat(p.delay(8, 0.5)).isEqualTo(Duration.ofMinutes(2));
        assertThat(p.delay(10_000, 0.5)).isEqualTo(Duration.ofMinutes(2));
    }

    @Test
    void jitterSpreadsEachDelayWithinItsBounds() {
        ReconnectPolicy p = ReconnectPolicy.exponential(); // ±25 %
        assertThat(p.delay(3, 0.0)).isEqualTo(Duration.ofMillis(3_000));
        assertThat(p.delay(3, 0.5)).isEqualTo(Duration.ofMillis(4_000));
        assertThat(p.delay(3, 0.999_999))
                .isBetween(Duration.ofMillis(4_999), Duration.ofMillis(5_000));
        for (int i = 0; i < 1_000; i++) {
            assertThat(p.delay(3)).isBetween(Duration.ofMillis(3_000), Duration.ofMillis(5_000));
        }
    }

    @Test
    void attemptsAreLimitedByMaxAttempts() {
        assertThat(ReconnectPolicy.none().allows(1)).isFalse();
        ReconnectPolicy three = ReconnectPolicy.exponential().withMaxAttempts(3);
        assertThat(three.allows(3)).isTrue();
        assertThat(three.allows(4)).isFalse();
        assertThat(ReconnectPolicy.exponential().allows(1_000_000)).isTrue();
    }

    @Test
    void inconsistentBoundsAreRejected() {
        assertThatThrownBy(
                        () ->
                                ReconnectPolicy.exponential()
                                        .withDelays(Duration.ofSeconds(5), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ReconnectPolicy.exponential().withJitter(1.5))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
