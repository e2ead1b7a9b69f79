package io.thingflux.bench.mqtt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thingflux.bench.BenchMetrics;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.DataFormatException;
import org.HdrHistogram.Histogram;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;

/**
 * A scenario result as people and programs read it: the per-stage table on the console, JSON with
 * every stage's counts, rates, percentiles and full histograms (so {@code bench merge} of shards is
 * exact), and two charts per run (throughput and latency percentiles per stage).
 */
public final class ScenarioReport {

    /** The {@code format} of the JSON this class writes. */
    public static final String FORMAT = "thingflux-scenario/1";

    private static final ObjectMapper MAPPER =
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ScenarioReport() {}

    private static String ms(Histogram h, double p) {
        if (h.getTotalCount() == 0) {
            return "-";
        }
        return String.format(Locale.ROOT, "%.2f", h.getValueAtPercentile(p) / 1000.0);
    }

    private static double rate(long n, double seconds) {
        return seconds <= 0 ? 0 : n / seconds;
    }

    /** The end-of-run table: one block per stage. */
    public static String summary(ScenarioResult r) {
        StringBuilder sb = new StringBuilder();
        sb.append(
                String.format(
                        Locale.ROOT,
                        "thingflux bench scenario %s: client %s, %d shard(s), %.1f s, CPU %.2f s (%.2f us per message sent or received)%n",
                        r.scenario(),
                        r.client(),
                        r.shards(),
                        r.seconds(),
                        r.cpuNanos() / 1e9,
                        r.cpuMicrosPerMessage()));
        for (StageResult s : r.stages()) {
            sb.append(
                    String.format(
                            Locale.ROOT,
                            "  stage %-14s %-6s %6.1f s  connects %d (failed %d, %d disconnects)  connect p50/p99 %s/%s ms%n",
                            s.name(),
                            s.type(),
                            s.seconds(),
                            s.connects(),
                            s.connectFailures(),
                            s.disconnects(),
                            ms(s.connectLatency(), 50),
                            ms(s.connectLatency(), 99)));
            sb.append(
                    String.format(
                            Locale.ROOT,
                            "      sent %d (%.0f/s)  acked %d  failed %d  overruns %d  ack p50/p99 %s/%s ms%n",
                            s.sent(),
                            rate(s.sent(), s.seconds()),
                            s.acked(),
                            s.publishFailures(),
                            s.overruns(),
                            ms(s.ackLatency(), 50),
                            ms(s.ackLatency(), 99)));
            sb.append(
                    String.format(
                            Locale.ROOT,
                            "      received %d (%.0f/s)  by QoS 0/1/2: received %d/%d/%d lost %d/%d/%d duplicates %d/%d/%d  e2e p50/p99/max %s/%s/%s ms%n",
                            s.receivedTotal(),
                            rate(s.receivedTotal(), s.seconds()),
                            s.received()[0],
                            s.received()[1],
                            s.received()[2],
                            s.lost()[0],
                            s.lost()[1],
                            s.lost()[2],
                            s.duplicates()[0],
                            s.duplicates()[1],
                            s.duplicates()[2],
                            ms(s.e2eLatency(), 50),
                            ms(s.e2eLatency(), 99),
                            ms(s.e2eLatency(), 100)));
            long msgs = s.sent() + s.receivedTotal();
            if (msgs > 0) {
                sb.append(
                        String.format(
                                Locale.ROOT,
                                "      bench CPU %.2f us per message sent or received (user %.2f us)%n",
                                s.cpuNanos() / 1e3 / msgs,
                                s.cpuUserNanos() / 1e3 / msgs));
            }
            if (!s.errors().isEmpty()) {
                sb.append("      errors ").append(s.errors()).append(System.lineSeparator());
            }
        }
        return sb.toString();
    }

