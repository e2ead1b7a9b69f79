package io.thingflux.perf.jmh;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.concurrent.FastThreadLocalThread;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class EventLoopThreadExecutorTest {

    @Test
    void runsTasksOnNamedFastThreadLocalThreadsLikeAnEventLoop() throws Exception {
        EventLoopThreadExecutor executor = new EventLoopThreadExecutor(2, "jmh-worker");
        try {
            Thread worker = executor.submit(Thread::currentThread).get(30, TimeUnit.SECONDS);
            boolean fastThreadLocal =
                    executor.submit(FastThreadLocalThread::currentThreadHasFastThreadLocal)
                            .get(30, TimeUnit.SECONDS);

            assertThat(worker).isInstanceOf(FastThreadLocalThread.class);
            assertThat(worker.getName()).startsWith("jmh-worker");
            assertThat(worker.isDaemon()).isTrue();
            assertThat(fastThreadLocal).isTrue();
        } finally {
            executor.shutdownNow();
        }
    }
}
