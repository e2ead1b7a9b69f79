package io.thingflux.bench.mqtt;

import java.util.ArrayList;
import java.util.List;

/**
 * The outcome of a scenario run (or of its shards merged): one {@link StageResult} per stage.
 *
 * @param scenario the scenario's name
 * @param client the MQTT client that drove it
 * @param shards how many shards this result covers
 * @param stages per stage, in order
 * @param seconds wall time (the longest shard's when merged)
 * @param cpuNanos CPU time the bench process(es) used
 */
public record ScenarioResult(
        String scenario,
        String client,
        int shards,
        List<StageResult> stages,
        double seconds,
        long cpuNanos) {

    public ScenarioResult {
        stages = List.copyOf(stages);
    }

    /** Messages sent plus received over all stages. */
    public long messages() {
        return stages.stream().mapToLong(s -> s.sent() + s.receivedTotal()).sum();
    }

    /** CPU microseconds per message sent or received. */
    public double cpuMicrosPerMessage() {
        long m = messages();
        return m == 0 ? 0 : cpuNanos / 1e3 / m;
    }

    /**
     * The shards' results as one: counts add up stage by stage, histograms merge exactly.
     *
     * @throws IllegalArgumentException when they are not shards of one scenario
     */
    public static ScenarioResult merge(List<ScenarioResult> results) {
        if (results.isEmpty()) {
            throw new IllegalArgumentException("nothing to merge");
        }
        ScenarioResult first = results.get(0);
        List<StageResult> stages = new ArrayList<>(first.stages());
        double seconds = first.seconds();
        long cpu = first.cpuNanos();
        int shards = first.shards();
        for (ScenarioResult r : results.subList(1, results.size())) {
            if (!r.scenario().equals(first.scenario()) || r.stages().size() != stages.size()) {
                throw new IllegalArgumentException(
                        "results of different scenarios: "
                                + first.scenario()
                                + ", "
                                + r.scenario());
            }
            for (int i = 0; i < stages.size(); i++) {
                stages.set(i, stages.get(i).plus(r.stages().get(i)));
            }
            seconds = Math.max(seconds, r.seconds());
            cpu += r.cpuNanos();
            shards += r.shards();
        }
        return new ScenarioResult(first.scenario(), first.client(), shards, stages, seconds, cpu);
    }
}