    /** The result as JSON. */
    public static ObjectNode toJson(ScenarioResult r) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("format", FORMAT);
        root.put("scenario", r.scenario());
        root.put("client", r.client());
        root.put("shards", r.shards());
        root.put("seconds", r.seconds());
        root.put("cpuNanos", r.cpuNanos());
        root.put("cpuMicrosPerMessage", r.cpuMicrosPerMessage());
        ArrayNode stages = root.putArray("stages");
        for (StageResult s : r.stages()) {
            ObjectNode n = stages.addObject();
            n.put("name", s.name());
            n.put("type", s.type());
            n.put("seconds", s.seconds());
            n.put("connects", s.connects());
            n.put("connectFailures", s.connectFailures());
            n.put("disconnects", s.disconnects());
            n.put("sent", s.sent());
            n.put("sentPerSecond", rate(s.sent(), s.seconds()));
            n.put("acked", s.acked());
            n.put("publishFailures", s.publishFailures());
            n.put("overruns", s.overruns());
            n.put("receivedPerSecond", rate(s.receivedTotal(), s.seconds()));
            longs(n.putArray("receivedByQos"), s.received());
            longs(n.putArray("lostByQos"), s.lost());
            longs(n.putArray("duplicatesByQos"), s.duplicates());
            n.put("cpuNanos", s.cpuNanos());
            n.put("cpuUserNanos", s.cpuUserNanos());
            latency(n.putObject("connectLatencyMs"), s.connectLatency());
            latency(n.putObject("ackLatencyMs"), s.ackLatency());
            latency(n.putObject("e2eLatencyMs"), s.e2eLatency());
            ObjectNode errors = n.putObject("errors");
            s.errors().forEach(errors::put);
            ObjectNode h = n.putObject("histograms");
            h.put("connect", encode(s.connectLatency()));
            h.put("ack", encode(s.ackLatency()));
            h.put("e2e", encode(s.e2eLatency()));
        }
        return root;
    }

    private static void longs(ArrayNode a, long[] v) {
        for (long x : v) {
            a.add(x);
        }
    }

    private static void latency(ObjectNode n, Histogram h) {
        n.put("count", h.getTotalCount());
        for (double p : new double[] {50, 90, 99, 99.9, 100}) {
            n.put(
                    p == 100
                            ? "max"
                            : "p"
                                    + (p == Math.rint(p)
                                            ? Long.toString((long) p)
                                            : Double.toString(p)),
                    h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(p) / 1000.0);
        }
    }

    private static String encode(Histogram h) {
        ByteBuffer buf = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
        int len = h.encodeIntoCompressedByteBuffer(buf);
        byte[] bytes = new byte[len];
        buf.flip();
        buf.get(bytes);
        return Base64.getEncoder().encodeToString(bytes);
    }

    private static Histogram decode(String text) throws IOException {
        try {
            return Histogram.decodeFromCompressedByteBuffer(
                    ByteBuffer.wrap(Base64.getDecoder().decode(text)),
                    BenchMetrics.HIGHEST_LATENCY_MICROS);
        } catch (DataFormatException | IllegalArgumentException e) {
            throw new IOException("a histogram cannot be read: " + e.getMessage(), e);
        }
    }

    /** Writes the JSON of {@code r} to {@code file}. */
    public static void write(ScenarioResult r, Path file) throws IOException {
        MAPPER.writeValue(file.toFile(), toJson(r));
    }

    /** Whether {@code file} holds a scenario result (rather than an Aliyun bench result). */
    public static boolean isScenarioResult(Path file) throws IOException {
        return FORMAT.equals(MAPPER.readTree(file.toFile()).path("format").asText());
    }

    /** Reads what {@link #write} wrote. */
    public static ScenarioResult read(Path file) throws IOException {
        JsonNode root = MAPPER.readTree(file.toFile());
        if (!FORMAT.equals(root.path("format").asText())) {
            throw new IOException(file + " is not a scenario result (" + FORMAT + ")");
        }
        List<StageResult> stages = new ArrayList<>();
        for (JsonNode n : root.path("stages")) {
            Map<String, Long> errors = new TreeMap<>();
            n.path("errors")
                    .fields()
                    .forEachRemaining(e -> errors.put(e.getKey(), e.getValue().asLong()));
            JsonNode h = n.path("histograms");
            stages.add(
                    new StageResult(
                            n.path("name").asText(),
                            n.path("type").asText(),
                            n.path("seconds").asDouble(),
                            n.path("connects").asLong(),
                            n.path("connectFailures").asLong(),
                            n.path("disconnects").asLong(),
                            n.path("sent").asLong(),
                            n.path("acked").asLong(),
                            n.path("publishFailures").asLong(),
                            n.path("overruns").asLong(),
                            longs(n.path("receivedByQos")),
                            longs(n.path("lostByQos")),
                            longs(n.path("duplicatesByQos")),
                            decode(h.path("connect").asText()),
                            decode(h.path("ack").asText()),
                            decode(h.path("e2e").asText()),
                            n.path("cpuNanos").asLong(),
                            n.path("cpuUserNanos").asLong(),
                            errors));
        }
        return new ScenarioResult(
                root.path("scenario").asText(),
                root.path("client").asText(),
                root.path("shards").asInt(1),
                stages,
                root.path("seconds").asDouble(),
                root.path("cpuNanos").asLong());
    }

    private static long[] longs(JsonNode a) {
        return new long[] {a.path(0).asLong(), a.path(1).asLong(), a.path(2).asLong()};
    }

    /**
     * Writes {@code result.json}, {@code stage-throughput.png} (sent and received per second per
     * stage) and {@code stage-latency.png} (e2e p50/p99 per stage) into {@code dir}.
     */
    public static List<Path> writeReport(Path dir, ScenarioResult r) throws IOException {
        System.setProperty("java.awt.headless", "true");
        Files.createDirectories(dir);
        Path json = dir.resolve("result.json");
        write(r, json);
        List<String> names = r.stages().stream().map(StageResult::name).toList();
        CategoryChart t =
                new CategoryChartBuilder()
                        .width(900)
                        .height(500)
                        .title(r.scenario() + ": throughput per stage (" + r.client() + ")")
                        .xAxisTitle("stage")
                        .yAxisTitle("messages/s")
                        .build();
        t.addSeries(
                "sent/s",
                names,
                r.stages().stream().map(s -> (Number) rate(s.sent(), s.seconds())).toList());
        t.addSeries(
                "received/s",
                names,
                r.stages().stream()
                        .map(s -> (Number) rate(s.receivedTotal(), s.seconds()))
                        .toList());
        Path throughput = dir.resolve("stage-throughput.png");
        BitmapEncoder.saveBitmap(t, throughput.toString(), BitmapEncoder.BitmapFormat.PNG);
        CategoryChart l =
                new CategoryChartBuilder()
                        .width(900)
                        .height(500)
                        .title(r.scenario() + ": end-to-end latency per stage (" + r.client() + ")")
                        .xAxisTitle("stage")
                        .yAxisTitle("ms")
                        .build();
        for (double p : new double[] {50, 99}) {
            l.addSeries(
                    "e2e p" + (long) p,
                    names,
                    r.stages().stream()
                            .map(
                                    s ->
                                            (Number)
                                                    (s.e2eLatency().getTotalCount() == 0
                                                            ? 0.0
                                                            : s.e2eLatency().getValueAtPercentile(p)
                                                                    / 1000.0))
                            .toList());
        }
        Path latency = dir.resolve("stage-latency.png");
        BitmapEncoder.saveBitmap(l, latency.toString(), BitmapEncoder.BitmapFormat.PNG);
        return List.of(json, throughput, latency);
    }
}
