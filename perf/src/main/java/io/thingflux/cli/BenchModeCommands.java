package io.thingflux.cli;

import io.thingflux.bench.mqtt.Scenario;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code thingflux bench pub}, {@code bench sub} and {@code bench conn}: plain MQTT publishers,
 * subscribers and connection holders for any MQTT 3.1.1 broker, each a ramp then a hold of the
 * scenario engine.
 */
final class BenchModeCommands {

    private BenchModeCommands() {}

    /** What the three modes share. */
    abstract static class Mode implements Callable<Integer> {
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;

        @Mixin MqttBenchOptions options;

        @Mixin ScenarioLauncher.Output output;

        abstract Scenario.Kind kind();

        @Override
        public Integer call() {
            BenchCommand.quietConnectionLogs();
            PrintWriter err = spec.commandLine().getErr();
            Scenario scenario;
            io.thingflux.bench.Shard shard;
            try {
                scenario = options.scenario(kind());
                shard = options.shard();
                options.target("127.0.0.1", 0); // checks --client before anything starts
            } catch (RuntimeException e) {
                err.println("bench " + spec.name() + ": " + e.getMessage());
                err.flush();
                return BenchCommand.EXIT_REFUSED;
            }
            return ScenarioLauncher.run(
                    scenario,
                    shard,
                    options.host == null,
                    options::target,
                    output,
                    spec.commandLine().getOut(),
                    err);
        }
    }

    @Command(
            name = "pub",
            mixinStandardHelpOptions = true,
            sortOptions = false,
            description = {
                "Publishers for any MQTT 3.1.1 broker: --count clients, each publishing --rate messages per second "
                        + "to its --topic on an absolute schedule (a slot that cannot leave on time is an overrun); "
                        + "latency from the scheduled time to PUBACK/PUBCOMP (written, for QoS 0)."
            })
    static final class Pub extends Mode {
        @Override
        Scenario.Kind kind() {
            return Scenario.Kind.PUB;
        }
    }

    @Command(
            name = "sub",
            mixinStandardHelpOptions = true,
            sortOptions = false,
            description = {
                "Subscribers for any MQTT 3.1.1 broker: --count clients on the --topic filters; end-to-end latency "
                        + "(from the publisher's scheduled time in the payload header), loss and duplicates per QoS."
            })
    static final class Sub extends Mode {
        @Override
        Scenario.Kind kind() {
            return Scenario.Kind.SUB;
        }
    }

    @Command(
            name = "conn",
            mixinStandardHelpOptions = true,
            sortOptions = false,
            description = {
                "Connections only: --count clients connect at --connect-rate and hold for --duration."
            })
    static final class Conn extends Mode {
        @Override
        Scenario.Kind kind() {
            return Scenario.Kind.CONN;
        }
    }
}
