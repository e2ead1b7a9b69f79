package io.thingflux.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.thingflux.bench.BenchResultJsonTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The packaged command as a user runs it: {@code java -jar perf/target/thingflux.jar bench ...}
 * against the emulator it starts itself, with each client, then the shard merge of two such runs.
 */
class BenchProcessIT {

    private static final Path JAR =
            Paths.get(System.getProperty("user.dir")).resolve("target/thingflux.jar");

    private record Result(int exitCode, String stdout, String stderr) {}

    private static Result bench(Path dir, String... args) throws IOException, InterruptedException {
        List<String> cmd =
                new ArrayList<>(
                        List.of(
                                Paths.get(System.getProperty("java.home"), "bin", "java")
                                        .toString(),
                                "-Xmx512m",
                                "-jar",
                                JAR.toString(),
                                "bench"));
        cmd.addAll(List.of(args));
        Path out = dir.resolve("stdout.txt");
        Path err = dir.resolve("stderr.txt");
        Process p =
                new ProcessBuilder(cmd)
                        .directory(dir.toFile())
                        .redirectOutput(out.toFile())
                        .redirectError(err.toFile())
                        .start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("bench did not finish within 120 s: " + Files.readString(err));
        }
        return new Result(
                p.exitValue(),
                Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    private static List<String> leafPaths(JsonNode node, String prefix) {
        List<String> out = new ArrayList<>();
        Iterator<Map.Entry<String, JsonNode>> it = node.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            String path = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
            if (e.getValue().isObject() && !path.equals("errors")) {
                out.addAll(leafPaths(e.getValue(), path));
            } else {
                out.add(path);
            }
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"thingflux", "hivemq"})
    void twentyDevicesPostAgainstTheEmbeddedEmulatorAndTheJsonHasTheSpecifiedKeys(
            String client, @TempDir Path dir) throws Exception {
        Result r =
                bench(
                        dir,
                        "--client",
                        client,
                        "--devices",
                        "20",
                        "--duration",
                        "3s",
                        "--interval",
                        "500ms",
                        "--json",
                        "f.json");

        assertThat(r.exitCode()).as(r.stderr()).isZero();
        JsonNode json = new ObjectMapper().readTree(dir.resolve("f.json").toFile());
        assertThat(leafPaths(json, ""))
                .containsExactlyElementsOf(BenchResultJsonTest.SPECIFIED_KEYS);
        assertThat(json.get("client").asText()).isEqualTo(client);
        assertThat(json.get("devices").get("requested").asInt()).isEqualTo(20);
        // how many connect within 3 s, and so how many posts leave, depends on how busy the machine
        // is (a cold JVM on two shared cores); what must hold is that every device is accounted
        // for, every post sent is answered, and nothing fails but a connect the run outlasted
        int connected = json.get("devices").get("connected").asInt();
        assertThat(connected).isPositive();
        assertThat(connected + json.get("devices").get("failed").asInt()).isEqualTo(20);
        long sent = json.get("publish").get("sent").asLong();
        assertThat(sent).isPositive();
        assertThat(json.get("publish").get("acked").asLong()).isEqualTo(sent);
        assertThat(json.get("publish").get("latency_ms").get("max").asDouble()).isPositive();
        JsonNode errors = json.get("errors");
        errors.fieldNames()
                .forEachRemaining(
                        reason ->
                                assertThat(reason)
                                        .as(errors.toString())
                                        .isEqualTo("connect_unfinished_at_end"));
        assertThat(r.stdout()).contains("20 requested, " + connected + " connected");
        assertThat(r.stderr()).contains("connected " + connected + "/20");
        assertThat(Files.exists(dir.resolve("f.json.hdr"))).isTrue();
    }

    @Test
    void twoShardsRunSeparatelyMergeIntoTheWholeRun(@TempDir Path dir) throws Exception {
        for (int i = 0; i < 2; i++) {
            Result r =
                    bench(
                            dir,
                            "--devices",
                            "10",
                            "--shard",
                            i + "/2",
                            "--duration",
                            "1s",
                            "--interval",
                            "500ms",
                            "--json",
                            "shard-" + i + ".json");
            assertThat(r.exitCode()).as(r.stderr()).isZero();
        }
        Result merged = bench(dir, "merge", "shard-0.json", "shard-1.json", "--json", "all.json");
        assertThat(merged.exitCode()).as(merged.stderr()).isZero();
        JsonNode all = new ObjectMapper().readTree(dir.resolve("all.json").toFile());
        JsonNode s0 = new ObjectMapper().readTree(dir.resolve("shard-0.json").toFile());
        JsonNode s1 = new ObjectMapper().readTree(dir.resolve("shard-1.json").toFile());
        assertThat(all.get("devices").get("requested").asInt()).isEqualTo(10);
        assertThat(s0.get("devices").get("requested").asInt()).isEqualTo(5);
        assertThat(all.get("publish").get("sent").asLong())
                .isEqualTo(
                        s0.get("publish").get("sent").asLong()
                                + s1.get("publish").get("sent").asLong());
        assertThat(all.get("publish").get("latency_ms").get("max").asDouble())
                .isEqualTo(
                        Math.max(
                                s0.get("publish").get("latency_ms").get("max").asDouble(),
                                s1.get("publish").get("latency_ms").get("max").asDouble()));
    }
}
