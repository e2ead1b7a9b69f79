package io.thingflux.cli;

import io.thingflux.aliyun.AliyunDeviceIdentity;
import io.thingflux.bench.BenchClock;
import io.thingflux.bench.BenchConsole;
import io.thingflux.bench.BenchOptions;
import io.thingflux.bench.BenchRefusedException;
import io.thingflux.bench.BenchReport;
import io.thingflux.bench.BenchResult;
import io.thingflux.bench.BenchResultJson;
import io.thingflux.bench.BenchResults;
import io.thingflux.bench.BenchRun;
import io.thingflux.bench.BenchTarget;
import io.thingflux.bench.DeviceCapacity;
import io.thingflux.bench.GatewayBench;
import io.thingflux.bench.LoadClient;
import io.thingflux.bench.LoadClientConfig;
import io.thingflux.bench.SystemLimits;
import io.thingflux.bench.client.LoadClients;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code thingflux bench}: simulates thousands of Aliyun thing-model devices posting properties,
 * driven by thingflux or by the HiveMQ MQTT Client, against the emulator it starts in this process
 * or any broker. A thin layer over {@link BenchRun}.
 */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        subcommands = {
            BenchCommand.Merge.class,
            BenchModeCommands.Pub.class,
            BenchModeCommands.Sub.class,
            BenchModeCommands.Conn.class
        },
        description = {
            "Simulates Aliyun thing-model devices: each connects with the Aliyun sign and posts properties on an "
                    + "absolute schedule; latency runs from the scheduled send time to the platform's reply.",
            "Schedule: device j of N connects at j / connect-rate; its first post is due one interval plus a phase "
                    + "after that (0 <= phase < interval, the same in every run), the phases spreading the fleet's "
                    + "posts evenly over the interval, so N devices post at a steady N per interval, not in bursts. "
                    + "A slot that cannot leave on time (window full, not connected yet, pacer late) is an overrun.",
            "A connect counts when the device is subscribed (CONNACK and SUBACK), for every client. An interval "
                    + "longer than the duration makes a connection-only run: the devices connect and hold until the "
                    + "end, with no posts.",
            "Without --host it starts the emulator in this process on a free loopback port and provisions a product.",
            "Durations: 500ms, 15s, 5m, 2h (and 250us for one device's throughput)."
        },
        footer = {
            "",
            "Exit codes: 0 done, 1 the run failed, 2 refused (bad options or more devices than this machine holds)."
        })
public final class BenchCommand implements Callable<Integer> {

    /** Exit code when the options are refused. */
    public static final int EXIT_REFUSED = 2;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    /**
     * The run's options: picocli binds them here, {@link BenchOptions.Builder#build()} checks them.
     */
    @Mixin BenchOptions.Builder settings = BenchOptions.builder();

    @Option(
            names = "--json",
            paramLabel = "FILE",
            description = "Write the result as JSON (histograms beside it in FILE.hdr).")
    Path json;

    @Option(
            names = "--report",
            paramLabel = "DIR",
            description = "Write histogram logs and PNG charts into DIR.")
    Path report;

    // bench --scenario, --prometheus-port, --tsl (issue #22); the scenario itself runs in
    // ScenarioLauncher
    @Option(
            names = "--scenario",
            paramLabel = "FILE",
            description =
                    "Run a plain MQTT scenario (YAML or JSON: groups of clients, stages ramp/hold/churn/storm/fanout; "
                            + "schema in perf/README.md) against --host, or the emulator here in --auth none mode; "
                            + "uses --host, --port, --tls, --client and --shard, and --json/--report for its result.")
    Path scenario;

    @Option(
            names = "--prometheus-port",
            paramLabel = "PORT",
            description =
                    "Serve live counters and latency percentiles (per stage and shard) at http://0.0.0.0:PORT/metrics while running.")
    Integer prometheusPort;

    @Option(
            names = "--tsl",
            paramLabel = "FILE",
            description =
                    "Post property values generated from this product TSL (thing model JSON: types, ranges, enums, "
                            + "text lengths) instead of a padded fixed-size post.")
    Path tsl;

    /**
     * Keeps thousands of per-connection INFO lines (connected, disconnected) off the progress
     * output unless {@code THINGFLUX_LOG_LEVEL} asks for them.
     */
    static void quietConnectionLogs() {
        if (System.getenv("THINGFLUX_LOG_LEVEL") == null
                && LoggerFactory.getLogger("io.thingflux")
                        instanceof ch.qos.logback.classic.Logger logger) {
            logger.setLevel(ch.qos.logback.classic.Level.WARN);
        }
    }

    // gateways (#18): a fleet behind gateways instead of direct connections
    @Option(
            names = "--gateways",
            paramLabel = "G",
            description =
                    "Simulate G gateway connections, each logging in --subdevices-per-gateway sub-devices "
                            + "(batches of 50) that post on the same schedule as direct devices; --devices is "
                            + "then ignored.")
    int gateways;

    @Option(
            names = "--subdevices-per-gateway",
            paramLabel = "S",
            description =
                    "Sub-devices behind each gateway, with --gateways (default ${DEFAULT-VALUE}).")
    int subDevicesPerGateway = 100;

