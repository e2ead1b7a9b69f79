package io.thingflux.alink.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;
import reactor.test.subscriber.TestSubscriber;
import reactor.test.util.RaceTestUtils;

class MessageBufferTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final int ROUNDS = 2_000;

    @Test
    void holdsExactlyItsCapacityUntilSomebodyReads() {
        MessageBuffer<Integer> buffer = new MessageBuffer<>(3);
        assertThat(buffer.offer(1)).isEqualTo(MessageBuffer.Offer.TAKEN);
        assertThat(buffer.offer(2)).isEqualTo(MessageBuffer.Offer.TAKEN);
        assertThat(buffer.offer(3)).isEqualTo(MessageBuffer.Offer.TAKEN);
        assertThat(buffer.offer(4)).isEqualTo(MessageBuffer.Offer.FULL);
        StepVerifier.create(buffer, 2)
                .expectNext(1, 2)
                .then(() -> assertThat(buffer.offer(5)).isEqualTo(MessageBuffer.Offer.TAKEN))
                .thenRequest(2)
                .expectNext(3, 5)
                .thenCancel()
                .verify(WAIT);
        assertThat(buffer.hasSubscribers()).isFalse();
        assertThatThrownBy(() -> new MessageBuffer<>(0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void everySubscriberGetsEachMessageAtThePaceOfTheSlowest() {
        MessageBuffer<Integer> buffer = new MessageBuffer<>(8);
        TestSubscriber<Integer> fast = TestSubscriber.builder().initialRequestUnbounded().build();
        TestSubscriber<Integer> slow = TestSubscriber.builder().initialRequest(1).build();
        buffer.subscribe(fast);
        buffer.subscribe(slow);
        assertThat(buffer.hasSubscribers()).isTrue();
        buffer.offer(1);
        buffer.offer(2);
        buffer.offer(3);
        assertThat(fast.getReceivedOnNext()).containsExactly(1);
        assertThat(slow.getReceivedOnNext()).containsExactly(1);
        slow.request(1);
        assertThat(fast.getReceivedOnNext()).containsExactly(1, 2);
        slow.cancel(); // the slow one leaves: the other is no longer held back
        assertThat(fast.getReceivedOnNext()).containsExactly(1, 2, 3);
        assertThat(slow.getReceivedOnNext()).containsExactly(1, 2);
    }

    @Test
    void completionComesAfterWhatWaitsAlsoForLateSubscribers() {
        MessageBuffer<Integer> buffer = new MessageBuffer<>(8);
        buffer.offer(1);
        buffer.complete();
        assertThat(buffer.offer(2)).isEqualTo(MessageBuffer.Offer.TERMINATED);
        StepVerifier.create(buffer).expectNext(1).verifyComplete();
        StepVerifier.create(buffer).verifyComplete();
    }

    @Test
    void twoProducersAndAnAsynchronousReaderLoseAndRepeatNothing() {
        MessageBuffer<Integer> buffer = new MessageBuffer<>(100_000);
        int each = 20_000;
        StepVerifier.create(
                        buffer.publishOn(Schedulers.parallel(), 1)
                                .take(2L * each)
                                .distinct()
                                .count())
                .then(
                        () ->
                                RaceTestUtils.race(
                                        () -> offerRange(buffer, 0, each),
                                        () -> offerRange(buffer, each, each)))
                .expectNext(2L * each)
                .expectComplete()
                .verify(WAIT);
    }

    @Test
    void offerRacingRequestDeliversInOrderWithinTheDemand() {
        for (int round = 0; round < ROUNDS; round++) {
            MessageBuffer<Integer> buffer = new MessageBuffer<>(16);
            TestSubscriber<Integer> reader = TestSubscriber.builder().initialRequest(2).build();
            buffer.subscribe(reader);
            buffer.offer(0);
            RaceTestUtils.race(() -> offerRange(buffer, 1, 4), () -> reader.request(2));
            assertThat(reader.getReceivedOnNext()).containsExactly(0, 1, 2, 3);
        }
    }

    @Test
    void cancelRacingOfferLeavesTheOtherSubscriberEveryMessage() {
        for (int round = 0; round < ROUNDS; round++) {
            MessageBuffer<Integer> buffer = new MessageBuffer<>(16);
            TestSubscriber<Integer> stays = TestSubscriber.create();
            TestSubscriber<Integer> leaves = TestSubscriber.builder().initialRequest(1).build();
            buffer.subscribe(stays);
            buffer.subscribe(leaves);
            RaceTestUtils.race(() -> offerRange(buffer, 0, 4), leaves::cancel);
            assertThat(stays.getReceivedOnNext())
                    .as("the one that stays is no longer held back by the one that left")
                    .containsExactly(0, 1, 2, 3);
            assertThat(leaves.getReceivedOnNext().size()).isLessThanOrEqualTo(1);
            assertThat(buffer.hasSubscribers()).isTrue();
        }
    }

    @Test
    void completeRacingOfferEndsEveryReaderAfterWhatWasTaken() {
        for (int round = 0; round < ROUNDS; round++) {
            MessageBuffer<Integer> buffer = new MessageBuffer<>(16);
            TestSubscriber<Integer> reader = TestSubscriber.create();
            buffer.subscribe(reader);
            List<Integer> taken = new ArrayList<>();
            RaceTestUtils.race(
                    () -> {
                        for (int i = 0; i < 4; i++) {
                            if (buffer.offer(i) == MessageBuffer.Offer.TAKEN) {
                                taken.add(i);
                            }
                        }
                    },
                    buffer::complete);
            assertThat(reader.isTerminatedComplete()).isTrue();
            assertThat(reader.getReceivedOnNext()).isEqualTo(taken);
        }
    }

    @Test
    void subscribeRacingOfferNeverRepeatsOrReordersAndNothingTakenIsLost() {
        for (int round = 0; round < ROUNDS; round++) {
            MessageBuffer<Integer> buffer = new MessageBuffer<>(16);
            TestSubscriber<Integer> reader = TestSubscriber.create();
            AtomicInteger refused = new AtomicInteger();
            RaceTestUtils.race(
                    () -> {
                        for (int i = 0; i < 4; i++) {
                            if (buffer.offer(i) != MessageBuffer.Offer.TAKEN) {
                                refused.incrementAndGet();
                            }
                        }
                    },
                    () -> buffer.subscribe(reader));
            assertThat(refused).hasValue(0);
            assertThat(reader.getReceivedOnNext())
                    .as("what waited before the first subscriber is kept for it")
                    .containsExactly(0, 1, 2, 3);
        }
    }

    private static void offerRange(MessageBuffer<Integer> buffer, int from, int count) {
        for (int i = from; i < from + count; i++) {
            buffer.offer(i);
        }
    }
}
