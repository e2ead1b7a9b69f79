package io.thingflux.bench.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.thingflux.bench.BenchClientKind;
import io.thingflux.bench.Shard;
import io.thingflux.emulator.platform.AliyunPlatformEmulator;
import io.thingflux.emulator.platform.AuthMode;
import io.thingflux.emulator.platform.EmulatorOptions;
import io.thingflux.mqtt.MqttQos;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Runs scenarios against the emulator in --auth none mode (one per class) and against Mosquitto
 * (skipped with the reason when it is absent): every mode and stage type, every client, and a
 * two-shard run whose merged counts equal the unsharded run's.
 */
class ScenarioRunTest {

    private static final Path STAGES = Path.of("scenarios", "stages.yaml");

    private static AliyunPlatformEmulator emulator;

    @BeforeAll
    static void startEmulator() {
        emulator =
                AliyunPlatformEmulator.start(
                        EmulatorOptions.builder()
                                .host("127.0.0.1")
                                .port(0)
                                .authMode(AuthMode.NONE)
                                .build());
    }

    @AfterAll
    static void stopEmulator() {
        emulator.close();
    }

    private static ScenarioResult run(Scenario s, Shard shard, int port, BenchClientKind kind)
            throws InterruptedException {
        try (MqttLoadClient client =
                MqttLoadClients.create(new MqttTarget("127.0.0.1", port, false, null, kind))) {
            return new ScenarioRun(s, shard, client, null).run();
        }
    }

    private static Map<String, StageResult> byName(ScenarioResult r) {
        return r.stages().stream().collect(Collectors.toMap(StageResult::name, s -> s));
    }

    /** What the shipped stages.yaml must show on any broker, stage by stage. */
    private static void assertStagesScenario(ScenarioResult r) {
        Map<String, StageResult> s = byName(r);
        assertThat(s.get("subscribe").connects()).isEqualTo(20);
        assertThat(s.get("connect-idle").connects()).isEqualTo(10);
        assertThat(s.get("publish").connects()).isEqualTo(2);
        assertThat(s.get("steady").sent()).isPositive();
        assertThat(s.get("steady").received()[1]).isPositive();
        assertThat(s.get("steady").e2eLatency().getTotalCount()).isPositive();
        assertThat(s.get("churn").disconnects()).isEqualTo(4);
        assertThat(s.get("churn").connects()).isBetween(3L, 4L); // the last may end in storm
        assertThat(s.get("storm").disconnects()).isEqualTo(10);
        assertThat(s.get("storm").connects()).isGreaterThanOrEqualTo(10);
        // 5 rounds of one message to each of the 20 subscribers' own topics
        assertThat(s.get("downlink").errors()).isEmpty();
        long fanoutReceived = s.get("downlink").received()[1] + s.get("settle").received()[1];
        assertThat(fanoutReceived).isGreaterThanOrEqualTo(100);
        for (StageResult st : r.stages()) {
            assertThat(st.connectFailures()).as(st.name()).isZero();
            assertThat(st.publishFailures()).as(st.name()).isZero();
            assertThat(st.duplicates()[1]).as(st.name()).isZero();
            assertThat(st.lost()[1]).as(st.name()).isZero();
        }
    }

    @Test
    void theShippedStagesScenarioRunsEveryModeAndStageTypeAgainstTheEmulator() throws Exception {
        ScenarioResult r =
                run(
                        ScenarioParser.read(STAGES),
                        Shard.WHOLE,
                        emulator.mqttAddress().getPort(),
                        BenchClientKind.THINGFLUX);
        assertStagesScenario(r);
        assertThat(r.cpuNanos()).isPositive();
    }

    @Test
    void theShippedStagesScenarioRunsAgainstMosquitto() throws Exception {
        assumeTrue(MosquittoProcess.find().isPresent(), MosquittoProcess.ABSENT);
        try (MosquittoProcess mosquitto = MosquittoProcess.start()) {
            ScenarioResult r =
                    run(
                            ScenarioParser.read(STAGES),
                            Shard.WHOLE,
                            mosquitto.port(),
                            BenchClientKind.THINGFLUX);
            assertStagesScenario(r);
        }
    }

    private static Scenario.Stage stage(
            String name,
            Scenario.StageType type,
            String group,
            double rate,
            Duration duration,
            double percent,
            String topic,
            int count) {
        return new Scenario.Stage(
                name,
                type,
                group,
                Integer.MAX_VALUE,
                rate,
                duration,
                percent,
                count,
                topic,
                MqttQos.AT_LEAST_ONCE,
                PayloadSpec.DEFAULT,
                0);
    }

