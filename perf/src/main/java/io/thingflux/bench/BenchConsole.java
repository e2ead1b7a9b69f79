package io.thingflux.bench;

import java.util.Locale;
import java.util.Map;

/**
 * The human side of a run: the progress line each second (stderr) and the summary table at the end
 * (stdout).
 */
public final class BenchConsole {

    private BenchConsole() {}

    /**
     * {@code [ 12s] connected 9000/9000 posts 9000/s acks 8990/s overruns 0 errors 0 p99 3.2 ms}.
     */
    public static String progressLine(TimelinePoint p, int devices) {
        return String.format(
                Locale.ROOT,
                "[%5.0fs] connected %d/%d  posts %.0f/s  acks %.0f/s  overruns %d  errors %d  p99 %s",
                p.elapsedSeconds(),
                p.connected(),
                devices,
                p.postsPerSecond(),
                p.acksPerSecond(),
                p.overruns(),
                p.errors(),
                p.publishP99SoFarMicros() == 0 ? "-" : ms(p.publishP99SoFarMicros() / 1000.0));
    }

    /** The end-of-run table. */
    public static String summary(BenchResult r) {
        StringBuilder sb = new StringBuilder();
        sb.append(
                String.format(
                        Locale.ROOT,
                        "thingflux bench: client %s, %.1f s%n",
                        r.client(),
                        r.durationSeconds()));
        row(
                sb,
                "devices",
                String.format(
                        Locale.ROOT,
                        "%d requested, %d connected, %d failed",
                        r.requested(),
                        r.connected(),
                        r.failed()));
        row(
                sb,
                "connect",
                String.format(
                        Locale.ROOT,
                        "%.1f/s   p50 %s  p99 %s  max %s",
                        r.connectPerSecond(),
                        ms(BenchResultJson.millis(r.connectLatency(), "p50")),
                        ms(BenchResultJson.millis(r.connectLatency(), "p99")),
                        ms(BenchResultJson.millis(r.connectLatency(), "max"))));
        row(
                sb,
                "publish",
                String.format(
                        Locale.ROOT,
                        "%d sent, %d acked, %.1f/s, %d overruns",
                        r.sent(),
                        r.acked(),
                        r.publishPerSecond(),
                        r.overruns()));
        row(
                sb,
                "  latency",
                String.format(
                        Locale.ROOT,
                        "p50 %s  p90 %s  p99 %s  p99.9 %s  max %s",
                        ms(BenchResultJson.millis(r.publishLatency(), "p50")),
                        ms(BenchResultJson.millis(r.publishLatency(), "p90")),
                        ms(BenchResultJson.millis(r.publishLatency(), "p99")),
                        ms(BenchResultJson.millis(r.publishLatency(), "p999")),
                        ms(BenchResultJson.millis(r.publishLatency(), "max"))));
        row(
                sb,
                "downlink",
                String.format(
                        Locale.ROOT,
                        "%d sent, %d received   p50 %s  p99 %s  max %s",
                        r.downlinkSent(),
                        r.downlinkReceived(),
                        ms(BenchResultJson.millis(r.downlinkLatency(), "p50")),
                        ms(BenchResultJson.millis(r.downlinkLatency(), "p99")),
                        ms(BenchResultJson.millis(r.downlinkLatency(), "max"))));
        row(
                sb,
                "heap",
                String.format(
                        Locale.ROOT, "%d bytes per connected device", r.heapUsedBytesPerDevice()));
        if (r.errors().isEmpty()) {
            row(sb, "errors", "none");
        } else {
            for (Map.Entry<String, Long> e : r.errors().entrySet()) {
                row(sb, "errors", e.getKey() + " " + e.getValue());
            }
        }
        return sb.toString();
    }

    private static void row(StringBuilder sb, String name, String value) {
        sb.append(String.format(Locale.ROOT, "  %-10s %s%n", name, value));
    }

    private static String ms(double ms) {
        return String.format(Locale.ROOT, "%.2f ms", ms);
    }
}
