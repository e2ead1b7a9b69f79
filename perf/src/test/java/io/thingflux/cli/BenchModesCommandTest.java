package io.thingflux.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.thingflux.bench.mqtt.ScenarioReport;
import io.thingflux.bench.mqtt.ScenarioResult;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code bench pub|sub|conn}, {@code bench --scenario} and {@code bench merge} of their results.
 */
class BenchModesCommandTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cli = new CommandLine(new ThingfluxCli());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    /**
     * Runs {@code args} with --host/--port of a socket nobody answers; asserts nothing connected.
     */
    private int runAgainstSilentPort(String... args) throws Exception {
        try (ServerSocket server = new ServerSocket(0)) {
            String[] all = new String[args.length + 4];
            System.arraycopy(args, 0, all, 0, args.length);
            all[args.length] = "--host";
            all[args.length + 1] = "127.0.0.1";
            all[args.length + 2] = "--port";
            all[args.length + 3] = Integer.toString(server.getLocalPort());
            int code = run(all);
            server.setSoTimeout(1);
            try {
                server.accept().close();
                throw new AssertionError("the bench connected before refusing");
            } catch (SocketTimeoutException expected) {
                // nothing connected
            }
            return code;
        }
    }

    @Test
    void aMalformedScenarioFailsBeforeAnyConnectionNamingTheLine(@TempDir Path dir)
            throws Exception {
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(
                bad,
                "name: bad\ngroups:\n  - name: p\n    kind: pub\n    count: 2\n    topic: t/%i\n"
                        + "    payload: {template: 'x {temp}'}\nstages:\n  - {type: ramp, group: p}\n");
        assertThat(runAgainstSilentPort("bench", "--scenario", bad.toString()))
                .isEqualTo(BenchCommand.EXIT_REFUSED);
        assertThat(err.toString())
                .contains("bad.yaml line 7")
                .contains("unknown placeholder {temp}");
    }

    @Test
    void aMalformedTemplateOrPatternFailsBeforeAnyConnection() throws Exception {
        assertThat(runAgainstSilentPort("bench", "pub", "--payload", "template:{int:9:1}"))
                .isEqualTo(BenchCommand.EXIT_REFUSED);
        assertThat(err.toString()).contains("template column 1").contains("MIN is above MAX");
        assertThat(runAgainstSilentPort("bench", "sub", "-t", "a/#/b"))
                .isEqualTo(BenchCommand.EXIT_REFUSED);
        assertThat(runAgainstSilentPort("bench", "conn", "--client", "paho"))
                .isEqualTo(BenchCommand.EXIT_REFUSED);
        assertThat(err.toString()).contains("--client must be thingflux, hivemq or netty-codec");
    }

    @Test
    void connSubAndPubRunAgainstTheEmulatorAndShardResultsMerge(@TempDir Path dir)
            throws Exception {
        assertThat(run("bench", "conn", "-c", "3", "--duration", "200ms")).isZero();
        assertThat(out.toString()).contains("stage ramp").contains("connects 3 (failed 0");
        assertThat(run("bench", "sub", "-c", "2", "--duration", "200ms", "--client", "netty-codec"))
                .isZero();
        Path json = dir.resolve("pub.json");
        assertThat(
                        run(
                                "bench",
                                "pub",
                                "-c",
                                "2",
                                "--rate",
                                "20",
                                "-q",
                                "1",
                                "--duration",
                                "300ms",
                                "--client",
                                "hivemq",
                                "--payload",
                                "template:{\"t\":{float:1:2}}",
                                "--json",
                                json.toString()))
                .withFailMessage(err::toString)
                .isZero();
        ScenarioResult one = ScenarioReport.read(json);
        long sent = one.stages().stream().mapToLong(s -> s.sent()).sum();
        assertThat(sent).isPositive();
        Path merged = dir.resolve("merged.json");
        assertThat(
                        run(
                                "bench",
                                "merge",
                                json.toString(),
                                json.toString(),
                                "--json",
                                merged.toString()))
                .isZero();
        ScenarioResult both = ScenarioReport.read(merged);
        assertThat(both.shards()).isEqualTo(2);
        assertThat(both.stages().stream().mapToLong(s -> s.sent()).sum()).isEqualTo(2 * sent);
        assertThat(both.stages().get(1).ackLatency().getTotalCount())
                .isEqualTo(2 * one.stages().get(1).ackLatency().getTotalCount());
    }

    @Test
    void theAliyunModePostsValuesFromTheProductTsl(@TempDir Path dir) throws Exception {
        Path tsl = dir.resolve("tsl.json");
        Files.writeString(
                tsl,
                "{\"properties\":[{\"identifier\":\"Temp\",\"dataType\":{\"type\":\"float\","
                        + "\"specs\":{\"min\":\"-5\",\"max\":\"5\",\"step\":\"0.1\"}}},"
                        + "{\"identifier\":\"Mode\",\"dataType\":{\"type\":\"enum\",\"specs\":{\"1\":\"a\",\"2\":\"b\"}}}]}");
        assertThat(
                        run(
                                "bench",
                                "--devices",
                                "2",
                                "--interval",
                                "100ms",
                                "--duration",
                                "500ms",
                                "--tsl",
                                tsl.toString()))
                .withFailMessage(err::toString)
                .isZero();
        assertThat(out.toString()).contains("errors     none").doesNotContain(" 0 acked");
        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, "{\"properties\":[]}");
        assertThat(run("bench", "--tsl", bad.toString())).isEqualTo(BenchCommand.EXIT_REFUSED);
        assertThat(err.toString()).contains("no \"properties\" array");
    }

    @Test
    void theShippedDeviceScenarioPostsTslValuesAndGetsPropertySetsThroughTheAdminApi(
            @TempDir Path dir) throws Exception {
        Path json = dir.resolve("devices.json");
        assertThat(
                        run(
                                "bench",
                                "--scenario",
                                "scenarios/devices.yaml",
                                "--client",
                                "netty-codec",
                                "--json",
                                json.toString()))
                .withFailMessage(err::toString)
                .isZero();
        ScenarioResult r = ScenarioReport.read(json);
        var stages = r.stages();
        assertThat(stages.get(0).connects()).isEqualTo(20);
        assertThat(stages.get(1).sent()).isPositive();
        assertThat(stages.get(1).acked()).isEqualTo(stages.get(1).sent());
        assertThat(stages.get(2).disconnects()).isEqualTo(2);
        // 2 rounds of property sets to 10 devices, each received once (sent and acked count the
        // devices' posts too)
        assertThat(stages.get(3).sent()).isGreaterThanOrEqualTo(20);
        assertThat(stages.get(3).acked()).isEqualTo(stages.get(3).sent());
        assertThat(stages.get(3).received()[1]).isEqualTo(20);
        assertThat(stages.get(3).lostTotal() + stages.get(3).duplicatesTotal()).isZero();
        assertThat(stages.get(4).disconnects()).isEqualTo(20);
        assertThat(stages.get(4).connects()).isGreaterThanOrEqualTo(20);
        for (var s : stages) {
            assertThat(s.connectFailures()).as(s.name()).isZero();
            assertThat(s.publishFailures()).as(s.name()).isZero();
        }
    }

    @Test
    void theAliyunModeServesLiveMetricsWhileItRuns() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        java.util.concurrent.CompletableFuture<Integer> bench =
                java.util.concurrent.CompletableFuture.supplyAsync(
                        () ->
                                run(
                                        "bench",
                                        "--devices",
                                        "2",
                                        "--interval",
                                        "100ms",
                                        "--duration",
                                        "3s",
                                        "--prometheus-port",
                                        Integer.toString(port)));
        String body = null;
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
        while (body == null && !bench.isDone() && System.nanoTime() < deadline) {
            try (var in =
                    java.net
                            .URI
                            .create("http://127.0.0.1:" + port + "/metrics")
                            .toURL()
                            .openStream()) {
                String text =
                        new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                if (text.matches(
                        "(?s).*thingflux_bench_acked_total\\{[^}]*scenario=\"aliyun\"[^}]*\\} [1-9].*")) {
                    body = text;
                }
            } catch (java.io.IOException notYet) {
                // not serving yet, or between scrapes
            }
            if (body == null) {
                Thread.sleep(100);
            }
        }
        assertThat(bench.get(30, java.util.concurrent.TimeUnit.SECONDS)).isZero();
        assertThat(body)
                .as("a scrape while running")
                .isNotNull()
                .contains("thingflux_bench_latency_seconds{")
                .contains("shard=\"0/1\"");
    }
}