    @Override
    public Integer call() {
        if (gateways > 0) {
            return callGateways();
        }
        quietConnectionLogs();
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter out = spec.commandLine().getOut();
        if (scenario != null) {
            return BenchScenarioOption.run(this, spec, scenario, json, report, prometheusPort);
        }
        BenchOptions options;
        io.thingflux.bench.mqtt.TslPropertyGenerator tslValues = null;
        try {
            options = settings.build();
            if (tsl != null) {
                tslValues = io.thingflux.bench.mqtt.TslPropertyGenerator.read(tsl);
            }
            SystemLimits limits = SystemLimits.current();
            DeviceCapacity.check(options, limits);
            String warning = DeviceCapacity.portSearchWarning(options, limits);
            if (warning != null) {
                err.println("bench: warning: " + warning);
                err.flush();
            }
        } catch (BenchRefusedException | IllegalArgumentException e) {
            return refused(err, e.getMessage());
        }
        io.thingflux.bench.live.PrometheusEndpoint endpoint = null;
        try (BenchTarget target = BenchTarget.open(options)) {
            List<AliyunDeviceIdentity> identities = target.devices();
            BenchResult result;
            try (LoadClient loadClient =
                    LoadClients.create(
                            options.client(),
                            LoadClientConfig.of(options, target.host(), target.port()),
                            options.inflight())) {
                BenchRun run =
                        new BenchRun(
                                options,
                                identities,
                                loadClient,
                                target.downlinks().orElse(null),
                                BenchClock.SYSTEM,
                                System.err);
                if (tslValues != null) {
                    io.thingflux.bench.mqtt.TslPropertyGenerator values = tslValues;
                    java.util.SplittableRandom random = new java.util.SplittableRandom(1);
                    run.postParams(
                            () -> {
                                synchronized (random) {
                                    return values.next(random);
                                }
                            });
                }
                if (prometheusPort != null) {
                    endpoint =
                            io.thingflux.bench.live.PrometheusEndpoint.start(
                                    "0.0.0.0", prometheusPort);
                    io.thingflux.bench.live.LiveMeters.bindAliyun(
                            endpoint.registry(),
                            run.metrics(),
                            options.shard().toString(),
                            loadClient.name());
                }
                result = run.run();
                if (report != null) {
                    BenchReport.write(report, result, run.timeline());
                }
            }
            out.print(BenchConsole.summary(result));
            if (options.embedded()) {
                out.println(
                        "  (heap per device includes the emulator in this process; run it apart and give --host"
                                + " to measure the client alone)");
            }
            out.flush();
            if (json != null) {
                BenchResultJson.write(result, json);
            }
            return 0;
        } catch (BenchRefusedException e) {
            return refused(err, e.getMessage());
        } catch (InterruptedException | IOException | RuntimeException e) {
            return failed(err, e);
        } finally {
            if (endpoint != null) {
                endpoint.close();
            }
        }
    }

    /** Says why the run was refused; {@link #EXIT_REFUSED}. */
    static int refused(PrintWriter err, String why) {
        err.println("bench: " + why);
        err.flush();
        return EXIT_REFUSED;
    }

    /** Says that the run was interrupted (restoring the flag) or failed with {@code e}; 1. */
    static int failed(PrintWriter err, Exception e) {
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
            err.println("bench: interrupted");
        } else {
            err.println("bench: the run failed: " + e);
        }
        err.flush();
        return 1;
    }

    /** {@code bench --gateways G --subdevices-per-gateway S}: a {@link GatewayBench} run. */
    private Integer callGateways() {
        quietConnectionLogs();
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter out = spec.commandLine().getOut();
        try {
            if (subDevicesPerGateway < 1) {
                throw new BenchRefusedException("--subdevices-per-gateway must be at least 1");
            }
            GatewayBench.Result result =
                    GatewayBench.run(settings.build(), gateways, subDevicesPerGateway, System.err);
            out.print(result.summary());
            out.flush();
            if (json != null) {
                result.writeJson(json);
            }
            return result.loginFailures() == 0 && result.postFailures() == 0 ? 0 : 1;
        } catch (BenchRefusedException e) {
            return refused(err, e.getMessage());
        } catch (InterruptedException | IOException | RuntimeException e) {
            return failed(err, e);
        }
    }

    /**
     * {@code thingflux bench merge FILE...}: combines shard results into the result of the whole
     * run.
     */
    @Command(
            name = "merge",
            mixinStandardHelpOptions = true,
            description = {
                "Combines the --json results of shards that ran side by side into one: counts and rates add up,"
                        + " percentiles come from the merged histograms (each FILE.hdr beside its FILE), so they are exact."
            })
    static final class Merge implements Callable<Integer> {

        @CommandLine.Spec CommandLine.Model.CommandSpec spec;

        @Parameters(
                arity = "1..*",
                paramLabel = "FILE",
                description = "Results written by bench --json.")
        List<Path> files;

        @Option(
                names = "--json",
                paramLabel = "FILE",
                description = "Write the merged result here (and FILE.hdr) too.")
        Path json;

        @Override
        public Integer call() {
            PrintWriter err = spec.commandLine().getErr();
            try {
                if (io.thingflux.bench.mqtt.ScenarioReport.isScenarioResult(files.get(0))) {
                    return BenchScenarioOption.merge(spec, files, json);
                }
                List<BenchResult> results = new ArrayList<>();
                for (Path f : files) {
                    results.add(BenchResultJson.read(f));
                }
                BenchResult merged = BenchResults.merge(results);
                spec.commandLine().getOut().print(BenchConsole.summary(merged));
                spec.commandLine().getOut().flush();
                if (json != null) {
                    BenchResultJson.write(merged, json);
                }
                return 0;
            } catch (IOException e) {
                err.println("bench merge: " + e.getMessage());
                err.flush();
                return EXIT_REFUSED;
            }
        }
    }
}
