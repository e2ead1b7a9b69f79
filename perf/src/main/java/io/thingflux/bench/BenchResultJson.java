package io.thingflux.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.DataFormatException;
import org.HdrHistogram.Histogram;

/**
 * Writes and reads {@link BenchResult}s. The result file has exactly the keys of the bench's JSON
 * format (below), latencies in milliseconds; the full histograms go beside it in a sidecar file
 * ({@code FILE.hdr}: compressed HdrHistograms, base64) so that {@code bench merge} computes exact
 * percentiles over shards.
 *
 * <pre>
 * {"client", "devices":{"requested","connected","failed"},
 *  "connect":{"per_second","latency_ms":{"p50","p99","max"}},
 *  "publish":{"sent","acked","per_second","overruns","latency_ms":{"p50","p90","p99","p999","max"}},
 *  "downlink":{"sent","received","latency_ms":{"p50","p99","max"}},
 *  "errors":{reason:count}, "memory":{"heap_used_bytes_per_device"}, "duration_s"}
 * </pre>
 */
public final class BenchResultJson {

    /** Suffix of the histogram sidecar file. */
    public static final String SIDECAR_SUFFIX = ".hdr";

    /** Format tag written into the sidecar. */
    public static final String SIDECAR_FORMAT = "thingflux-bench-histograms/1";

    private static final ObjectMapper MAPPER =
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private BenchResultJson() {}

    /** The result as the bench's JSON. */
    public static ObjectNode toJson(BenchResult r) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("client", r.client());
        ObjectNode devices = root.putObject("devices");
        devices.put("requested", r.requested());
        devices.put("connected", r.connected());
        devices.put("failed", r.failed());
        ObjectNode connect = root.putObject("connect");
        connect.put("per_second", round(r.connectPerSecond()));
        latencies(connect.putObject("latency_ms"), r.connectLatency(), "p50", "p99", "max");
        ObjectNode publish = root.putObject("publish");
        publish.put("sent", r.sent());
        publish.put("acked", r.acked());
        publish.put("per_second", round(r.publishPerSecond()));
        publish.put("overruns", r.overruns());
        latencies(
                publish.putObject("latency_ms"),
                r.publishLatency(),
                "p50",
                "p90",
                "p99",
                "p999",
                "max");
        ObjectNode downlink = root.putObject("downlink");
        downlink.put("sent", r.downlinkSent());
        downlink.put("received", r.downlinkReceived());
        latencies(downlink.putObject("latency_ms"), r.downlinkLatency(), "p50", "p99", "max");
        ObjectNode errors = root.putObject("errors");
        r.errors().forEach(errors::put);
        root.putObject("memory").put("heap_used_bytes_per_device", r.heapUsedBytesPerDevice());
        root.put("duration_s", round(r.durationSeconds()));
        return root;
    }

    private static void latencies(ObjectNode node, Histogram h, String... keys) {
        for (String key : keys) {
            node.put(key, millis(h, key));
        }
    }

    /**
     * The latency named {@code key} ({@code p50}, {@code p999}, {@code max}, ...) of {@code h}, in
     * ms.
     */
    static double millis(Histogram h, String key) {
        if (h.getTotalCount() == 0) {
            return 0;
        }
        long micros;
        switch (key) {
            case "max":
                micros = h.getMaxValue();
                break;
            case "p999":
                micros = h.getValueAtPercentile(99.9);
                break;
            default:
                micros = h.getValueAtPercentile(Double.parseDouble(key.substring(1)));
        }
        return micros / 1000.0;
    }

    private static double round(double v) {
        return Math.round(v * 1000.0) / 1000.0;
    }

    /** Writes the result to {@code file} and its histograms to {@code file + ".hdr"}. */
    public static void write(BenchResult r, Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        MAPPER.writeValue(file.toFile(), toJson(r));
        writeHistograms(r, sidecar(file));
    }

    /** Writes the histograms of {@code r} to {@code file}. */
    public static void writeHistograms(BenchResult r, Path file) throws IOException {
        ObjectNode side = MAPPER.createObjectNode();
        side.put("format", SIDECAR_FORMAT);
        side.put("unit", "microseconds");
        side.put("connect", encode(r.connectLatency()));
        side.put("publish", encode(r.publishLatency()));
        side.put("downlink", encode(r.downlinkLatency()));
        MAPPER.writeValue(file.toFile(), side);
    }

    /** The sidecar of result file {@code file}. */
    public static Path sidecar(Path file) {
        return file.resolveSibling(file.getFileName() + SIDECAR_SUFFIX);
    }

    /**
     * Reads a result written by {@link #write}, histograms included.
     *
     * @throws IOException when the file or its sidecar is missing or malformed, saying which
     */
    public static BenchResult read(Path file) throws IOException {
        JsonNode root = MAPPER.readTree(file.toFile());
        Path side = sidecar(file);
        if (!Files.exists(side)) {
            throw new IOException(
                    side
                            + " is missing: percentiles cannot be merged without the histograms the bench"
                            + " writes beside its --json file");
        }
        JsonNode hist = MAPPER.readTree(side.toFile());
        if (!SIDECAR_FORMAT.equals(hist.path("format").asText())) {
            throw new IOException(
                    side + " is not a bench histogram file (format " + hist.path("format") + ")");
        }
        Map<String, Long> errors = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = required(root, file, "errors").fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            errors.put(e.getKey(), e.getValue().asLong());
        }
        JsonNode devices = required(root, file, "devices");
        JsonNode connect = required(root, file, "connect");
        JsonNode publish = required(root, file, "publish");
        JsonNode downlink = required(root, file, "downlink");
        return new BenchResult(
                required(root, file, "client").asText(),
                devices.path("requested").asLong(),
                devices.path("connected").asLong(),
                devices.path("failed").asLong(),
                connect.path("per_second").asDouble(),
                decode(hist, side, "connect"),
                publish.path("sent").asLong(),
                publish.path("acked").asLong(),
                publish.path("per_second").asDouble(),
                publish.path("overruns").asLong(),
                decode(hist, side, "publish"),
                downlink.path("sent").asLong(),
                downlink.path("received").asLong(),
                decode(hist, side, "downlink"),
                errors,
                required(root, file, "memory").path("heap_used_bytes_per_device").asLong(),
                required(root, file, "duration_s").asDouble());
    }

    private static JsonNode required(JsonNode root, Path file, String key) throws IOException {
        JsonNode n = root.get(key);
        if (n == null) {
            throw new IOException(file + " is not a bench result: no \"" + key + "\"");
        }
        return n;
    }

    static String encode(Histogram h) {
        ByteBuffer buf = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
        int len = h.encodeIntoCompressedByteBuffer(buf);
        byte[] bytes = new byte[len];
        buf.flip();
        buf.get(bytes);
        return Base64.getEncoder().encodeToString(bytes);
    }

    static Histogram decode(JsonNode side, Path file, String key) throws IOException {
        JsonNode n = side.get(key);
        if (n == null) {
            throw new IOException(file + " has no \"" + key + "\" histogram");
        }
        try {
            Histogram h =
                    Histogram.decodeFromCompressedByteBuffer(
                            ByteBuffer.wrap(Base64.getDecoder().decode(n.asText())), 0);
            Histogram out = BenchMetrics.newHistogram();
            out.add(h);
            return out;
        } catch (DataFormatException | IllegalArgumentException e) {
            throw new IOException(
                    file + ": the \"" + key + "\" histogram is corrupt: " + e.getMessage(), e);
        }
    }
}
