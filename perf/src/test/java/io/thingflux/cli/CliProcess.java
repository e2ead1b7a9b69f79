package io.thingflux.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The {@code thingflux} jar ({@code target/thingflux.jar}, built in {@code package}) run as a
 * process: stdin to write to, stdout and stderr collected line by line, bounded waits.
 */
final class CliProcess implements AutoCloseable {

    /** Generous for a JVM start and a round trip on two busy cores. */
    static final Duration TIMEOUT = Duration.ofSeconds(60);

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final List<String> out = new ArrayList<>();
    private final List<String> err = new ArrayList<>();
    private final List<Thread> pumps = new ArrayList<>(2);

    private CliProcess(Process process) {
        this.process = process;
        pump(process.getInputStream(), out, "stdout");
        pump(process.getErrorStream(), err, "stderr");
    }

    /** The jar failsafe points to with the {@code thingflux.jar} system property. */
    static Path jar() {
        String path = System.getProperty("thingflux.jar");
        assertThat(path)
                .as("system property thingflux.jar (set by failsafe in perf/pom.xml)")
                .isNotNull();
        Path jar = Paths.get(path);
        assertThat(jar).as("the shaded jar, built in package before failsafe runs").isRegularFile();
        return jar;
    }

    /** Starts {@code java -jar thingflux.jar args...}. */
    static CliProcess start(String... args) {
        List<String> command = new ArrayList<>();
        command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx256m");
        command.add("-jar");
        command.add(jar().toString());
        command.addAll(List.of(args));
        try {
            return new CliProcess(new ProcessBuilder(command).start());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs the jar with {@code args} and stdin closed at once, and waits for it to exit. */
    static CliProcess run(String... args) throws InterruptedException {
        CliProcess p = start(args);
        p.closeStdin();
        p.awaitExit();
        return p;
    }

    private void pump(InputStream in, List<String> lines, String name) {
        Thread t =
                new Thread(
                        () -> {
                            try (BufferedReader r =
                                    new BufferedReader(
                                            new InputStreamReader(in, StandardCharsets.UTF_8))) {
                                String line;
                                while ((line = r.readLine()) != null) {
                                    synchronized (lines) {
                                        lines.add(line);
                                        lines.notifyAll();
                                    }
                                }
                            } catch (IOException e) {
                                // the process ended
                            }
                        },
                        "cli-" + name);
        t.setDaemon(true);
        t.start();
        pumps.add(t);
    }

    /** Writes one line to the process's stdin and flushes. */
    void writeLine(String line) throws IOException {
        OutputStream in = process.getOutputStream();
        in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        in.flush();
    }

    void closeStdin() {
        try {
            process.getOutputStream().close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits (at most {@link #TIMEOUT}) for the process to end and returns its exit code. */
    int awaitExit() throws InterruptedException {
        boolean ended = process.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(ended)
                .as(
                        "the process ended in time; stderr:%n%s%nits threads:%n%s",
                        String.join("\n", err()), ended ? "" : threadDump())
                .isTrue();
        // the pumps read up to the end of the output the process left behind
        for (Thread pump : pumps) {
            pump.join(TimeUnit.SECONDS.toMillis(10));
        }
        return process.exitValue();
    }

    /** The threads of the process that did not end, for the failure message. */
    private String threadDump() {
        try {
            Process jcmd =
                    new ProcessBuilder(
                                    Path.of(System.getProperty("java.home"), "bin", "jcmd")
                                            .toString(),
                                    Long.toString(process.pid()),
                                    "Thread.print")
                            .redirectErrorStream(true)
                            .start();
            String dump = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            jcmd.waitFor(10, TimeUnit.SECONDS);
            return dump;
        } catch (IOException | InterruptedException e) {
            return "(no thread dump: " + e + ")";
        }
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Sends SIGTERM. */
    void terminate() {
        process.destroy();
    }

    List<String> out() {
        synchronized (out) {
            return List.copyOf(out);
        }
    }

    List<String> err() {
        synchronized (err) {
            return List.copyOf(err);
        }
    }

    /** The stdout lines parsed as JSON (every stdout line must be JSON). */
    List<JsonNode> jsonLines() {
        List<JsonNode> nodes = new ArrayList<>();
        for (String line : out()) {
            try {
                nodes.add(JSON.readTree(line));
            } catch (IOException e) {
                throw new AssertionError("stdout line is not JSON: " + line, e);
            }
        }
        return nodes;
    }

    /** The first stdout JSON line matching {@code condition}, waiting at most {@link #TIMEOUT}. */
    JsonNode awaitJson(Predicate<JsonNode> condition, String what) throws InterruptedException {
        long end = System.nanoTime() + TIMEOUT.toNanos();
        boolean lastLook = false;
        while (true) {
            for (JsonNode n : jsonLines()) {
                if (condition.test(n)) {
                    return n;
                }
            }
            if (lastLook || System.nanoTime() > end) {
                throw new AssertionError(
                        "no stdout line "
                                + what
                                + "; stdout:\n"
                                + String.join("\n", out())
                                + "\nstderr:\n"
                                + String.join("\n", err()));
            }
            // one more look after the process ended, for lines still being read
            lastLook = !process.isAlive();
            synchronized (out) {
                out.wait(lastLook ? 500 : 50);
            }
        }
    }

    /** Waits (at most {@link #TIMEOUT}) for a stderr line containing {@code text}. */
    String awaitErr(String text) throws InterruptedException {
        long end = System.nanoTime() + TIMEOUT.toNanos();
        while (true) {
            for (String line : err()) {
                if (line.contains(text)) {
                    return line;
                }
            }
            if (System.nanoTime() > end) {
                throw new AssertionError(
                        "no stderr line with '" + text + "'; stderr:\n" + String.join("\n", err()));
            }
            synchronized (err) {
                err.wait(50);
            }
        }
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
