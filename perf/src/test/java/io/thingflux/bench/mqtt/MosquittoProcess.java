package io.thingflux.bench.mqtt;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A Mosquitto broker as a child process on a free loopback port (anonymous, no persistence), found
 * as interop-tests' MosquittoBroker finds it: {@code mosquitto} on the PATH or what {@code
 * .ci/install-mosquitto} unpacked under {@code <repo>/.cache/mosquitto}.
 */
final class MosquittoProcess implements AutoCloseable {

    private final Process process;
    private final int port;

    private MosquittoProcess(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** The binary and its library folder ({@code null} on the PATH), if this machine has one. */
    static Optional<Path[]> find() {
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(File.pathSeparator)) {
                Path candidate = Paths.get(dir, "mosquitto");
                if (Files.isExecutable(candidate)) {
                    return Optional.of(new Path[] {candidate, null});
                }
            }
        }
        for (Path dir = Paths.get(System.getProperty("user.dir")).toAbsolutePath();
                dir != null;
                dir = dir.getParent()) {
            Path bin = dir.resolve(".cache/mosquitto/usr/sbin/mosquitto");
            if (Files.isExecutable(bin)) {
                return Optional.of(
                        new Path[] {bin, dir.resolve(".cache/mosquitto/usr/lib/x86_64-linux-gnu")});
            }
        }
        return Optional.empty();
    }

    static final String ABSENT =
            "mosquitto not found on PATH nor under <repo>/.cache/mosquitto; run `bash .ci/install-mosquitto`";

    static MosquittoProcess start() throws IOException, InterruptedException {
        Path[] found = find().orElseThrow(() -> new IllegalStateException(ABSENT));
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path dir = Files.createTempDirectory("bench-mosquitto");
        Path conf = dir.resolve("mosquitto.conf");
        Files.writeString(
                conf,
                "listener "
                        + port
                        + " 127.0.0.1\nallow_anonymous true\npersistence false\nmax_queued_messages 10000\n");
        ProcessBuilder pb =
                new ProcessBuilder(found[0].toString(), "-c", conf.toString())
                        .redirectErrorStream(true)
                        .redirectOutput(dir.resolve("mosquitto.log").toFile());
        if (found[1] != null) {
            pb.environment().put("LD_LIBRARY_PATH", found[1].toString());
        }
        Process p = pb.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return new MosquittoProcess(p, port);
            } catch (IOException notYet) {
                if (!p.isAlive()) {
                    throw new IllegalStateException(
                            "mosquitto exited: " + Files.readString(dir.resolve("mosquitto.log")));
                }
                Thread.sleep(50);
            }
        }
        p.destroyForcibly();
        throw new IllegalStateException("mosquitto did not listen on " + port);
    }

    int port() {
        return port;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
