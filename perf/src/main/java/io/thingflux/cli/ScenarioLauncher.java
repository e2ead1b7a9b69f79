package io.thingflux.cli;

import io.thingflux.bench.BenchRefusedException;
import io.thingflux.bench.Shard;
import io.thingflux.bench.live.LiveMeters;
import io.thingflux.bench.live.PrometheusEndpoint;
import io.thingflux.bench.mqtt.MqttLoadClient;
import io.thingflux.bench.mqtt.MqttLoadClients;
import io.thingflux.bench.mqtt.MqttTarget;
import io.thingflux.bench.mqtt.Scenario;
import io.thingflux.bench.mqtt.ScenarioReport;
import io.thingflux.bench.mqtt.ScenarioResult;
import io.thingflux.bench.mqtt.ScenarioRun;
import io.thingflux.emulator.platform.AliyunPlatformEmulator;
import io.thingflux.emulator.platform.AuthMode;
import io.thingflux.emulator.platform.EmulatorOptions;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.function.BiFunction;
import picocli.CommandLine.Option;

/**
 * Runs a plain MQTT scenario for {@code bench --scenario} and {@code bench pub|sub|conn}: against
 * the given broker, or the emulator started in this process in {@code --auth none} mode; prints the
 * per-stage summary and writes what was asked for.
 */
final class ScenarioLauncher {

    private static final String LOOPBACK = "127.0.0.1";

    private ScenarioLauncher() {}

    /** Where results go and where live metrics are served. */
    static final class Output {
        @Option(
                names = "--json",
                paramLabel = "FILE",
                description = "Write the per-stage result (with histograms) as JSON.")
        Path json;

        @Option(
                names = "--report",
                paramLabel = "DIR",
                description = "Write result.json and per-stage PNG charts into DIR.")
        Path report;

        @Option(
                names = "--prometheus-port",
                paramLabel = "PORT",
                description =
                        "Serve live counters and latency percentiles (per stage and shard) at http://0.0.0.0:PORT/metrics while running.")
        Integer prometheusPort;
    }

    /**
     * The product and admin API of {@code kind: device} groups against {@code --host}.
     *
     * @param product {@code PK,PRODUCT_SECRET}, or {@code null}
     * @param adminPort the admin API's port on the host, or {@code null}
     */
    record DeviceOptions(String product, Integer adminPort) {
        @Override
        public String toString() {
            return "DeviceOptions[adminPort=" + adminPort + "]";
        }
    }

    private static String adminToken() {
        String t = System.getenv(io.thingflux.bench.BenchTarget.ADMIN_TOKEN_ENV);
        return t == null || t.isBlank() ? null : t;
    }

    /** As the other run, without device groups' options. */
    static int run(
            Scenario scenario,
            Shard shard,
            boolean embedded,
            BiFunction<String, Integer, MqttTarget> target,
            Output output,
            PrintWriter out,
            PrintWriter err) {
        return run(scenario, shard, embedded, target, null, output, out, err);
    }

