package io.thingflux.bench.live;

import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/**
 * Serves a Micrometer {@link PrometheusMeterRegistry} at {@code http://HOST:PORT/metrics} in the
 * Prometheus text format, on one daemon thread, until closed.
 */
public final class PrometheusEndpoint implements AutoCloseable {

    private final PrometheusMeterRegistry registry =
            new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final HttpServer server;

    private PrometheusEndpoint(HttpServer server) {
        this.server = server;
    }

    /**
     * Starts serving on {@code host:port} ({@code 0} for a free port).
     *
     * @throws IOException when the port cannot be bound
     */
    public static PrometheusEndpoint start(String host, int port) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 16);
        PrometheusEndpoint endpoint = new PrometheusEndpoint(server);
        server.createContext(
                "/metrics",
                exchange -> {
                    byte[] body = endpoint.registry.scrape().getBytes(StandardCharsets.UTF_8);
                    exchange.getResponseHeaders()
                            .add("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
                    exchange.sendResponseHeaders(200, body.length);
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(body);
                    }
                });
        server.setExecutor(
                Executors.newSingleThreadExecutor(
                        r -> {
                            Thread t = new Thread(r, "prometheus-endpoint");
                            t.setDaemon(true);
                            return t;
                        }));
        server.start();
        return endpoint;
    }

    /** The registry to bind meters to. */
    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** The port it serves on. */
    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        registry.close();
    }
}