    private static Scenario.Group group(
            String name,
            Scenario.Kind kind,
            int count,
            List<String> topics,
            MqttQos qos,
            double rate,
            int base) {
        return new Scenario.Group(
                name,
                kind,
                count,
                "t-" + name + "-%s-%i",
                null,
                null,
                true,
                60,
                topics,
                qos,
                false,
                rate,
                16,
                PayloadSpec.DEFAULT,
                base,
                null);
    }

    @ParameterizedTest
    @EnumSource(
            value = BenchClientKind.class,
            names = {"HIVEMQ", "NETTY_CODEC"})
    void theOtherClientsPublishAndSubscribeWithQos2WithoutLossOrDuplicates(BenchClientKind kind)
            throws Exception {
        Scenario s =
                new Scenario(
                        "qos2",
                        List.of(
                                group(
                                        "subs",
                                        Scenario.Kind.SUB,
                                        3,
                                        List.of("q2/#"),
                                        MqttQos.EXACTLY_ONCE,
                                        0,
                                        0),
                                group(
                                        "pub",
                                        Scenario.Kind.PUB,
                                        1,
                                        List.of("q2/%i"),
                                        MqttQos.EXACTLY_ONCE,
                                        50,
                                        3)),
                        List.of(
                                new Scenario.Stage(
                                        "subscribe",
                                        Scenario.StageType.RAMP,
                                        "subs",
                                        3,
                                        100,
                                        Duration.ofSeconds(10),
                                        0,
                                        0,
                                        null,
                                        MqttQos.AT_MOST_ONCE,
                                        PayloadSpec.DEFAULT,
                                        0),
                                new Scenario.Stage(
                                        "publish",
                                        Scenario.StageType.RAMP,
                                        "pub",
                                        1,
                                        100,
                                        Duration.ofSeconds(10),
                                        0,
                                        0,
                                        null,
                                        MqttQos.AT_MOST_ONCE,
                                        PayloadSpec.DEFAULT,
                                        0),
                                stage(
                                        "hold",
                                        Scenario.StageType.HOLD,
                                        null,
                                        0,
                                        Duration.ofMillis(600),
                                        0,
                                        null,
                                        0)));
        ScenarioResult r = run(s, Shard.WHOLE, emulator.mqttAddress().getPort(), kind);
        long sent = r.stages().stream().mapToLong(StageResult::sent).sum();
        long acked = r.stages().stream().mapToLong(StageResult::acked).sum();
        long received = r.stages().stream().mapToLong(st -> st.received()[2]).sum();
        assertThat(r.client()).isEqualTo(kind.cliName());
        assertThat(sent).isPositive();
        assertThat(acked).isEqualTo(sent);
        assertThat(received).isEqualTo(3 * sent);
        assertThat(r.stages().stream().mapToLong(StageResult::lostTotal).sum()).isZero();
        assertThat(r.stages().stream().mapToLong(StageResult::duplicatesTotal).sum()).isZero();
    }

