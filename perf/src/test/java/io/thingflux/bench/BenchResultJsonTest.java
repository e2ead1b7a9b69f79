package io.thingflux.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

public class BenchResultJsonTest {

    /** The key set of issue 8, every leaf as a path; errors' own keys are reasons and vary. */
    public static final List<String> SPECIFIED_KEYS =
            List.of(
                    "client",
                    "devices.requested",
                    "devices.connected",
                    "devices.failed",
                    "connect.per_second",
                    "connect.latency_ms.p50",
                    "connect.latency_ms.p99",
                    "connect.latency_ms.max",
                    "publish.sent",
                    "publish.acked",
                    "publish.per_second",
                    "publish.overruns",
                    "publish.latency_ms.p50",
                    "publish.latency_ms.p90",
                    "publish.latency_ms.p99",
                    "publish.latency_ms.p999",
                    "publish.latency_ms.max",
                    "downlink.sent",
                    "downlink.received",
                    "downlink.latency_ms.p50",
                    "downlink.latency_ms.p99",
                    "downlink.latency_ms.max",
                    "errors",
                    "memory.heap_used_bytes_per_device",
                    "duration_s");

    static Histogram histogram(long fromMicros, long toMicros, long step) {
        Histogram h = BenchMetrics.newHistogram();
        for (long v = fromMicros; v <= toMicros; v += step) {
            h.recordValue(v);
        }
        return h;
    }

    static BenchResult sample(
            String client, long requested, Histogram publish, Map<String, Long> errors) {
        return new BenchResult(
                client,
                requested,
                requested - 1,
                1,
                250.0,
                histogram(1_000, 5_000, 1_000),
                1000,
                990,
                99.0,
                7,
                publish,
                10,
                9,
                histogram(2_000, 2_000, 1),
                errors,
                2_500,
                12.5);
    }

    static List<String> leafPaths(JsonNode node, String prefix, boolean errorsAsLeaf) {
        List<String> out = new ArrayList<>();
        Iterator<Map.Entry<String, JsonNode>> it = node.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            String path = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
            if (e.getValue().isObject() && !(errorsAsLeaf && path.equals("errors"))) {
                out.addAll(leafPaths(e.getValue(), path, errorsAsLeaf));
            } else {
                out.add(path);
            }
        }
        return out;
    }

    @Test
    void theJsonHasExactlyTheSpecifiedKeys() {
        JsonNode json =
                BenchResultJson.toJson(
                        sample(
                                "thingflux",
                                100,
                                histogram(1, 100_000, 7),
                                Map.of("reply_timeout", 3L, "connect_mqtt_connect", 1L)));
        assertThat(leafPaths(json, "", true)).containsExactlyElementsOf(SPECIFIED_KEYS);
        assertThat(json.get("errors").get("reply_timeout").asLong()).isEqualTo(3);
        assertThat(json.get("errors").get("connect_mqtt_connect").asLong()).isEqualTo(1);
    }

    @Test
    void latenciesAreWrittenInMillisecondsFromTheHistogram() {
        JsonNode json =
                BenchResultJson.toJson(
                        sample("hivemq", 10, histogram(1_000, 100_000, 1_000), Map.of()));
        JsonNode pub = json.get("publish").get("latency_ms");
        assertThat(pub.get("p50").asDouble())
                .isCloseTo(50.0, org.assertj.core.api.Assertions.within(0.1));
        assertThat(pub.get("p99").asDouble())
                .isCloseTo(99.0, org.assertj.core.api.Assertions.within(0.1));
        assertThat(pub.get("max").asDouble())
                .isCloseTo(100.0, org.assertj.core.api.Assertions.within(0.1));
        assertThat(json.get("client").asText()).isEqualTo("hivemq");
        assertThat(json.get("devices").get("failed").asLong()).isEqualTo(1);
        assertThat(json.get("errors").size()).isZero();
    }

    @Test
    void anEmptyHistogramIsWrittenAsZeros() {
        BenchResult r = sample("thingflux", 1, BenchMetrics.newHistogram(), Map.of());
        JsonNode json = BenchResultJson.toJson(r);
        assertThat(json.get("publish").get("latency_ms").get("p999").asDouble()).isZero();
    }

    @Test
    void aWrittenResultReadsBackWithItsHistogramsAndTheFileKeepsOnlyTheSpecifiedKeys(
            @TempDir Path dir) throws IOException {
        BenchResult r =
                sample("thingflux", 100, histogram(1, 100_000, 7), Map.of("reply_timeout", 3L));
        Path f = dir.resolve("run.json");
        BenchResultJson.write(r, f);
        JsonNode onDisk = new ObjectMapper().readTree(f.toFile());
        assertThat(leafPaths(onDisk, "", true)).containsExactlyElementsOf(SPECIFIED_KEYS);
        assertThat(Files.exists(dir.resolve("run.json.hdr"))).isTrue();

        BenchResult back = BenchResultJson.read(f);
        assertThat(back.publishLatency()).isEqualTo(r.publishLatency());
        assertThat(back.connectLatency()).isEqualTo(r.connectLatency());
        assertThat(back.errors()).isEqualTo(r.errors());
        assertThat(back.overruns()).isEqualTo(7);
        assertThat(back.heapUsedBytesPerDevice()).isEqualTo(2_500);
    }

    @Test
    void readingWithoutTheSidecarSaysWhyMergedPercentilesNeedIt(@TempDir Path dir)
            throws IOException {
        Path f = dir.resolve("run.json");
        BenchResultJson.write(sample("thingflux", 1, histogram(1, 10, 1), Map.of()), f);
        Files.delete(BenchResultJson.sidecar(f));
        assertThatThrownBy(() -> BenchResultJson.read(f))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("run.json.hdr is missing");
    }
}
