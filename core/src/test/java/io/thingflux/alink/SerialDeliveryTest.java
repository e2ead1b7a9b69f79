package io.thingflux.alink;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.Test;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

class SerialDeliveryTest {

    private static SerialDelivery.Task task(Runnable r) {
        return new SerialDelivery.Task() {
            @Override
            public void run() {
                r.run();
            }
        };
    }

    @Test
    void aTaskExecutedAgainWhileItWaitsIsQueuedOnceAndCanBeQueuedAgainAfterItRan() {
        List<Runnable> handedOff = new ArrayList<>();
        SerialDelivery delivery = new SerialDelivery(Schedulers.fromExecutor(handedOff::add));
        List<String> ran = new ArrayList<>();
        SerialDelivery.Task a = task(() -> ran.add("a"));
        delivery.execute(a);
        delivery.execute(task(() -> ran.add("b")));
        delivery.execute(a);
        handedOff.remove(0).run();
        assertThat(ran).containsExactly("a", "b");
        delivery.execute(a);
        handedOff.remove(0).run();
        assertThat(ran).containsExactly("a", "b", "a");
    }

    @Test
    void aBurstIsOneHandOffAndRunsInOrder() {
        List<Runnable> handedOff = new ArrayList<>();
        SerialDelivery delivery = new SerialDelivery(Schedulers.fromExecutor(handedOff::add));
        List<Integer> ran = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            int n = i;
            delivery.execute(task(() -> ran.add(n)));
        }
        assertThat(handedOff).hasSize(1);
        assertThat(ran).isEmpty();
        handedOff.remove(0).run();
        assertThat(ran).containsExactly(0, 1, 2);
        delivery.execute(task(() -> ran.add(3))); // idle again: a new hand-off
        assertThat(handedOff).hasSize(1);
        handedOff.remove(0).run();
        assertThat(ran).containsExactly(0, 1, 2, 3);
    }

    @Test
    void tasksFromSeveralThreadsEachRunOnceInTheOrderEachThreadSubmittedThem() throws Exception {
        SerialDelivery delivery = new SerialDelivery(Schedulers.parallel());
        int producers = 4;
        int each = 20_000;
        int[] lastSeen = new int[producers];
        java.util.Arrays.fill(lastSeen, -1);
        java.util.concurrent.atomic.AtomicInteger ran = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicReference<String> problem = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(producers * each);
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            int producer = p;
            threads.add(new Thread(() -> {
                for (int i = 0; i < each; i++) {
                    int n = i;
                    delivery.execute(task(() -> {
                        // runs one at a time: plain fields are safe here
                        if (lastSeen[producer] != n - 1) {
                            problem.compareAndSet(null, "producer " + producer + ": " + n + " after " + lastSeen[producer]);
                        }
                        lastSeen[producer] = n;
                        ran.incrementAndGet();
                        done.countDown();
                    }));
                }
            }));
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join();
        }
        assertThat(done.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(problem.get()).isNull();
        assertThat(ran.get()).isEqualTo(producers * each);
    }

    @Test
    void aThrowingTaskDoesNotStopTheOthers() {
        List<Runnable> handedOff = new ArrayList<>();
        SerialDelivery delivery = new SerialDelivery(Schedulers.fromExecutor(handedOff::add));
        List<String> ran = new ArrayList<>();
        delivery.execute(task(() -> {
            throw new IllegalStateException("subscriber bug");
        }));
        delivery.execute(task(() -> ran.add("after")));
        handedOff.remove(0).run();
        assertThat(ran).containsExactly("after");
    }

    @Test
    void aDisposedSchedulerRunsTheTaskOnTheCaller() {
        Scheduler disposed = Schedulers.fromExecutor(r -> {
            throw new RejectedExecutionException("disposed");
        });
        SerialDelivery delivery = new SerialDelivery(disposed);
        List<String> ran = new ArrayList<>();
        delivery.execute(task(() -> ran.add("answer")));
        assertThat(ran).containsExactly("answer");
        delivery.execute(task(() -> ran.add("next")));
        assertThat(ran).containsExactly("answer", "next");
    }
}
