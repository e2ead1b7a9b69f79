package io.thingflux.cli;

import io.thingflux.emulator.ec600s.Ec600sEmulator;
import io.thingflux.emulator.ec600s.MqttLinkFactory;
import io.thingflux.emulator.ec600s.Pty;
import io.thingflux.serial.PublishDialect;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code thingflux ec600s-emulator}: plays an EC600S module on a new pseudo-terminal, doing its
 * MQTT work against {@code --broker}, and prints the device path when ready; runs until
 * interrupted.
 *
 * <p>The MQTT links are Netty client links ({@link NettyEmulatorLinks}); tests may hand in another
 * factory.
 */
@Command(
        name = "ec600s-emulator",
        mixinStandardHelpOptions = true,
        description =
                "Emulate a Quectel EC600S on a pseudo-terminal; prints the device path when ready.")
public final class Ec600sEmulatorCommand implements Callable<Integer> {

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(
            names = "--broker",
            required = true,
            paramLabel = "HOST:PORT",
            description = "The MQTT broker every AT+QMTOPEN is redirected to.")
    String broker;

    @Option(
            names = "--link",
            paramLabel = "PATH",
            description = "Also create a symlink to the device here.")
    Path link;

    @Option(
            names = "--urc-delay-ms",
            paramLabel = "N",
            defaultValue = "0",
            description =
                    "Delay of result URCs after OK, in milliseconds (default ${DEFAULT-VALUE}).")
    long urcDelayMs;

    @Option(
            names = "--dialect",
            paramLabel = "qmtpubex|qmtpub",
            defaultValue = "qmtpubex",
            description =
                    "Publish dialect: qmtpubex (fixed length; QMTPUB also works) or qmtpub (Ctrl+Z only).")
    String dialect;

    @Option(
            names = "--granted-qos",
            paramLabel = "aliyun|requested",
            defaultValue = "aliyun",
            description =
                    "QoS reported in +QMTSUB: aliyun (always 1, as the platform answers) or requested.")
    String grantedQos;

    private final MqttLinkFactory linkFactory;
    private final CompletableFuture<Void> stop;

    /** For picocli: Netty client links, runs until interrupted. */
    public Ec600sEmulatorCommand() {
        this(null, new CompletableFuture<>());
    }

    /** With an explicit link factory; {@code stop} ends the command when completed. */
    Ec600sEmulatorCommand(MqttLinkFactory linkFactory, CompletableFuture<Void> stop) {
        this.linkFactory = linkFactory;
        this.stop = stop;
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        int colon = broker.lastIndexOf(':');
        if (colon <= 0) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "--broker must be HOST:PORT");
        }
        String host = broker.substring(0, colon);
        int port;
        try {
            port = Integer.parseInt(broker.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "--broker port must be a number");
        }
        PublishDialect d =
                switch (dialect.toLowerCase(Locale.ROOT)) {
                    case "qmtpubex" -> PublishDialect.QMTPUBEX;
                    case "qmtpub" -> PublishDialect.QMTPUB;
                    default ->
                            throw new CommandLine.ParameterException(
                                    spec.commandLine(), "--dialect must be qmtpubex or qmtpub");
                };
        var granted =
                switch (grantedQos.toLowerCase(Locale.ROOT)) {
                    case "aliyun" -> Ec600sEmulator.ALIYUN_GRANTED_QOS;
                    case "requested" -> Ec600sEmulator.REQUESTED_QOS;
                    default ->
                            throw new CommandLine.ParameterException(
                                    spec.commandLine(),
                                    "--granted-qos must be aliyun or requested");
                };
        NettyEmulatorLinks nettyLinks = linkFactory == null ? new NettyEmulatorLinks() : null;
        MqttLinkFactory factory = linkFactory != null ? linkFactory : nettyLinks;
        Ec600sEmulator emulator =
                Ec600sEmulator.builder(factory)
                        .broker(host, port)
                        .urcDelay(Duration.ofMillis(urcDelayMs))
                        .dialect(d)
                        .grantedQos(granted)
                        .build();
        java.util.concurrent.CountDownLatch cleanedUp = new java.util.concurrent.CountDownLatch(1);
        Thread hook =
                new Thread(
                        () -> {
                            stop.complete(null);
                            try {
                                // let the main thread close the emulator (and remove the symlink)
                                // before the JVM halts
                                cleanedUp.await(
                                        Ec600sEmulator.CLOSE_TIMEOUT.toSeconds() + 1,
                                        java.util.concurrent.TimeUnit.SECONDS);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        },
                        "ec600s-emulator-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            Pty pty = emulator.attachPty(link);
            out.println(pty.devicePath());
            if (link != null) {
                out.println(link);
            }
            out.flush();
            stop.join();
            return 0;
        } finally {
            emulator.close();
            if (nettyLinks != null) {
                nettyLinks.close();
            }
            cleanedUp.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // the JVM is already shutting down
            }
        }
    }
}
