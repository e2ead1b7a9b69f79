package io.thingflux.spring.example;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.thingflux.spring.ThingfluxConnection;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import reactor.core.Disposable;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.resources.LoopResources;

/**
 * Measures the example's device stream with many SSE clients at once: heap per connected client and
 * the latency of an event from the platform's property set to each client, p50/p99/max. Not a CI
 * test (its name does not end in Test); run it with {@code -Dsse.measure=true}, see perf/README.md
 * "SSE fan-out". Settings: {@code -Dsse.clients} (1000), {@code -Dsse.events} (300), {@code
 * -Dsse.intervalMs} (100), {@code -Dsse.warmup} (50 events not counted).
 *
 * <p>Clients and server share this JVM, so the heap figure covers both ends of each connection (a
 * reactor-netty client connection with a line buffer is part of it).
 */
@EnabledIfSystemProperty(named = "sse.measure", matches = "true")
class SseFanoutMeasurement {

    private static final Pattern STAMP = Pattern.compile("\"T\":(\\d+)");

    @Test
    void manyClientsOnOneDevicesStream() throws InterruptedException {
        int clients = Integer.getInteger("sse.clients", 1000);
        int events = Integer.getInteger("sse.events", 300);
        long intervalMs = Long.getLong("sse.intervalMs", 100);
        int warmup = Integer.getInteger("sse.warmup", 50);

        ConfigurableApplicationContext app =
                new SpringApplicationBuilder(ExampleApplication.class)
                        .properties(
                                "server.port=0",
                                "thingflux.example.demo-interval=0s",
                                "logging.level.root=WARN")
                        .run();
        LoopResources loops = LoopResources.create("sse-measure-client", 2, true);
        ConnectionProvider connections =
                ConnectionProvider.builder("sse-measure").maxConnections(clients + 10).build();
        List<Disposable> subscribed = new ArrayList<>(clients);
        try {
            int port = ((WebServerApplicationContext) app).getWebServer().getPort();
            EmbeddedPlatform platform = app.getBean(EmbeddedPlatform.class);
            DeviceMessages messages = app.getBean(DeviceMessages.class);
            await().atMost(Duration.ofSeconds(30))
                    .until(
                            () ->
                                    app.getBean(
                                                    "thingfluxAliyunConnection",
                                                    ThingfluxConnection.class)
                                            .isReady());
            String pk = platform.device().productKey();
            String dn = platform.device().deviceName();

            long heapBefore = settledHeap();
            Histogram latency = new ConcurrentHistogram(3);
            AtomicLong received = new AtomicLong();
            AtomicLong counting = new AtomicLong(Long.MAX_VALUE);
            HttpClient http =
                    HttpClient.create(connections)
                            .runOn(loops)
                            .baseUrl("http://127.0.0.1:" + port)
                            .headers(h -> h.add("Accept", "text/event-stream"));
            for (int i = 0; i < clients; i++) {
                subscribed.add(
                        http.get()
                                .uri("/devices/" + dn + "/messages")
                                .responseContent()
                                .asString()
                                .subscribe(
                                        chunk -> {
                                            long now = System.nanoTime();
                                            Matcher m = STAMP.matcher(chunk);
                                            while (m.find()) {
                                                long sent = Long.parseLong(m.group(1));
                                                received.incrementAndGet();
                                                if (sent >= counting.get()) {
                                                    latency.recordValue(
                                                            Math.max(0, now - sent) / 1000);
                                                }
                                            }
                                        }));
            }
            await().atMost(Duration.ofSeconds(120)).until(() -> messages.subscribers() >= clients);
            long heapWithClients = settledHeap();

            for (int i = 0; i < events; i++) {
                long now = System.nanoTime();
                if (i == warmup) {
                    counting.set(now);
                }
                platform.emulator().setProperties(pk, dn, "{\"T\":" + now + "}");
                Thread.sleep(intervalMs); // the pace of the platform's property sets
            }
            long expected = (long) clients * events;
            await().atMost(Duration.ofSeconds(60)).until(() -> received.get() >= expected);

            double dropped =
                    app.getBean(MeterRegistry.class)
                            .get("thingflux.example.sse.dropped")
                            .tag("stream", "device")
                            .counter()
                            .count();
            System.out.printf(
                    "SSE fan-out: %d clients on one device stream, %d events every %d ms"
                            + " (first %d not timed)%n",
                    clients, events, intervalMs, warmup);
            System.out.printf(
                    "  heap per client: %.1f KiB (%.1f MiB before, %.1f MiB with the clients)%n",
                    (heapWithClients - heapBefore) / 1024.0 / clients,
                    heapBefore / 1048576.0,
                    heapWithClients / 1048576.0);
            System.out.printf(
                    "  latency property set -> client: p50 %.2f ms, p99 %.2f ms, max %.2f ms (%d"
                            + " samples)%n",
                    latency.getValueAtPercentile(50) / 1000.0,
                    latency.getValueAtPercentile(99) / 1000.0,
                    latency.getMaxValue() / 1000.0,
                    latency.getTotalCount());
            System.out.printf(
                    "  events received %d of %d, dropped by slow clients %.0f%n",
                    received.get(), expected, dropped);
            assertThat(received.get()).isEqualTo(expected);
        } finally {
            subscribed.forEach(Disposable::dispose);
            app.close();
            connections.dispose();
            loops.dispose();
        }
    }

    /** Used heap after a few collections. */
    private static long settledHeap() throws InterruptedException {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(200); // lets the collection and reference processing finish
            used =
                    Math.min(
                            used,
                            ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return used;
    }
}
