package io.thingflux.spring;

import java.time.Duration;
import java.util.List;
import org.springframework.context.SmartLifecycle;
import reactor.core.publisher.Flux;

/**
 * Starts the starter's connections without waiting for them when the context starts, and ends them
 * gracefully when it stops: in-flight QoS 1 publishes and pending requests get up to the shutdown
 * timeout to finish (what is left is logged), then DISCONNECT goes out; the client resources are
 * disposed after that, with the beans. It stops after the web server (a lower phase), so requests
 * still being answered can finish their publishes.
 */
public final class ThingfluxLifecycle implements SmartLifecycle {

    /** Below the web server's graceful-shutdown and start-stop phases. */
    public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;

    private final List<ThingfluxConnection> connections;
    private final Duration shutdownTimeout;
    private volatile boolean running;
    private volatile boolean stopping;

    public ThingfluxLifecycle(List<ThingfluxConnection> connections, Duration shutdownTimeout) {
        this.connections = List.copyOf(connections);
        this.shutdownTimeout = shutdownTimeout;
    }

    @Override
    public void start() {
        running = true;
        connections.forEach(ThingfluxConnection::start);
    }

    @Override
    public void stop(Runnable callback) {
        stopping = true;
        Flux.fromIterable(connections)
                .flatMap(c -> c.shutdown(shutdownTimeout))
                .then()
                .doFinally(
                        s -> {
                            running = false;
                            callback.run();
                        })
                .subscribe();
    }

    @Override
    public void stop() {
        stopping = true;
        Flux.fromIterable(connections)
                .flatMap(c -> c.shutdown(shutdownTimeout))
                .then()
                .block(shutdownTimeout.plusSeconds(5));
        running = false;
    }

    /** Whether shutdown has begun. */
    boolean isStopping() {
        return stopping;
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }
}
