package io.thingflux.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.thingflux.bench.BenchMetrics;
import io.thingflux.bench.BenchResult;
import io.thingflux.bench.BenchResultJson;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class BenchCommandTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cli = new CommandLine(new ThingfluxCli());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void moreDevicesThanTheOpenFileLimitHoldsAreRefusedBeforeAnythingStarts() {
        int code =
                run(
                        "bench",
                        "--devices",
                        "5000000",
                        "--host",
                        "127.0.0.1",
                        "--product",
                        "a1PK,secret");
        assertThat(code).isEqualTo(BenchCommand.EXIT_REFUSED);
        assertThat(err.toString()).contains("5000000 devices need about").contains("ulimit -n");
    }

    @Test
    void badOptionsAreRefusedWithTheOptionNamed() {
        assertThat(run("bench", "--qos", "2")).isEqualTo(BenchCommand.EXIT_REFUSED);
        assertThat(err.toString()).contains("--qos must be 0 or 1");
        assertThat(run("bench", "--shard", "3/3")).isEqualTo(BenchCommand.EXIT_REFUSED);
        assertThat(err.toString()).contains("--shard").contains("0..2");
        assertThat(run("bench", "--client", "paho")).isEqualTo(BenchCommand.EXIT_REFUSED);
        assertThat(err.toString()).contains("--client must be thingflux, hivemq or netty-codec");
        assertThat(run("bench", "--source-ips", "localhost")).isEqualTo(BenchCommand.EXIT_REFUSED);
        assertThat(err.toString()).contains("--source-ips takes IP addresses");
    }

    @Test
    void aDurationWithoutUnitIsAUsageError() {
        assertThat(run("bench", "--interval", "5")).isEqualTo(CommandLine.ExitCode.USAGE);
        assertThat(err.toString()).contains("500ms, 15s, 5m or 2h");
    }

    @Test
    void helpListsTheOptions() {
        assertThat(run("bench", "--help")).isZero();
        assertThat(out.toString())
                .contains(
                        "--connect-rate",
                        "--downlink-rate",
                        "--source-ips",
                        "--shard",
                        "--json",
                        "--report",
                        "merge");
    }

    @Test
    void mergeCombinesShardFilesIntoOneWithTheSpecifiedKeys(@TempDir Path dir) throws Exception {
        Path a = dir.resolve("shard-0.json");
        Path b = dir.resolve("shard-1.json");
        BenchResultJson.write(result(100, 1_000), a);
        BenchResultJson.write(result(60, 3_000), b);
        Path merged = dir.resolve("merged.json");

        assertThat(run("bench", "merge", a.toString(), b.toString(), "--json", merged.toString()))
                .isZero();

        JsonNode json = new ObjectMapper().readTree(merged.toFile());
        assertThat(json.get("devices").get("requested").asLong()).isEqualTo(160);
        assertThat(json.get("publish").get("latency_ms").get("max").asDouble())
                .isCloseTo(3.0, org.assertj.core.api.Assertions.within(0.01));
        assertThat(json.get("publish").get("latency_ms").get("p50").asDouble())
                .isCloseTo(1.0, org.assertj.core.api.Assertions.within(0.01));
        assertThat(out.toString()).contains("160 requested");
    }

    @Test
    void mergeOfAFileWithoutItsHistogramsIsRefused(@TempDir Path dir) throws Exception {
        Path a = dir.resolve("a.json");
        BenchResultJson.write(result(1, 1_000), a);
        java.nio.file.Files.delete(BenchResultJson.sidecar(a));
        assertThat(run("bench", "merge", a.toString())).isEqualTo(BenchCommand.EXIT_REFUSED);
        assertThat(err.toString()).contains("a.json.hdr is missing");
    }

    private static BenchResult result(int devices, long latencyMicros) {
        Histogram h = BenchMetrics.newHistogram();
        h.recordValueWithCount(latencyMicros, devices);
        return new BenchResult(
                "thingflux",
                devices,
                devices,
                0,
                devices,
                h,
                devices,
                devices,
                devices,
                0,
                h,
                0,
                0,
                BenchMetrics.newHistogram(),
                Map.of(),
                1000,
                5);
    }
}
