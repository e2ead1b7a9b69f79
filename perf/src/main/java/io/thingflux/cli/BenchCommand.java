package io.thingflux.cli;

import io.thingflux.aliyun.AliyunDeviceIdentity;
import io.thingflux.bench.BenchClientKind;
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
import io.thingflux.bench.LoadClient;
import io.thingflux.bench.LoadClientConfig;
import io.thingflux.bench.Shard;
import io.thingflux.bench.SystemLimits;
import io.thingflux.bench.client.LoadClients;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code thingflux bench}: simulates thousands of Aliyun thing-model devices posting properties, driven by
 * thingflux or by the HiveMQ MQTT Client, against the emulator it starts in this process or any broker.
 * A thin layer over {@link BenchRun}.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        subcommands = {BenchCommand.Merge.class},
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
                "Durations: 500ms, 15s, 5m, 2h (and 250us for one device's throughput)."},
        footer = {"", "Exit codes: 0 done, 1 the run failed, 2 refused (bad options or more devices than this machine holds)."})
public final class BenchCommand implements Callable<Integer> {

    /** Exit code when the options are refused. */
    public static final int EXIT_REFUSED = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--devices", paramLabel = "N", description = "Devices of the whole run (default ${DEFAULT-VALUE}).")
    int devices = BenchOptions.DEFAULT_DEVICES;

    @Option(names = "--connect-rate", paramLabel = "R", description = "Connects started per second, the ramp (default ${DEFAULT-VALUE}).")
    double connectRate = BenchOptions.DEFAULT_CONNECT_RATE;

    @Option(names = "--interval", paramLabel = "D", converter = DurationConverter.class,
            description = "One property post per device per D, the fleet's posts spread evenly over D (default 1s).")
    Duration interval = BenchOptions.DEFAULT_INTERVAL;

    @Option(names = "--duration", paramLabel = "D", converter = DurationConverter.class,
            description = "How long devices post (or, with --interval longer than D, hold their connection) after the ramp (default 30s).")
    Duration duration = BenchOptions.DEFAULT_DURATION;

    @Option(names = "--qos", paramLabel = "0|1", description = "QoS of the posts (default ${DEFAULT-VALUE}).")
    int qos;

    @Option(names = "--payload-bytes", paramLabel = "B", description = "Size of one Alink property post in bytes (default ${DEFAULT-VALUE}).")
    int payloadBytes = BenchOptions.DEFAULT_PAYLOAD_BYTES;

    @Option(names = "--inflight", paramLabel = "N", description = "Posts of one device awaiting their reply (default ${DEFAULT-VALUE}).")
    int inflight = BenchOptions.DEFAULT_INFLIGHT;

    @Option(names = "--downlink-rate", paramLabel = "R",
            description = "Property sets per second through the emulator's admin API, measuring downlink latency (default 0: none).")
    double downlinkRate;

    @Option(names = "--admin-port", paramLabel = "P", description = "The emulator's admin API port, with --host.")
    Integer adminPort;

    @Option(names = "--source-ips", paramLabel = "a,b,c", split = ",",
            description = "Spread sockets over these local addresses (round-robin), past the ports-per-address limit.")
    List<String> sourceIps = new ArrayList<>();

    @Option(names = "--shard", paramLabel = "i/n", description = "Simulate slice i of n of the devices (default 0/1).")
    String shard = "0/1";

    @Option(names = "--client", paramLabel = "thingflux|hivemq|netty-codec", description = "The MQTT client driving the devices (default thingflux): thingflux's device API, the HiveMQ MQTT Client (reference), or a bare Netty channel with only the codec (the floor).")
    String client = "thingflux";

    @Option(names = "--host", description = "Load this broker instead of the emulator in this process.")
    String host;

    @Option(names = "--port", description = "MQTT port with --host (default ${DEFAULT-VALUE}).")
    int port = 1883;

    @Option(names = "--tls", description = "Connect with TLS (securemode=2), with --host.")
    boolean tls;

    @Option(names = "--devices-file", paramLabel = "FILE", description = "CSV of productKey,deviceName,deviceSecret, with --host.")
    Path devicesFile;

    @Option(names = "--product", paramLabel = "PK,PRODUCT_SECRET",
            description = "Derive device secrets from the product secret as the emulator does, with --host.")
    String product;

    @Option(names = "--device-prefix", paramLabel = "PREFIX", description = "Device names are PREFIX + index (default ${DEFAULT-VALUE}).")
    String devicePrefix = BenchOptions.DEFAULT_DEVICE_PREFIX;

    @Option(names = "--json", paramLabel = "FILE", description = "Write the result as JSON (histograms beside it in FILE.hdr).")
    Path json;

