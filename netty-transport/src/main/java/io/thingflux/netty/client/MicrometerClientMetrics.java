package io.thingflux.netty.client;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Records the client's measurements as Micrometer meters. Load this class only when micrometer-core
 * is on the class path (it is an optional dependency). Meters: {@code
 * thingflux.mqtt.client.connects} and {@code .reconnects} (counters), {@code .inflight} (gauge),
 * {@code .dropped} (counter tagged {@code reason}), {@code .publish.latency} (timer tagged {@code
 * qos}).
 */
public final class MicrometerClientMetrics implements MqttClientMetrics {

    private final MeterRegistry registry;
    private final Tags tags;
    private final Counter connects;
    private final Counter reconnects;
    private final AtomicLong inFlight = new AtomicLong();
    private final Timer[] latency = new Timer[3];
    private final ConcurrentHashMap<String, Counter> drops = new ConcurrentHashMap<>();

    private MicrometerClientMetrics(MeterRegistry registry, Tags tags) {
        this.registry = registry;
        this.tags = tags;
        this.connects = registry.counter("thingflux.mqtt.client.connects", tags);
        this.reconnects = registry.counter("thingflux.mqtt.client.reconnects", tags);
        registry.gauge("thingflux.mqtt.client.inflight", tags, inFlight);
        for (int qos = 0; qos < 3; qos++) {
            latency[qos] =
                    Timer.builder("thingflux.mqtt.client.publish.latency")
                            .tags(tags)
                            .tag("qos", Integer.toString(qos))
                            .register(registry);
        }
    }

    /** Meters in {@code registry} with {@code tags} added to each. */
    public static MicrometerClientMetrics create(MeterRegistry registry, String... tags) {
        return new MicrometerClientMetrics(registry, Tags.of(tags));
    }

    @Override
    public void connected(boolean reconnect) {
        (reconnect ? reconnects : connects).increment();
    }

    @Override
    public void inFlightChanged(int delta) {
        inFlight.addAndGet(delta);
    }

    @Override
    public void dropped(String reason) {
        drops.computeIfAbsent(
                        reason,
                        r ->
                                registry.counter(
                                        "thingflux.mqtt.client.dropped", tags.and("reason", r)))
                .increment();
    }

    @Override
    public void published(int qos, long nanos) {
        latency[qos].record(nanos, TimeUnit.NANOSECONDS);
    }
}
