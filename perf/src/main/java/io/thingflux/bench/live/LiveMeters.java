package io.thingflux.bench.live;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.thingflux.bench.BenchMetrics;
import io.thingflux.bench.mqtt.ScenarioRun;
import io.thingflux.bench.mqtt.StageMetrics;
import io.thingflux.emulator.platform.BrokerStats;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;
import org.HdrHistogram.Histogram;

/**
 * Binds what runs to Micrometer meters read at each scrape: a scenario's per-stage counters and
 * latency percentiles, the Aliyun bench's counters and percentiles, and the emulator's {@link
 * BrokerStats}. Names are in the Grafana dashboard perf/grafana/thingflux-bench.json.
 */
public final class LiveMeters {

    /** The percentiles served for every latency. */
    static final double[] QUANTILES = {0.5, 0.9, 0.99, 0.999};

    private LiveMeters() {}

    /** Binds every stage of {@code run}, tagged with its stage, shard and client. */
    public static void bindScenario(MeterRegistry registry, ScenarioRun run, String client) {
        String shard = run.shard().toString();
        for (StageMetrics s : run.stageMetrics()) {
            Tags tags =
                    Tags.of(
                            "stage",
                            s.name(),
                            "shard",
                            shard,
                            "client",
                            client,
                            "scenario",
                            run.scenario().name());
            for (String c : StageMetrics.COUNTERS) {
                FunctionCounter.builder("thingflux_bench_" + c, s, m -> m.counter(c))
                        .tags(tags)
                        .register(registry);
            }
            for (String kind : new String[] {"received", "lost", "duplicates"}) {
                for (int q = 0; q <= 2; q++) {
                    int qos = q;
                    FunctionCounter.builder(
                                    "thingflux_bench_messages_" + kind, s, m -> m.perQos(kind, qos))
                            .tags(tags.and("qos", Integer.toString(q)))
                            .register(registry);
                }
            }
            for (String kind : new String[] {"connect", "ack", "e2e"}) {
                for (double q : QUANTILES) {
                    Gauge.builder(
                                    "thingflux_bench_latency_seconds",
                                    s,
                                    m -> m.percentile(kind, q * 100) / 1e6)
                            .tags(tags.and("kind", kind, "quantile", Double.toString(q)))
                            .register(registry);
                }
            }
        }
    }

    /** Binds the Aliyun device bench's counters and latency percentiles. */
    public static void bindAliyun(
            MeterRegistry registry, BenchMetrics metrics, String shard, String client) {
        Tags tags = Tags.of("stage", "run", "shard", shard, "client", client, "scenario", "aliyun");
        counter(registry, "thingflux_bench_connects", tags, metrics, BenchMetrics::connectedCount);
        counter(
                registry,
                "thingflux_bench_connect_failures",
                tags,
                metrics,
                BenchMetrics::connectFailedCount);
        counter(registry, "thingflux_bench_sent", tags, metrics, BenchMetrics::postsSentCount);
        counter(registry, "thingflux_bench_acked", tags, metrics, BenchMetrics::postsAckedCount);
        counter(registry, "thingflux_bench_overruns", tags, metrics, BenchMetrics::overrunCount);
        counter(
                registry,
                "thingflux_bench_downlinks_sent",
                tags,
                metrics,
                BenchMetrics::downlinkSentCount);
        counter(
                registry,
                "thingflux_bench_downlinks_received",
                tags,
                metrics,
                BenchMetrics::downlinkReceivedCount);
        String[] kinds = {"connect", "ack", "downlink"};
        for (int i = 0; i < kinds.length; i++) {
            int index = i;
            for (double q : QUANTILES) {
                Gauge.builder(
                                "thingflux_bench_latency_seconds",
                                metrics,
                                m -> percentile(m.totals()[index], q) / 1e6)
                        .tags(tags.and("kind", kinds[i], "quantile", Double.toString(q)))
                        .register(registry);
            }
        }
    }

    private static double percentile(Histogram h, double q) {
        return h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(q * 100);
    }

    private static <T> void counter(
            MeterRegistry registry, String name, Tags tags, T obj, ToDoubleFunction<T> f) {
        FunctionCounter.builder(name, obj, f).tags(tags).register(registry);
    }

    /** Binds the emulator's broker counters, read from {@code stats} at each scrape. */
    public static void bindBroker(MeterRegistry registry, Supplier<BrokerStats> stats) {
        gauge(registry, "thingflux_broker_open_connections", stats, BrokerStats::openConnections);
        gauge(registry, "thingflux_broker_online_sessions", stats, BrokerStats::onlineSessions);
        gauge(
                registry,
                "thingflux_broker_connects_per_second",
                stats,
                BrokerStats::connectsPerSecond);
        bcounter(
                registry,
                "thingflux_broker_connects_accepted",
                stats,
                BrokerStats::connectsAccepted);
        bcounter(
                registry, "thingflux_broker_connects_refused", stats, BrokerStats::connectsRefused);
        bcounter(
                registry, "thingflux_broker_connect_timeouts", stats, BrokerStats::connectTimeouts);
        bcounter(
                registry,
                "thingflux_broker_keepalive_timeouts",
                stats,
                BrokerStats::keepAliveTimeouts);
        bcounter(registry, "thingflux_broker_protocol_errors", stats, BrokerStats::protocolErrors);
        bcounter(registry, "thingflux_broker_acl_violations", stats, BrokerStats::aclViolations);
        bcounter(
                registry,
                "thingflux_broker_publishes_received",
                stats,
                BrokerStats::publishesReceived);
        bcounter(
                registry,
                "thingflux_broker_publishes_delivered",
                stats,
                BrokerStats::publishesDelivered);
        bcounter(
                registry,
                "thingflux_broker_offline_messages_dropped",
                stats,
                BrokerStats::offlineMessagesDropped);
        bcounter(
                registry,
                "thingflux_broker_slow_consumer_drops",
                stats,
                BrokerStats::slowConsumerDrops);
        bcounter(registry, "thingflux_broker_recording_drops", stats, BrokerStats::recordingDrops);
    }

    private static void gauge(
            MeterRegistry registry,
            String name,
            Supplier<BrokerStats> stats,
            ToDoubleFunction<BrokerStats> f) {
        Gauge.builder(name, stats, s -> f.applyAsDouble(s.get())).register(registry);
    }

    private static void bcounter(
            MeterRegistry registry,
            String name,
            Supplier<BrokerStats> stats,
            ToDoubleFunction<BrokerStats> f) {
        FunctionCounter.builder(name, stats, s -> f.applyAsDouble(s.get())).register(registry);
    }
}
