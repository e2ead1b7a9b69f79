package io.thingflux.interop;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A Mosquitto broker run as a child process on a free loopback port, for interop tests.
 *
 * <p>The binary is {@code mosquitto} on the {@code PATH} or the one {@code .ci/install-mosquitto}
 * unpacks into {@code <repo>/.cache/mosquitto} (run with that folder's libraries on {@code
 * LD_LIBRARY_PATH}). The broker runs in the foreground with a generated configuration: one listener
 * on 127.0.0.1, anonymous clients allowed, no persistence, up to {@link
 * HiveMqCeBroker#MAX_QUEUED_MESSAGES} queued messages per client, log to its standard output (kept
 * in a file and quoted when it fails to start). {@link #stop()} and {@link #restart()} keep the
 * port, so reconnect tests can take the broker away and bring it back.
 *
 * <pre>{@code
 * @RequiresMosquitto
 * class MyIT {
 *     try (MosquittoBroker broker = MosquittoBroker.start()) {
 *         connect to broker.host() : broker.port() ...
 *     }
 * }
 * }</pre>
 */
public final class MosquittoBroker implements TestBroker {

    /** Where {@code .ci/install-mosquitto} unpacks the broker, relative to the repository root. */
    static final Path CACHE = Paths.get(".cache", "mosquitto");

    private static final Path CACHED_BINARY = Paths.get("usr", "sbin", "mosquitto");
    private static final Path CACHED_LIBS = Paths.get("usr", "lib", "x86_64-linux-gnu");

    /** How long the broker may take to accept connections after being started. */
    public static final Duration START_TIMEOUT = Duration.ofSeconds(20);

    /** How long the broker may take to exit after SIGTERM before it is killed. */
    public static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

    private final Installation installation;
    private final Path workDir;
    private final int port;
    private Process process;

    private MosquittoBroker(Installation installation, Path workDir, int port) {
        this.installation = installation;
        this.workDir = workDir;
        this.port = port;
    }

    /** A broker on a free loopback port, started and accepting connections. */
    public static MosquittoBroker start() {
        Installation installation =
                find().orElseThrow(() -> new IllegalStateException(absenceReason()));
        Path dir;
        try {
            dir = Files.createTempDirectory("thingflux-mosquitto");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        MosquittoBroker broker = new MosquittoBroker(installation, dir, freeLoopbackPort());
        try {
            broker.restart();
        } catch (RuntimeException e) {
            broker.close();
            throw e;
        }
        return broker;
    }

    /** The mosquitto installation this machine offers, if any. */
    public static Optional<Installation> find() {
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(File.pathSeparator)) {
                Path candidate = Paths.get(dir, "mosquitto");
                if (Files.isExecutable(candidate)) {
                    return Optional.of(new Installation(candidate, null));
                }
            }
        }
        for (Path dir = Paths.get(System.getProperty("user.dir")).toAbsolutePath();
                dir != null;
                dir = dir.getParent()) {
            Path cache = dir.resolve(CACHE);
            if (Files.isExecutable(cache.resolve(CACHED_BINARY))) {
                return Optional.of(
                        new Installation(cache.resolve(CACHED_BINARY), cache.resolve(CACHED_LIBS)));
            }
        }
        return Optional.empty();
    }

    /** Why {@link #find()} found nothing, for skip messages. */
    public static String absenceReason() {
        return "mosquitto not found on PATH nor under <repo>/"
                + CACHE.resolve(CACHED_BINARY)
                + " (searched upwards from "
                + System.getProperty("user.dir")
                + "); run `bash .ci/install-mosquitto`";
    }

    /** The address clients connect to. */
    @Override
    public String host() {
        return "127.0.0.1";
    }

    @Override
    public int port() {
        return port;
    }

    /** Whether the broker process is alive. */
    @Override
    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /**
     * Starts the broker on its port if it is not running, and waits (bounded) until the port
     * accepts connections.
     *
     * @throws IllegalStateException with the broker's log when it exits or does not listen in time
     */
    @Override
    public synchronized void restart() {
        if (isRunning()) {
            return;
        }
        Path config = workDir.resolve("mosquitto.conf");
        Path log = workDir.resolve("mosquitto.log");
        try {
            Files.writeString(
                    config,
                    String.join(
                            "\n",
                            "listener " + port + " " + host(),
                            "allow_anonymous true",
                            "persistence false",
                            "max_queued_messages " + HiveMqCeBroker.MAX_QUEUED_MESSAGES,
                            "log_dest stdout",
                            "log_type error",
                            "log_type warning",
                            "log_type notice",
                            "log_type information",
                            "connection_messages true",
                            ""),
                    StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ProcessBuilder pb =
                new ProcessBuilder(installation.binary().toString(), "-c", config.toString())
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        if (installation.libraryDir() != null) {
            String existing = System.getenv("LD_LIBRARY_PATH");
            pb.environment()
                    .put(
                            "LD_LIBRARY_PATH",
                            installation.libraryDir()
                                    + (existing == null || existing.isEmpty()
                                            ? ""
                                            : File.pathSeparator + existing));
        }
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + installation.binary(), e);
        }
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!TestBroker.acceptsConnections(host(), port)) {
            if (!process.isAlive()) {
                throw new IllegalStateException(
                        "mosquitto exited with "
                                + process.exitValue()
                                + " before listening on "
                                + port
                                + ":\n"
                                + logTail());
            }
            if (System.nanoTime() > deadline) {
                stop();
                throw new IllegalStateException(
                        "mosquitto did not listen on "
                                + port
                                + " within "
                                + START_TIMEOUT
                                + ":\n"
                                + logTail());
            }
            pause();
        }
    }

    /**
     * Stops the broker (SIGTERM, then a kill after {@link #STOP_TIMEOUT}); the port is kept for
     * {@link #restart()}.
     */
    @Override
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    /** The last lines the broker logged. */
    public String logTail() {
        try {
            List<String> lines =
                    Files.readAllLines(workDir.resolve("mosquitto.log"), StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** Stops the broker and deletes its working folder. */
    @Override
    public void close() {
        stop();
        try (Stream<Path> files = Files.walk(workDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp folder left behind is harmless
        }
    }

    /** A port nothing listens on right now (bound to 0 on loopback, then released). */
    static int freeLoopbackPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void pause() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for mosquitto", e);
        }
    }

    /**
     * A mosquitto binary and the library folder it needs on {@code LD_LIBRARY_PATH} ({@code null}
     * when installed system-wide).
     */
    public record Installation(Path binary, Path libraryDir) {}
}