    /**
     * Runs {@code scenario}.
     *
     * @param target the target given the host and port of the embedded emulator (used when no host
     *     was given: {@code null}, 0 when a host was given)
     * @param embedded whether to start the emulator here
     * @return the exit code
     */
    static int run(
            Scenario scenario,
            Shard shard,
            boolean embedded,
            BiFunction<String, Integer, MqttTarget> target,
            DeviceOptions deviceOptions,
            Output output,
            PrintWriter out,
            PrintWriter err) {
        AliyunPlatformEmulator emulator = null;
        PrometheusEndpoint endpoint = null;
        io.thingflux.bench.LoadClient deviceClient = null;
        boolean hasDevices =
                scenario.groups().stream().anyMatch(g -> g.kind() == Scenario.Kind.DEVICE);
        boolean hasMqtt =
                scenario.groups().stream().anyMatch(g -> g.kind() != Scenario.Kind.DEVICE);
        try {
            String productKey = null;
            String productSecret = null;
            if (hasDevices && embedded) {
                if (hasMqtt) {
                    throw new IllegalArgumentException(
                            "the emulator here runs either Aliyun devices or plain MQTT clients; give --host"
                                    + " for a scenario with both");
                }
                byte[] random = new byte[16];
                new java.security.SecureRandom().nextBytes(random);
                productKey = io.thingflux.bench.BenchOptions.EMBEDDED_PRODUCT_KEY;
                productSecret = java.util.HexFormat.of().formatHex(random);
                emulator =
                        AliyunPlatformEmulator.start(
                                EmulatorOptions.builder()
                                        .host(LOOPBACK)
                                        .port(0)
                                        .adminHost(LOOPBACK)
                                        .adminPort(0)
                                        .product(productKey, productSecret)
                                        .build());
            } else if (hasDevices) {
                String p = deviceOptions == null ? null : deviceOptions.product();
                int comma = p == null ? -1 : p.indexOf(',');
                if (comma <= 0 || deviceOptions.adminPort() == null) {
                    throw new IllegalArgumentException(
                            "device groups against --host need --product PK,PRODUCT_SECRET and --admin-port");
                }
                productKey = p.substring(0, comma);
                productSecret = p.substring(comma + 1);
            } else if (embedded) {
                emulator =
                        AliyunPlatformEmulator.start(
                                EmulatorOptions.builder()
                                        .host(LOOPBACK)
                                        .port(0)
                                        .authMode(AuthMode.NONE)
                                        .build());
            }
            MqttTarget t =
                    target.apply(LOOPBACK, emulator == null ? 0 : emulator.mqttAddress().getPort());
            ScenarioResult result;
            try (MqttLoadClient client = MqttLoadClients.create(t)) {
                ScenarioRun run = new ScenarioRun(scenario, shard, client, System.err);
                if (hasDevices) {
                    Scenario.Group first =
                            scenario.groups().stream()
                                    .filter(g -> g.kind() == Scenario.Kind.DEVICE)
                                    .findFirst()
                                    .orElseThrow();
                    deviceClient =
                            io.thingflux.bench.client.LoadClients.create(
                                    t.client(),
                                    new io.thingflux.bench.LoadClientConfig(
                                            t.host(),
                                            t.port(),
                                            t.tls(),
                                            first.qos(),
                                            io.thingflux.bench.BenchOptions.DEFAULT_KEEP_ALIVE,
                                            io.thingflux.bench.BenchOptions.DEFAULT_REPLY_TIMEOUT),
                                    first.inflight());
                    int adminPort =
                            emulator != null
                                    ? emulator.adminAddress().orElseThrow().getPort()
                                    : deviceOptions.adminPort();
                    run.withDevices(
                            new ScenarioRun.DeviceSupport(
                                    deviceClient,
                                    productKey,
                                    productSecret,
                                    new io.thingflux.bench.AdminApiDownlinkSender(
                                            t.host(), adminPort, adminToken())));
                }
                if (output.prometheusPort != null) {
                    endpoint = PrometheusEndpoint.start("0.0.0.0", output.prometheusPort);
                    LiveMeters.bindScenario(endpoint.registry(), run, client.name());
                    if (emulator != null) {
                        LiveMeters.bindBroker(endpoint.registry(), emulator::stats);
                    }
                    err.println("bench: metrics at http://0.0.0.0:" + endpoint.port() + "/metrics");
                    err.flush();
                }
                result = run.run();
            }
            out.print(ScenarioReport.summary(result));
            if (embedded) {
                out.println(
                        "  (CPU includes the emulator in this process; run the broker apart and give --host to measure the bench alone)");
            }
            out.flush();
            if (output.json != null) {
                ScenarioReport.write(result, output.json);
            }
            if (output.report != null) {
                ScenarioReport.writeReport(output.report, result);
            }
            return 0;
        } catch (BenchRefusedException | IllegalArgumentException e) {
            return BenchCommand.refused(err, e.getMessage());
        } catch (InterruptedException | IOException | RuntimeException e) {
            return BenchCommand.failed(err, e);
        } finally {
            if (deviceClient != null) {
                deviceClient.close();
            }
            if (endpoint != null) {
                endpoint.close();
            }
            if (emulator != null) {
                emulator.close();
            }
        }
    }
}
