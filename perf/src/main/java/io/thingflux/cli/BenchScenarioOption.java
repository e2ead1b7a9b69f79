package io.thingflux.cli;

import io.thingflux.bench.BenchClientKind;
import io.thingflux.bench.Shard;
import io.thingflux.bench.mqtt.MqttTarget;
import io.thingflux.bench.mqtt.Scenario;
import io.thingflux.bench.mqtt.ScenarioException;
import io.thingflux.bench.mqtt.ScenarioParser;
import io.thingflux.bench.mqtt.ScenarioReport;
import io.thingflux.bench.mqtt.ScenarioResult;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;

/**
 * {@code bench --scenario FILE} and {@code bench merge} of scenario results: reads and checks the
 * file before anything connects, takes the target from bench's own {@code --host --port --tls
 * --client --shard}, and hands the run to {@link ScenarioLauncher}.
 */
final class BenchScenarioOption {

    private BenchScenarioOption() {}

    private static <T> T option(CommandLine.Model.CommandSpec spec, String name) {
        CommandLine.Model.OptionSpec o = spec.findOption(name);
        return o == null ? null : o.getValue();
    }

    static int run(
            BenchCommand command,
            CommandLine.Model.CommandSpec spec,
            Path file,
            Path json,
            Path report,
            Integer prometheusPort) {
        PrintWriter err = spec.commandLine().getErr();
        Scenario scenario;
        String host = option(spec, "--host");
        Integer port = option(spec, "--port");
        Boolean tls = option(spec, "--tls");
        BenchClientKind client = option(spec, "--client");
        Shard shard = option(spec, "--shard");
        try {
            scenario = ScenarioParser.read(file);
        } catch (ScenarioException e) {
            return BenchCommand.refused(err, e.getMessage());
        }
        ScenarioLauncher.Output output = new ScenarioLauncher.Output();
        output.json = json;
        output.report = report;
        output.prometheusPort = prometheusPort;
        return ScenarioLauncher.run(
                scenario,
                shard == null ? Shard.WHOLE : shard,
                host == null,
                (embeddedHost, embeddedPort) ->
                        new MqttTarget(
                                host == null ? embeddedHost : host,
                                host == null ? embeddedPort : (port == null ? 1883 : port),
                                Boolean.TRUE.equals(tls),
                                null,
                                client == null ? BenchClientKind.THINGFLUX : client),
                new ScenarioLauncher.DeviceOptions(
                        spec.findOption("--product") == null
                                        || spec.findOption("--product")
                                                .originalStringValues()
                                                .isEmpty()
                                ? null
                                : spec.findOption("--product").originalStringValues().get(0),
                        option(spec, "--admin-port")),
                output,
                spec.commandLine().getOut(),
                err);
    }

    static int merge(CommandLine.Model.CommandSpec spec, List<Path> files, Path json)
            throws IOException {
        List<ScenarioResult> results = new ArrayList<>();
        for (Path f : files) {
            results.add(ScenarioReport.read(f));
        }
        ScenarioResult merged;
        try {
            merged = ScenarioResult.merge(results);
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
        spec.commandLine().getOut().print(ScenarioReport.summary(merged));
        spec.commandLine().getOut().flush();
        if (json != null) {
            ScenarioReport.write(merged, json);
        }
        return 0;
    }
}
