package io.thingflux.interop;

import com.hivemq.embedded.EmbeddedHiveMQ;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * HiveMQ Community Edition embedded in the test JVM, on a free loopback port, for interop tests.
 *
 * <p>Each instance gets its own configuration, data and extensions folders under a temporary
 * directory. The configuration binds one TCP listener to 127.0.0.1, keeps persistence in memory,
 * turns the anonymous usage statistics off (tests must not phone home) and queues up to {@link
 * #MAX_QUEUED_MESSAGES} messages per client. HiveMQ's own logging bootstrap is skipped so the
 * test's logback configuration applies. {@link #stop()} and {@link #restart()} keep the port.
 *
 * <p>HiveMQ CE 2025.5 is built against Netty 4.1; our BOM forces Netty 4.2.18 onto the test class
 * path and the broker starts and serves MQTT 3.1.1 clients with it (see {@code HiveMqCeBrokerIT}).
 */
public final class HiveMqCeBroker implements TestBroker {

    /** Starting takes about 1.5 s on an idle machine; generous for two busy cores. */
    public static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    /** Stopping takes about 4 s on an idle machine. */
    public static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);

    /**
     * Messages the broker queues for one client before it discards new ones: the default 1,000 is
     * below what a fast publisher gets ahead of a slower subscriber in the 10,000-message interop
     * test.
     */
    public static final int MAX_QUEUED_MESSAGES = 20_000;

    private final Path workDir;
    private final int port;
    private EmbeddedHiveMQ hivemq;

    private HiveMqCeBroker(Path workDir, int port) {
        this.workDir = workDir;
        this.port = port;
    }

    /** A broker on a free loopback port, started and accepting connections. */
    public static HiveMqCeBroker start() {
        Path dir;
        try {
            dir = Files.createTempDirectory("thingflux-hivemq");
            Files.createDirectories(dir.resolve("conf"));
            Files.createDirectories(dir.resolve("data"));
            Files.createDirectories(dir.resolve("extensions"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        HiveMqCeBroker broker = new HiveMqCeBroker(dir, MosquittoBroker.freeLoopbackPort());
        try {
            broker.restart();
        } catch (RuntimeException e) {
            broker.close();
            throw e;
        }
        return broker;
    }

    @Override
    public String host() {
        return "127.0.0.1";
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public synchronized boolean isRunning() {
        return hivemq != null;
    }

    /**
     * Starts the broker on its port if it is not running and waits until the port accepts
     * connections.
     */
    @Override
    public synchronized void restart() {
        if (hivemq != null) {
            return;
        }
        try {
            Files.writeString(
                    workDir.resolve("conf").resolve("config.xml"),
                    """
                    <?xml version="1.0"?>
                    <hivemq>
                      <listeners>
                        <tcp-listener>
                          <port>%d</port>
                          <bind-address>%s</bind-address>
                        </tcp-listener>
                      </listeners>
                      <persistence>
                        <mode>in-memory</mode>
                      </persistence>
                      <mqtt>
                        <queued-messages>
                          <max-queue-size>%d</max-queue-size>
                        </queued-messages>
                      </mqtt>
                      <anonymous-usage-statistics>
                        <enabled>false</enabled>
                      </anonymous-usage-statistics>
                    </hivemq>
                    """
                            .formatted(port, host(), MAX_QUEUED_MESSAGES),
                    StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        EmbeddedHiveMQ embedded =
                EmbeddedHiveMQ.builder()
                        .withConfigurationFolder(workDir.resolve("conf"))
                        .withDataFolder(workDir.resolve("data"))
                        .withExtensionsFolder(workDir.resolve("extensions"))
                        .withoutLoggingBootstrap()
                        .build();
        try {
            embedded.start().get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closeQuietly(embedded);
            throw new IllegalStateException("interrupted while starting HiveMQ CE", e);
        } catch (ExecutionException | TimeoutException e) {
            closeQuietly(embedded);
            throw new IllegalStateException("HiveMQ CE did not start on " + host() + ":" + port, e);
        }
        hivemq = embedded;
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!TestBroker.acceptsConnections(host(), port)) {
            if (System.nanoTime() > deadline) {
                stop();
                throw new IllegalStateException("HiveMQ CE started but does not accept on " + port);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for HiveMQ CE", e);
            }
        }
    }

    /** Stops the broker; the port is kept for {@link #restart()}. */
    @Override
    public synchronized void stop() {
        if (hivemq == null) {
            return;
        }
        EmbeddedHiveMQ stopping = hivemq;
        hivemq = null;
        try {
            stopping.stop().get(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while stopping HiveMQ CE", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("HiveMQ CE did not stop cleanly", e);
        } finally {
            closeQuietly(stopping);
        }
    }

    /** Stops the broker and deletes its folders. */
    @Override
    public void close() {
        try {
            stop();
        } finally {
            try (Stream<Path> files = Files.walk(workDir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // a temp folder left behind is harmless
            }
        }
    }

    private static void closeQuietly(EmbeddedHiveMQ embedded) {
        try {
            embedded.close();
        } catch (Exception ignored) {
            // already failing or stopped; the original problem is what matters
        }
    }
}
