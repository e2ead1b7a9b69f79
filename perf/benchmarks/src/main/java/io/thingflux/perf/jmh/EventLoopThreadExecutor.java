package io.thingflux.perf.jmh;

import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Runs JMH's benchmark threads as Netty {@link io.netty.util.concurrent.FastThreadLocalThread}s,
 * like the event-loop threads a codec runs on in production.
 *
 * <p>It matters for what is measured: on other threads Netty skips its thread-local caches (for
 * example {@code ByteBufUtil}'s temporary array for decoding a string out of a direct buffer, and
 * the recyclers), so both codecs would allocate more per operation than they do on an event loop.
 * Selected with {@code -Djmh.executor=CUSTOM
 * -Djmh.executor.class=io.thingflux.perf.jmh.EventLoopThreadExecutor}, which the codec benchmarks
 * put in their forks' JVM arguments.
 */
public final class EventLoopThreadExecutor extends ThreadPoolExecutor {

    /** The JVM arguments that make JMH use this executor in a forked benchmark JVM. */
    public static final String JMH_EXECUTOR = "-Djmh.executor=CUSTOM";

    public static final String JMH_EXECUTOR_CLASS =
            "-Djmh.executor.class=io.thingflux.perf.jmh.EventLoopThreadExecutor";

    /** The constructor JMH calls reflectively for {@code jmh.executor=CUSTOM}. */
    public EventLoopThreadExecutor(int maxThreads, String prefix) {
        super(
                maxThreads,
                maxThreads,
                1,
                TimeUnit.MINUTES,
                new LinkedBlockingQueue<>(),
                new DefaultThreadFactory(prefix, true));
    }
}
