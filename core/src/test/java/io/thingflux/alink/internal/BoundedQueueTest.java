package io.thingflux.alink.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import reactor.test.util.RaceTestUtils;

class BoundedQueueTest {

    @Test
    void holdsAtMostItsCapacityInOrder() {
        BoundedQueue<Integer> q = new BoundedQueue<>(3);
        assertThat(q.offer(1)).isTrue();
        assertThat(q.offer(2)).isTrue();
        assertThat(q.offer(3)).isTrue();
        assertThat(q.offer(4)).as("one beyond the capacity").isFalse();
        assertThat(q.size()).isEqualTo(3);
        assertThat(q.poll()).isEqualTo(1);
        assertThat(q.offer(5)).as("room again after a poll").isTrue();
        assertThat(List.of(q.poll(), q.poll(), q.poll())).containsExactly(2, 3, 5);
        assertThat(q.poll()).isNull();
        assertThat(q.isEmpty()).isTrue();
        assertThat(q.size()).isZero();
    }

    @Test
    void clearKeepsTheCount() {
        BoundedQueue<Integer> q = new BoundedQueue<>(2);
        q.offer(1);
        q.offer(2);
        q.clear();
        assertThat(q.size()).isZero();
        assertThat(q.offer(3)).isTrue();
        assertThat(q.offer(4)).isTrue();
        assertThat(q.offer(5)).isFalse();
    }

    @Test
    void aCapacityBelowOneIsRefused() {
        assertThatThrownBy(() -> new BoundedQueue<>(0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /**
     * One producer and one consumer at once, as a unicast sink uses it: nothing lost, nothing
     * reordered, bound kept.
     */
    @Test
    void aProducerAndAConsumerRacingLoseNothingAndKeepTheBound() {
        for (int round = 0; round < 200; round++) {
            int capacity = 1 + round % 16;
            BoundedQueue<Integer> q = new BoundedQueue<>(capacity);
            List<Integer> offered = new ArrayList<>();
            List<Integer> polled = new ArrayList<>();
            int[] maxSeen = {0};
            RaceTestUtils.race(
                    () -> {
                        for (int i = 0; i < 2_000; i++) {
                            if (q.offer(i)) {
                                offered.add(i);
                            }
                            maxSeen[0] = Math.max(maxSeen[0], q.size());
                        }
                    },
                    () -> {
                        for (int i = 0; i < 2_000; i++) {
                            Integer e = q.poll();
                            if (e != null) {
                                polled.add(e);
                            }
                        }
                    });
            for (Integer e = q.poll(); e != null; e = q.poll()) {
                polled.add(e);
            }
            assertThat(polled).as("round %d", round).isEqualTo(offered);
            assertThat(maxSeen[0]).as("round %d", round).isLessThanOrEqualTo(capacity);
            assertThat(q.size()).isZero();
        }
    }
}