    @Option(names = "--report", paramLabel = "DIR", description = "Write histogram logs and PNG charts into DIR.")
    Path report;

    /**
     * Keeps thousands of per-connection INFO lines (connected, disconnected) off the progress output unless
     * {@code THINGFLUX_LOG_LEVEL} asks for them.
     */
    static void quietConnectionLogs() {
        if (System.getenv("THINGFLUX_LOG_LEVEL") == null
                && LoggerFactory.getLogger("io.thingflux") instanceof ch.qos.logback.classic.Logger logger) {
            logger.setLevel(ch.qos.logback.classic.Level.WARN);
        }
    }

    @Override
    public Integer call() {
        quietConnectionLogs();
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter out = spec.commandLine().getOut();
        BenchOptions options;
        try {
            options = options();
            SystemLimits limits = SystemLimits.current();
            DeviceCapacity.check(options, limits);
            String warning = DeviceCapacity.portSearchWarning(options, limits);
            if (warning != null) {
                err.println("bench: warning: " + warning);
                err.flush();
            }
        } catch (BenchRefusedException e) {
            err.println("bench: " + e.getMessage());
            err.flush();
            return EXIT_REFUSED;
        }
        try (BenchTarget target = BenchTarget.open(options)) {
            List<AliyunDeviceIdentity> identities = target.devices();
            BenchResult result;
            try (LoadClient loadClient = LoadClients.create(options.client(),
                    LoadClientConfig.of(options, target.host(), target.port()), options.inflight())) {
                BenchRun run = new BenchRun(options, identities, loadClient, target.downlinks().orElse(null),
                        BenchClock.SYSTEM, System.err);
                result = run.run();
                if (report != null) {
                    BenchReport.write(report, result, run.timeline());
                }
            }
            out.print(BenchConsole.summary(result));
            if (options.embedded()) {
                out.println("  (heap per device includes the emulator in this process; run it apart and give --host"
                        + " to measure the client alone)");
            }
            out.flush();
            if (json != null) {
                BenchResultJson.write(result, json);
            }
            return 0;
        } catch (BenchRefusedException e) {
            err.println("bench: " + e.getMessage());
            err.flush();
            return EXIT_REFUSED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("bench: interrupted");
            return 1;
        } catch (IOException | RuntimeException e) {
            err.println("bench: the run failed: " + e);
            err.flush();
            return 1;
        }
    }

    /** The options as given, checked. */
    BenchOptions options() {
        BenchOptions.Builder b = BenchOptions.builder()
                .devices(devices).connectRate(connectRate).interval(interval).duration(duration).qos(qos)
                .payloadBytes(payloadBytes).inflight(inflight).downlinkRate(downlinkRate).adminPort(adminPort)
                .client(BenchClientKind.fromCliName(client)).host(host).port(port).tls(tls).devicesFile(devicesFile)
                .devicePrefix(devicePrefix);
        try {
            b.shard(Shard.parse(shard));
        } catch (IllegalArgumentException e) {
            throw new BenchRefusedException("--shard: " + e.getMessage());
        }
        List<InetAddress> sources = new ArrayList<>();
        for (String ip : sourceIps) {
            String s = ip.trim();
            if (!s.matches("[0-9.]+|[0-9a-fA-F:]+")) {
                throw new BenchRefusedException("--source-ips takes IP addresses, not names: '" + s + "'");
            }
            try {
                sources.add(InetAddress.getByName(s));
            } catch (UnknownHostException e) {
                throw new BenchRefusedException("--source-ips: '" + s + "' is not an IP address");
            }
        }
        b.sourceAddresses(sources);
        if (product != null) {
            int comma = product.indexOf(',');
            if (comma <= 0 || comma == product.length() - 1) {
                throw new BenchRefusedException("--product takes PRODUCT_KEY,PRODUCT_SECRET");
            }
            b.product(product.substring(0, comma).trim(), product.substring(comma + 1).trim());
        }
        return b.build();
    }

    /** {@code thingflux bench merge FILE...}: combines shard results into the result of the whole run. */
    @Command(name = "merge", mixinStandardHelpOptions = true,
            description = {"Combines the --json results of shards that ran side by side into one: counts and rates add up,"
                    + " percentiles come from the merged histograms (each FILE.hdr beside its FILE), so they are exact."})
    static final class Merge implements Callable<Integer> {

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(arity = "1..*", paramLabel = "FILE", description = "Results written by bench --json.")
        List<Path> files;

        @Option(names = "--json", paramLabel = "FILE", description = "Write the merged result here (and FILE.hdr) too.")
        Path json;

        @Override
        public Integer call() {
            PrintWriter err = spec.commandLine().getErr();
            try {
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
