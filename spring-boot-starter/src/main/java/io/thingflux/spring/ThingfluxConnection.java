package io.thingflux.spring;

import io.thingflux.link.ConnectRefusedException;
import io.thingflux.link.LinkState;
import io.thingflux.netty.client.MqttClient;
import io.thingflux.netty.client.MqttClientMetrics;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * One connection the starter made ({@code "mqtt"} for the {@link MqttClient} of {@code
 * thingflux.mqtt.*}, {@code "aliyun"} for the device of {@code thingflux.aliyun.*}): it connects in
 * the background when the application starts, tells the health indicator how it stands and, on
 * shutdown, lets in-flight QoS 1 publishes and pending requests finish (up to a timeout) before it
 * sends DISCONNECT.
 */
public final class ThingfluxConnection {

    private static final Logger log = LoggerFactory.getLogger(ThingfluxConnection.class);

    /** How often shutdown looks whether the in-flight publishes and requests are done. */
    private static final Duration DRAIN_POLL = Duration.ofMillis(20);

    private final String name;
    private final String target;
    private final MqttClient client;
    private final Supplier<Mono<Void>> connect;
    private final Supplier<Mono<Void>> disconnect;
    private final IntSupplier pendingRequests;
    private final ClientSignals signals;

    private volatile boolean ready;
    private volatile Throwable lastError;
    private volatile Disposable connecting;

    /**
     * A connection over {@code client}: {@code connect} makes it ready (for a device: connected and
     * subscribed), {@code disconnect} ends it, {@code pendingRequests} counts requests awaiting a
     * reply, {@code signals} is the metrics wrapper given to the client's options.
     */
    ThingfluxConnection(
            String name,
            String target,
            MqttClient client,
            Supplier<Mono<Void>> connect,
            Supplier<Mono<Void>> disconnect,
            IntSupplier pendingRequests,
            ClientSignals signals) {
        this.name = Objects.requireNonNull(name, "name");
        this.target = target;
        this.client = Objects.requireNonNull(client, "client");
        this.connect = connect;
        this.disconnect = disconnect;
        this.pendingRequests = pendingRequests;
        this.signals = signals;
    }

    /** {@code "mqtt"} or {@code "aliyun"}. */
    public String name() {
        return name;
    }

    /** {@code host:port}. */
    public String target() {
        return target;
    }

    /** The client underneath. */
    public MqttClient client() {
        return client;
    }

    /** The link's state. */
    public LinkState state() {
        return client.state();
    }

    /** The link's state, then every change, until CLOSED. */
    public Flux<LinkState> states() {
        return client.states();
    }

    /**
     * Whether the connection was ready once (for a device: connected and its subscriptions
     * acknowledged).
     */
    public boolean isReady() {
        return ready;
    }

    /** Why the last connect failed for good (e.g. a {@link ConnectRefusedException}), or null. */
    public Throwable lastError() {
        return lastError;
    }

    /**
     * Why the latest connect attempt failed (a {@link ConnectRefusedException} with its CONNACK
     * code while the link retries, or a transport error), or null once connected.
     */
    public Throwable lastAttemptError() {
        return signals.lastAttemptError;
    }

    /** QoS 1 publishes sent and not yet acknowledged. */
    public int inFlight() {
        return signals.inFlight();
    }

    /** Requests (e.g. property posts) awaiting the platform's reply. */
    public int pendingRequests() {
        return pendingRequests.getAsInt();
    }

    /** Starts connecting without waiting: the link retries by itself until it connects. */
    void start() {
        connecting =
                connect.get()
                        .subscribe(
                                v -> {},
                                e -> {
                                    lastError = e;
                                    log.warn(
                                            "thingflux {} ({}): cannot connect: {}",
                                            name,
                                            target,
                                            e.toString());
                                },
                                () -> {
                                    ready = true;
                                    log.info("thingflux {} ({}): connected", name, target);
                                });
    }

    /**
     * Waits up to {@code timeout} for the in-flight publishes and pending requests, reports what is
     * left, then disconnects (DISCONNECT when connected); completes when the link is closed.
     */
    Mono<Void> shutdown(Duration timeout) {
        Mono<Void> drained =
                Flux.interval(Duration.ZERO, DRAIN_POLL)
                        .filter(
                                t ->
                                        client.state() != LinkState.CONNECTED
                                                || inFlight() + pendingRequests() == 0)
                        .next()
                        .then()
                        .timeout(
                                timeout,
                                Mono.fromRunnable(
                                        () ->
                                                log.warn(
                                                        "thingflux {}: {} QoS 1 publish(es) in"
                                                                + " flight and {} request(s)"
                                                                + " pending after {}; they fail"
                                                                + " as the link closes",
                                                        name,
                                                        inFlight(),
                                                        pendingRequests(),
                                                        timeout)));
        return drained.then(
                Mono.defer(
                        () -> {
                            Disposable c = connecting;
                            if (c != null) {
                                c.dispose();
                            }
                            return disconnect
                                    .get()
                                    .onErrorResume(
                                            e -> {
                                                log.warn(
                                                        "thingflux {}: disconnect failed: {}",
                                                        name,
                                                        e.toString());
                                                return Mono.empty();
                                            });
                        }));
    }

    @Override
    public String toString() {
        return "ThingfluxConnection[" + name + ", " + target + ", " + client.state() + "]";
    }

    /**
     * What health reads from the client's metrics (QoS 1/2 publishes awaiting acknowledgement, the
     * latest failed connect attempt), passing every measurement on to the metrics it wraps.
     */
    static final class ClientSignals implements MqttClientMetrics {
        private final MqttClientMetrics delegate;
        private final AtomicInteger inFlight = new AtomicInteger();
        private volatile Throwable lastAttemptError;

        ClientSignals(MqttClientMetrics delegate) {
            this.delegate = Objects.requireNonNull(delegate, "delegate");
        }

        int inFlight() {
            return inFlight.get();
        }

        @Override
        public void connected(boolean reconnect) {
            lastAttemptError = null;
            delegate.connected(reconnect);
        }

        @Override
        public void connectFailed(Throwable cause) {
            lastAttemptError = cause;
            delegate.connectFailed(cause);
        }

        @Override
        public void inFlightChanged(int delta) {
            inFlight.addAndGet(delta);
            delegate.inFlightChanged(delta);
        }

        @Override
        public void dropped(String reason) {
            delegate.dropped(reason);
        }

        @Override
        public void published(int qos, long nanos) {
            delegate.published(qos, nanos);
        }
    }
}
