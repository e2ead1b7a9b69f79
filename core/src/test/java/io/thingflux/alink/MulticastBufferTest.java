package io.thingflux.alink;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.Test;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;
import reactor.test.subscriber.TestSubscriber;

class MulticastBufferTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    @Test
    void holdsExactlyItsCapacityUntilSomebodyReads() {
        MulticastBuffer<Integer> buffer = new MulticastBuffer<>(3);
        assertThat(buffer.offer(1)).isEqualTo(MulticastBuffer.Offer.TAKEN);
        assertThat(buffer.offer(2)).isEqualTo(MulticastBuffer.Offer.TAKEN);
        assertThat(buffer.offer(3)).isEqualTo(MulticastBuffer.Offer.TAKEN);
        assertThat(buffer.offer(4)).isEqualTo(MulticastBuffer.Offer.FULL);
        StepVerifier.create(buffer, 2)
                .expectNext(1, 2)
                .then(() -> assertThat(buffer.offer(5)).isEqualTo(MulticastBuffer.Offer.TAKEN))
                .thenRequest(2)
                .expectNext(3, 5)
                .thenCancel()
                .verify(WAIT);
    }

    @Test
    void everySubscriberGetsEachMessageAtThePaceOfTheSlowest() {
        MulticastBuffer<Integer> buffer = new MulticastBuffer<>(8);
        TestSubscriber<Integer> fast = TestSubscriber.builder().initialRequestUnbounded().build();
        TestSubscriber<Integer> slow = TestSubscriber.builder().initialRequest(1).build();
        buffer.subscribe(fast);
        buffer.subscribe(slow);
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
        MulticastBuffer<Integer> buffer = new MulticastBuffer<>(8);
        buffer.offer(1);
        buffer.complete();
        assertThat(buffer.offer(2)).isEqualTo(MulticastBuffer.Offer.TERMINATED);
        StepVerifier.create(buffer).expectNext(1).verifyComplete();
        StepVerifier.create(buffer).verifyComplete();
    }

    @Test
    void withASchedulerEverySignalButOnSubscribeComesFromTheDrainOnIt() {
        List<Runnable> handedOff = new ArrayList<>();
        MulticastBuffer<Integer> buffer = new MulticastBuffer<>(8, new SerialDelivery(Schedulers.fromExecutor(handedOff::add)));
        TestSubscriber<Integer> a = TestSubscriber.builder().initialRequestUnbounded().build();
        TestSubscriber<Integer> b = TestSubscriber.builder().initialRequest(1).build();
        buffer.subscribe(a);
        buffer.subscribe(b);
        buffer.offer(1);
        buffer.offer(2);
        assertThat(a.getReceivedOnNext()).isEmpty();
        assertThat(handedOff).as("one drain for the burst").hasSize(1);
        handedOff.remove(0).run();
        assertThat(a.getReceivedOnNext()).containsExactly(1);
        assertThat(b.getReceivedOnNext()).containsExactly(1);
        b.request(5);
        buffer.complete();
        assertThat(b.getReceivedOnNext()).containsExactly(1);
        handedOff.remove(0).run();
        assertThat(handedOff).isEmpty();
        assertThat(a.getReceivedOnNext()).containsExactly(1, 2);
        assertThat(b.getReceivedOnNext()).containsExactly(1, 2);
        assertThat(a.isTerminatedComplete()).isTrue();
        assertThat(b.isTerminatedComplete()).isTrue();
    }

    @Test
    void aDisposedSchedulerHasTheCallerDrain() {
        MulticastBuffer<Integer> buffer = new MulticastBuffer<>(8, new SerialDelivery(Schedulers.fromExecutor(r -> {
            throw new RejectedExecutionException("disposed");
        })));
        TestSubscriber<Integer> a = TestSubscriber.builder().initialRequestUnbounded().build();
        buffer.subscribe(a);
        buffer.offer(1);
        buffer.complete();
        assertThat(a.getReceivedOnNext()).containsExactly(1);
        assertThat(a.isTerminatedComplete()).isTrue();
    }

    @Test
    void twoProducersAndAReaderOnTheBuffersOwnSchedulerLoseAndRepeatNothing() {
        MulticastBuffer<Integer> buffer = new MulticastBuffer<>(100_000, new SerialDelivery(Schedulers.parallel()));
        int each = 20_000;
        StepVerifier.create(buffer.take(2L * each).distinct().count())
                .then(() -> offerFromTwoThreads(buffer, each))
                .expectNext(2L * each)
                .expectComplete()
                .verify(Duration.ofSeconds(30));
    }

    @Test
    void twoProducersAndAnAsynchronousReaderLoseAndRepeatNothing() {
        MulticastBuffer<Integer> buffer = new MulticastBuffer<>(100_000);
        int each = 20_000;
        StepVerifier.create(buffer.publishOn(Schedulers.parallel(), 1).take(2L * each).distinct().count())
                .then(() -> offerFromTwoThreads(buffer, each))
                .expectNext(2L * each)
                .expectComplete()
                .verify(Duration.ofSeconds(30));
    }

    /** Offers 0 .. each-1 from one thread and each .. 2*each-1 from another, and waits for both. */
    private static void offerFromTwoThreads(MulticastBuffer<Integer> buffer, int each) {
        CompletableFuture<Void> a = CompletableFuture.runAsync(() -> {
            for (int i = 0; i < each; i++) {
                buffer.offer(i);
            }
        });
        CompletableFuture<Void> b = CompletableFuture.runAsync(() -> {
            for (int i = 0; i < each; i++) {
                buffer.offer(each + i);
            }
        });
        CompletableFuture.allOf(a, b).join();
    }
}
