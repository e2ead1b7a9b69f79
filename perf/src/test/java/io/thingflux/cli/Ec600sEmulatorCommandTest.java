package io.thingflux.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.thingflux.serial.at.AtChannel;
import io.thingflux.serial.at.AtCommand;
import io.thingflux.serial.at.JSerialCommTransport;
import io.thingflux.serial.at.ModuleRebootedException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import reactor.util.retry.Retry;

class Ec600sEmulatorCommandTest {

    @Test
    void printsTheDevicePathAndTheModuleAnswersOnIt(@TempDir Path dir) throws Exception {
        CompletableFuture<Void> stop = new CompletableFuture<>();
        Ec600sEmulatorCommand command =
                new Ec600sEmulatorCommand(
                        request -> {
                            throw new UnsupportedOperationException("no broker in this test");
                        },
                        stop);
        StringWriter out = new StringWriter();
        CommandLine cli = new CommandLine(command).setOut(new PrintWriter(out, true));
        Path link = dir.resolve("ttyEC600S");
        ExecutorService runner = Executors.newSingleThreadExecutor();
        try {
            Future<Integer> exit =
                    runner.submit(
                            () ->
                                    cli.execute(
                                            "--broker",
                                            "127.0.0.1:1883",
                                            "--link",
                                            link.toString()));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (!out.toString().contains("\n") && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            String device = out.toString().lines().findFirst().orElseThrow();
            assertThat(device).startsWith("/dev/pts/");
            assertThat(Files.readSymbolicLink(link).toString()).isEqualTo(device);

            try (AtChannel at =
                    AtChannel.open(JSerialCommTransport.open(link.toString(), 115_200))) {
                // the emulator's boot RDY waits in the pty; read while the first command is in
                // flight it fails that command as a reboot (as it must for a real module), so the
                // command is sent once more
                var r =
                        at.execute(AtCommand.of("AT+CPIN?"))
                                .retryWhen(
                                        Retry.max(1)
                                                .filter(ModuleRebootedException.class::isInstance))
                                .block(Duration.ofSeconds(10));
                assertThat(r.lines()).containsExactly("+CPIN: READY");
            }
            stop.complete(null);
            assertThat(exit.get(15, TimeUnit.SECONDS)).isZero();
            assertThat(link).as("symlink removed on stop").doesNotExist();
        } finally {
            stop.complete(null);
            runner.shutdownNow();
        }
    }

    @Test
    void rejectsAnUnknownDialect() {
        StringWriter err = new StringWriter();
        int code =
                new CommandLine(
                                new Ec600sEmulatorCommand(
                                        r -> null, CompletableFuture.completedFuture(null)))
                        .setErr(new PrintWriter(err, true))
                        .execute("--broker", "127.0.0.1:1883", "--dialect", "inline");
        assertThat(code).isNotZero();
        assertThat(err.toString()).contains("--dialect");
    }

    @Test
    void isASubcommandOfThingflux() {
        assertThat(new CommandLine(new ThingfluxCli()).getSubcommands())
                .containsKey("ec600s-emulator");
    }
}
