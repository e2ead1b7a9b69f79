package io.thingflux.alink.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;
import reactor.test.subscriber.TestSubscriber;
import reactor.test.util.RaceTestUtils;

class PendingRequestsTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final int ROUNDS = 2_000;

    private final VirtualTimeScheduler timer = VirtualTimeScheduler.create();
    private final AtomicInteger sends = new AtomicInteger();
    private final AtomicInteger sendsCancelled = new AtomicInteger();

    @AfterEach
    void disposeTimer() {
        timer.dispose();
    }

    private PendingRequests<String, String> pending(int limit) {
        return new PendingRequests<>(
                limit, TIMEOUT, timer, max -> new IllegalStateException("full"));
    }

    /** A send that never completes, counting subscriptions and cancels. */
    private Mono<Void> send(long id) {
        return Mono.<Void>never()
                .doOnSubscribe(s -> sends.incrementAndGet())
                .doOnCancel(sendsCancelled::incrementAndGet);
    }

    private static Throwable timedOut(long id) {
        return new TimeoutException("id " + id);
    }

    @Test
    void anAnswerSettlesTheRequestWithItsIdAndTagOnly() {
        PendingRequests<String, String> p = pending(4);
        StepVerifier.create(p.request("a", this::send, PendingRequestsTest::timedOut))
                .then(
                        () -> {
                            assertThat(p.complete(1, "b"::equals, "wrong tag")).isFalse();
                            assertThat(p.complete(2, "a"::equals, "wrong id")).isFalse();
                            assertThat(p.size()).isEqualTo(1);
                            assertThat(p.complete(1, "a"::equals, "answer")).isTrue();
                        })
                .expectNext("answer")
                .verifyComplete();
        assertThat(p.size()).isZero();
        assertThat(sendsCancelled).as("an answered request's send is left alone").hasValue(0);
    }

    @Test
    void oneBeyondTheBoundIsRefusedBeforeSending() {
        PendingRequests<String, String> p = pending(2);
        p.request("a", this::send, PendingRequestsTest::timedOut).subscribe();
        p.request("a", this::send, PendingRequestsTest::timedOut).subscribe();
        StepVerifier.create(p.request("a", this::send, PendingRequestsTest::timedOut))
                .expectErrorMessage("full")
                .verify(Duration.ofSeconds(5));
        assertThat(sends).hasValue(2);
    }

    @Test
    void idsWrapToOneAndSkipThoseStillWaiting() {
        PendingRequests<String, String> p = pending(8);
        List<Long> ids = new ArrayList<>();
        p.lastIdForTesting(PendingRequests.MAX_ID - 1);
        for (int i = 0; i < 3; i++) {
            p.request(
                            "a",
                            id -> {
                                ids.add(id);
                                return send(id);
                            },
                            PendingRequestsTest::timedOut)
                    .subscribe();
        }
        p.lastIdForTesting(0);
        p.request(
                        "a",
                        id -> {
                            ids.add(id);
                            return send(id);
                        },
                        PendingRequestsTest::timedOut)
                .subscribe();
        assertThat(ids).containsExactly(PendingRequests.MAX_ID, 1L, 2L, 3L);
    }

    @Test
    void aTimeoutFailsWithTheIdForgetsItAndCancelsTheSend() {
        PendingRequests<String, String> p = pending(4);
        StepVerifier.create(p.request("a", this::send, PendingRequestsTest::timedOut))
                .then(() -> timer.advanceTimeBy(TIMEOUT.minusMillis(1)))
                .then(() -> assertThat(p.size()).isEqualTo(1))
                .then(() -> timer.advanceTimeBy(Duration.ofMillis(1)))
                .expectErrorSatisfies(
                        e -> assertThat(e).isInstanceOf(TimeoutException.class).hasMessage("id 1"))
                .verify(Duration.ofSeconds(5));
        assertThat(p.size()).isZero();
        assertThat(sendsCancelled).hasValue(1);
        assertThat(p.complete(1, t -> true, "late")).isFalse();
    }

    @Test
    void eachRequestTimesOutAtItsOwnDeadlineWithOneTimerForAll() {
        PendingRequests<String, String> p = pending(8);
        TestSubscriber<String> first = TestSubscriber.create();
        TestSubscriber<String> answered = TestSubscriber.create();
        TestSubscriber<String> later = TestSubscriber.create();
        p.request("a", this::send, PendingRequestsTest::timedOut).subscribe(first); // id 1 at 0 s
        timer.advanceTimeBy(Duration.ofSeconds(1));
        p.request("a", this::send, PendingRequestsTest::timedOut).subscribe(answered); // id 2, 1 s
        timer.advanceTimeBy(Duration.ofSeconds(3));
        p.request("a", this::send, PendingRequestsTest::timedOut).subscribe(later); // id 3, 4 s
        assertThat(p.complete(2, "a"::equals, "answer")).isTrue();

        timer.advanceTimeBy(Duration.ofSeconds(6)); // 10 s: the first's deadline
        assertThat(first.expectTerminalError()).hasMessage("id 1");
        assertThat(answered.getReceivedOnNext()).containsExactly("answer");
        assertThat(later.isTerminated()).as("its deadline is 14 s").isFalse();
        timer.advanceTimeBy(Duration.ofMillis(3_999));
        assertThat(later.isTerminated()).isFalse();
        timer.advanceTimeBy(Duration.ofMillis(1));
        assertThat(later.expectTerminalError()).hasMessage("id 3");
        assertThat(p.size()).isZero();
        assertThat(timer.getScheduledTaskCount())
                .as("one timer task armed at 0 s and re-armed at 10 s, not one per request")
                .isEqualTo(2);

        // with nothing waiting the timer is idle; the next request arms it again
        timer.advanceTimeBy(Duration.ofMinutes(1));
        TestSubscriber<String> afterIdle = TestSubscriber.create();
        p.request("a", this::send, PendingRequestsTest::timedOut).subscribe(afterIdle);
        timer.advanceTimeBy(TIMEOUT);
        assertThat(afterIdle.expectTerminalError()).hasMessage("id 4");
    }

    @Test
    void aSendErrorFailsTheRequestAndForgetsIt() {
        PendingRequests<String, String> p = pending(4);
        StepVerifier.create(
                        p.request(
                                "a",
                                id -> Mono.error(new IllegalStateException("link down")),
                                PendingRequestsTest::timedOut))
                .expectErrorMessage("link down")
                .verify(Duration.ofSeconds(5));
        assertThat(p.size()).isZero();
    }

    @Test
    void closeFailsTheWaitingCancelsTheirSendsAndRefusesLaterOnes() {
        PendingRequests<String, String> p = pending(4);
        TestSubscriber<String> waiting = TestSubscriber.create();
        p.request("a", this::send, PendingRequestsTest::timedOut).subscribe(waiting);
        p.close(() -> new IllegalStateException("closed"));
        assertThat(waiting.expectTerminalError()).hasMessage("closed");
        assertThat(sendsCancelled).hasValue(1);
        StepVerifier.create(p.request("a", this::send, PendingRequestsTest::timedOut))
                .expectErrorMessage("closed")
                .verify(Duration.ofSeconds(5));
        assertThat(sends).hasValue(1);
    }

    @Test
    void completeEachSettlesEveryRequestWithAMatchingTag() {
        PendingRequests<String, String> p = pending(4);
        TestSubscriber<String> a1 = TestSubscriber.create();
        TestSubscriber<String> a2 = TestSubscriber.create();
        TestSubscriber<String> b = TestSubscriber.create();
        p.request("a", this::send, PendingRequestsTest::timedOut).subscribe(a1);
        p.request("a", this::send, PendingRequestsTest::timedOut).subscribe(a2);
        p.request("b", this::send, PendingRequestsTest::timedOut).subscribe(b);
        assertThat(p.completeEach("a"::equals, "x")).isEqualTo(2);
        assertThat(a1.getReceivedOnNext()).containsExactly("x");
        assertThat(a2.getReceivedOnNext()).containsExactly("x");
        assertThat(b.isTerminated()).isFalse();
        assertThat(p.size()).isEqualTo(1);
    }

    @Test
    void cancelRacingTheAnswerLeavesNothingWaitingAndSignalsAtMostTheAnswer() {
        for (int i = 0; i < ROUNDS; i++) {
            PendingRequests<String, String> p = pending(4);
            TestSubscriber<String> caller = TestSubscriber.create();
            p.request("a", this::send, PendingRequestsTest::timedOut).subscribe(caller);
            AtomicInteger settled = new AtomicInteger();
            RaceTestUtils.race(
                    caller::cancel,
                    () -> {
                        if (p.complete(1, "a"::equals, "answer")) {
                            settled.incrementAndGet();
                        }
                    });
            assertThat(p.size()).isZero();
            assertThat(caller.getReceivedOnNext()).hasSizeLessThanOrEqualTo(1);
            assertThat(caller.isTerminatedError()).isFalse();
            if (!caller.getReceivedOnNext().isEmpty()) {
                assertThat(settled).hasValue(1);
            }
        }
    }

    @Test
    void timeoutRacingTheAnswerSignalsExactlyOneOfThemAndLeavesNothingWaiting() {
        for (int i = 0; i < ROUNDS; i++) {
            PendingRequests<String, String> p = pending(4);
            TestSubscriber<String> caller = TestSubscriber.create();
            int cancelsBefore = sendsCancelled.get();
            p.request("a", this::send, PendingRequestsTest::timedOut).subscribe(caller);
            AtomicInteger answered = new AtomicInteger();
            RaceTestUtils.race(
                    () -> timer.advanceTimeBy(TIMEOUT),
                    () -> {
                        if (p.complete(1, "a"::equals, "answer")) {
                            answered.incrementAndGet();
                        }
                    });
            assertThat(p.size()).isZero();
            assertThat(caller.isTerminated()).isTrue();
            if (caller.isTerminatedError()) {
                assertThat(caller.expectTerminalError()).isInstanceOf(TimeoutException.class);
                assertThat(caller.getReceivedOnNext()).isEmpty();
                if (answered.get() == 0) {
                    assertThat(sendsCancelled.get() - cancelsBefore)
                            .as("the timed-out send is cancelled")
                            .isEqualTo(1);
                }
            } else {
                assertThat(answered).hasValue(1);
                assertThat(caller.getReceivedOnNext()).containsExactly("answer");
            }
        }
    }

    @Test
    void closeRacingARequestFailsItOrRefusesItAndLeavesNothingWaiting() {
        for (int i = 0; i < ROUNDS; i++) {
            PendingRequests<String, String> p = pending(4);
            TestSubscriber<String> caller = TestSubscriber.create();
            RaceTestUtils.race(
                    () -> p.close(() -> new IllegalStateException("closed")),
                    () ->
                            p.request("a", this::send, PendingRequestsTest::timedOut)
                                    .subscribe(caller));
            assertThat(p.size()).isZero();
            assertThat(caller.expectTerminalError()).hasMessage("closed");
        }
    }
}
