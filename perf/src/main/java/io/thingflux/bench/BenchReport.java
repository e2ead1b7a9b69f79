package io.thingflux.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Writes a run's report directory: the result and its histograms, the publish latency per second as
 * an HdrHistogram log ({@code publish-latency.hlog}, readable by HistogramLogProcessor and
 * HdrHistogram's plotters), each latency's percentile distribution as text ({@code *.hgrm}), and
 * two charts drawn headless with XChart: latency by percentile ({@code latency-percentiles.png})
 * and throughput over time ({@code throughput.png}).
 */
public final class BenchReport {

    private static final double[] PERCENTILES = {
        0, 50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99, 99.999, 100
    };

    private BenchReport() {}

    /**
     * Writes the report of {@code result} and its {@code timeline} into {@code dir} (created if
     * needed).
     */
    public static List<Path> write(Path dir, BenchResult result, List<TimelinePoint> timeline)
            throws IOException {
        return write(
                dir,
                result,
                timeline,
                System.currentTimeMillis() - (long) (result.durationSeconds() * 1000));
    }

    /**
     * As {@link #write(Path, BenchResult, List)}, with the run's start as epoch milliseconds for
     * the log.
     */
    public static List<Path> write(
            Path dir, BenchResult result, List<TimelinePoint> timeline, long startEpochMillis)
            throws IOException {
        System.setProperty("java.awt.headless", "true");
        Files.createDirectories(dir);
        List<Path> written = new ArrayList<>();
        Path json = dir.resolve("result.json");
        BenchResultJson.write(result, json);
        written.add(json);
        written.add(BenchResultJson.sidecar(json));
        written.add(writeLog(dir.resolve("publish-latency.hlog"), timeline, startEpochMillis));
        written.add(
                writeDistribution(dir.resolve("connect-latency.hgrm"), result.connectLatency()));
        written.add(
                writeDistribution(dir.resolve("publish-latency.hgrm"), result.publishLatency()));
        written.add(
                writeDistribution(dir.resolve("downlink-latency.hgrm"), result.downlinkLatency()));
        written.add(percentileChart(dir.resolve("latency-percentiles.png"), result));
        written.add(throughputChart(dir.resolve("throughput.png"), result, timeline));
        return written;
    }

    private static Path writeLog(Path file, List<TimelinePoint> timeline, long startEpochMillis)
            throws IOException {
        try (PrintStream out =
                new PrintStream(Files.newOutputStream(file), false, StandardCharsets.UTF_8)) {
            HistogramLogWriter writer = new HistogramLogWriter(out);
            writer.outputComment(
                    "thingflux bench: publish latency (microseconds) per second, from scheduled send to reply");
            writer.outputLogFormatVersion();
            writer.outputStartTime(startEpochMillis);
            writer.setBaseTime(startEpochMillis);
            writer.outputLegend();
            double previous = 0;
            for (TimelinePoint p : timeline) {
                Histogram h = p.publishInterval().copy();
                h.setStartTimeStamp(startEpochMillis + (long) (previous * 1000));
                h.setEndTimeStamp(startEpochMillis + (long) (p.elapsedSeconds() * 1000));
                writer.outputIntervalHistogram(h);
                previous = p.elapsedSeconds();
            }
        }
        return file;
    }

    private static Path writeDistribution(Path file, Histogram h) throws IOException {
        try (PrintStream out =
                new PrintStream(Files.newOutputStream(file), false, StandardCharsets.UTF_8)) {
            out.println("# microseconds; value scaled to milliseconds below");
            h.outputPercentileDistribution(out, 1000.0);
        }
        return file;
    }

    private static Path percentileChart(Path file, BenchResult r) throws IOException {
        XYChart chart =
                new XYChartBuilder()
                        .width(900)
                        .height(540)
                        .title("Latency by percentile (" + r.client() + ")")
                        .xAxisTitle("1/(1-percentile): 10 = p90, 100 = p99, 1000 = p99.9")
                        .yAxisTitle("ms")
                        .build();
        chart.getStyler().setXAxisLogarithmic(true);
        chart.getStyler().setLegendVisible(true);
        addPercentiles(chart, "publish", r.publishLatency());
        addPercentiles(chart, "connect", r.connectLatency());
        addPercentiles(chart, "downlink", r.downlinkLatency());
        if (chart.getSeriesMap().isEmpty()) {
            chart.addSeries("no samples", new double[] {1}, new double[] {0});
        }
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
        return file;
    }

    /** X is 1/(1 - p), the usual HdrHistogram axis where 10 = p90, 100 = p99, 1000 = p99.9. */
    private static void addPercentiles(XYChart chart, String name, Histogram h) {
        if (h.getTotalCount() == 0) {
            return;
        }
        List<Double> xs = new ArrayList<>();
        List<Double> ys = new ArrayList<>();
        for (double p : PERCENTILES) {
            double q = Math.min(p, 99.9999);
            xs.add(1 / (1 - q / 100));
            ys.add((p == 100 ? h.getMaxValue() : h.getValueAtPercentile(p)) / 1000.0);
        }
        chart.addSeries(name, xs, ys).setMarker(SeriesMarkers.CIRCLE);
    }

    private static Path throughputChart(Path file, BenchResult r, List<TimelinePoint> timeline)
            throws IOException {
        XYChart chart =
                new XYChartBuilder()
                        .width(900)
                        .height(540)
                        .title("Throughput (" + r.client() + ")")
                        .xAxisTitle("s")
                        .yAxisTitle("per second / devices")
                        .build();
        List<Double> t = new ArrayList<>();
        List<Double> posts = new ArrayList<>();
        List<Double> acks = new ArrayList<>();
        List<Double> connected = new ArrayList<>();
        for (TimelinePoint p : timeline) {
            t.add(p.elapsedSeconds());
            posts.add(p.postsPerSecond());
            acks.add(p.acksPerSecond());
            connected.add((double) p.connected());
        }
        if (t.isEmpty()) {
            t.add(0.0);
            posts.add(0.0);
            acks.add(0.0);
            connected.add(0.0);
        }
        chart.addSeries("posts/s", t, posts).setMarker(SeriesMarkers.NONE);
        chart.addSeries("acks/s", t, acks).setMarker(SeriesMarkers.NONE);
        chart.addSeries("connected", t, connected).setMarker(SeriesMarkers.NONE);
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
        return file;
    }
}
