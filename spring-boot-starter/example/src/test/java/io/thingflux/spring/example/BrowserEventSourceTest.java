package io.thingflux.spring.example;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;

/**
 * The device stream in a real browser: headless Chromium loads the example's page, whose {@code
 * EventSource} writes each event into the DOM, while property sets are pushed; the dumped DOM must
 * show one. Skipped, with the reason, where no {@code chromium} binary is on the PATH (Debian's
 * {@code chromium} package provides it).
 */
class BrowserEventSourceTest extends ExampleContext {

    @Test
    void headlessChromiumReceivesThePropertySetsThroughEventSource()
            throws IOException, InterruptedException {
        Path dom = Files.createTempFile("thingflux-dom", ".html");
        Optional<String> chromium = chromium();
        assumeTrue(
                chromium.isPresent(),
                "no chromium binary on the PATH (apt-get install chromium): the browser check of"
                        + " the SSE stream is skipped");
        Process browser =
                new ProcessBuilder(
                                chromium.get(),
                                "--headless",
                                "--no-sandbox",
                                "--disable-gpu",
                                "--virtual-time-budget=10000",
                                "--dump-dom",
                                "http://127.0.0.1:" + port + "/index.html?max=2&device=" + dn())
                        .redirectError(ProcessBuilder.Redirect.DISCARD)
                        .redirectOutput(dom.toFile())
                        .start();
        // push property sets while the page runs (bounded by the browser's exit)
        Disposable pushing =
                Flux.interval(Duration.ofMillis(200))
                        .onBackpressureDrop()
                        .subscribe(
                                t -> {
                                    try {
                                        platform.emulator()
                                                .setProperties(
                                                        pk(), dn(), "{\"Browser\":" + t + "}");
                                    } catch (RuntimeException offline) {
                                        // the next tick tries again
                                    }
                                });
        try {
            assertThat(browser.waitFor(WAIT.toSeconds() * 2, TimeUnit.SECONDS))
                    .as("chromium finished the page")
                    .isTrue();
            assertThat(Files.readString(dom, StandardCharsets.UTF_8))
                    .contains("class=\"event\"")
                    .contains("property_set")
                    .contains("Browser");
        } finally {
            pushing.dispose();
            browser.descendants().forEach(ProcessHandle::destroyForcibly);
            browser.destroyForcibly();
            Files.deleteIfExists(dom);
        }
    }

    private static Optional<String> chromium() {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String name : List.of("chromium", "chromium-browser", "google-chrome")) {
            Optional<String> found =
                    Stream.of(path.split(File.pathSeparator))
                            .map(dir -> new File(dir, name))
                            .filter(File::canExecute)
                            .map(File::getPath)
                            .findFirst();
            if (found.isPresent()) {
                return found;
            }
        }
        return Optional.empty();
    }
}