    @Test
    void twoShardsMergedCountWhatTheUnshardedRunCounts() throws Exception {
        Scenario s =
                new Scenario(
                        "merge",
                        List.of(
                                group(
                                        "subs",
                                        Scenario.Kind.SUB,
                                        6,
                                        List.of("m/all", "m/down/%i"),
                                        MqttQos.AT_LEAST_ONCE,
                                        0,
                                        0),
                                group(
                                        "idle",
                                        Scenario.Kind.CONN,
                                        8,
                                        List.of(),
                                        MqttQos.AT_MOST_ONCE,
                                        0,
                                        6)),
                        List.of(
                                stage(
                                        "subscribe",
                                        Scenario.StageType.RAMP,
                                        "subs",
                                        200,
                                        Duration.ofSeconds(10),
                                        0,
                                        null,
                                        0),
                                stage(
                                        "idle",
                                        Scenario.StageType.RAMP,
                                        "idle",
                                        200,
                                        Duration.ofSeconds(10),
                                        0,
                                        null,
                                        0),
                                stage(
                                        "wait",
                                        Scenario.StageType.HOLD,
                                        null,
                                        0,
                                        Duration.ofMillis(300),
                                        0,
                                        null,
                                        0),
                                stage(
                                        "churn",
                                        Scenario.StageType.CHURN,
                                        "idle",
                                        0,
                                        Duration.ofSeconds(1),
                                        25,
                                        null,
                                        0),
                                stage(
                                        "storm",
                                        Scenario.StageType.STORM,
                                        "idle",
                                        1000,
                                        Duration.ofSeconds(10),
                                        0,
                                        null,
                                        0),
                                stage(
                                        "shared",
                                        Scenario.StageType.FANOUT,
                                        null,
                                        10,
                                        Duration.ofSeconds(1),
                                        0,
                                        "m/all",
                                        6),
                                stage(
                                        "own",
                                        Scenario.StageType.FANOUT,
                                        "subs",
                                        10,
                                        Duration.ofSeconds(1),
                                        0,
                                        "m/down/%i",
                                        6),
                                stage(
                                        "settle",
                                        Scenario.StageType.HOLD,
                                        null,
                                        0,
                                        Duration.ofMillis(300),
                                        0,
                                        null,
                                        0)));
        int port = emulator.mqttAddress().getPort();
        ScenarioResult whole = run(s, Shard.WHOLE, port, BenchClientKind.THINGFLUX);
        CompletableFuture<ScenarioResult> a =
                CompletableFuture.supplyAsync(() -> unchecked(s, new Shard(0, 2), port));
        CompletableFuture<ScenarioResult> b =
                CompletableFuture.supplyAsync(() -> unchecked(s, new Shard(1, 2), port));
        ScenarioResult merged = ScenarioResult.merge(List.of(a.get(), b.get()));
        assertThat(merged.shards()).isEqualTo(2);
        for (int i = 0; i < s.stages().size(); i++) {
            StageResult w = whole.stages().get(i);
            StageResult m = merged.stages().get(i);
            assertThat(m.connects()).as(w.name()).isEqualTo(w.connects());
            assertThat(m.disconnects()).as(w.name()).isEqualTo(w.disconnects());
            assertThat(m.connectFailures()).as(w.name()).isEqualTo(w.connectFailures());
            assertThat(m.sent()).as(w.name()).isEqualTo(w.sent());
            assertThat(m.received()).as(w.name()).isEqualTo(w.received());
            assertThat(m.lost()).as(w.name()).isEqualTo(w.lost());
            assertThat(m.duplicates()).as(w.name()).isEqualTo(w.duplicates());
            assertThat(m.e2eLatency().getTotalCount())
                    .as(w.name())
                    .isEqualTo(w.e2eLatency().getTotalCount());
        }
        Map<String, StageResult> st = byName(whole);
        assertThat(st.get("shared").sent()).isEqualTo(10);
        assertThat(st.get("shared").received()[1]).isEqualTo(60);
        assertThat(st.get("own").sent()).isEqualTo(60);
        assertThat(st.get("own").received()[1]).isEqualTo(60);
        assertThat(st.get("churn").disconnects()).isEqualTo(2);
    }

    @Test
    void liveMetricsServeEveryStagesCountersAndTheBrokersCounters() throws Exception {
        Scenario s = ScenarioParser.read(STAGES);
        try (MqttLoadClient client =
                        MqttLoadClients.create(
                                new MqttTarget(
                                        "127.0.0.1",
                                        emulator.mqttAddress().getPort(),
                                        false,
                                        null,
                                        BenchClientKind.THINGFLUX));
                io.thingflux.bench.live.PrometheusEndpoint endpoint =
                        io.thingflux.bench.live.PrometheusEndpoint.start("127.0.0.1", 0)) {
            ScenarioRun run = new ScenarioRun(s, new Shard(1, 3), client, null);
            io.thingflux.bench.live.LiveMeters.bindScenario(
                    endpoint.registry(), run, client.name());
            io.thingflux.bench.live.LiveMeters.bindBroker(endpoint.registry(), emulator::stats);
            String body;
            try (var in =
                    java.net
                            .URI
                            .create("http://127.0.0.1:" + endpoint.port() + "/metrics")
                            .toURL()
                            .openStream()) {
                body = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            }
            assertThat(body)
                    .contains("thingflux_bench_sent_total{")
                    .contains("stage=\"churn\"")
                    .contains("shard=\"1/3\"")
                    .contains("thingflux_bench_messages_lost_total{")
                    .contains("thingflux_bench_latency_seconds{")
                    .contains("quantile=\"0.99\"")
                    .contains("thingflux_broker_publishes_received_total")
                    .contains("thingflux_broker_online_sessions");
        }
    }

    private static ScenarioResult unchecked(Scenario s, Shard shard, int port) {
        try {
            return run(s, shard, port, BenchClientKind.THINGFLUX);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
