package io.thingflux.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code thingflux} command line: a thin layer over the library API. Each subcommand is its own
 * class in this package; add it to {@code subcommands} below.
 */
@Command(
        name = "thingflux",
        mixinStandardHelpOptions = true,
        versionProvider = ThingfluxCli.Version.class,
        description =
                "Reactive MQTT stack for Aliyun IoT thing-model devices: devices, a platform emulator and a load generator.",
        subcommands = {
            CommandLine.HelpCommand.class,
            BrokerCommand.class,
            Ec600sEmulatorCommand.class,
            Ec600sCommand.class,
            DeviceCommand.class,
            SubCommand.class,
            PubCommand.class,
            BenchCommand.class,
            GatewayCommand.class,
        })
public final class ThingfluxCli implements Runnable {

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit code (for tests). */
    public static int run(String... args) {
        return new CommandLine(new ThingfluxCli()).execute(args);
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required");
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = ThingfluxCli.class.getPackage().getImplementationVersion();
            return new String[] {"thingflux " + (v == null ? "development build" : v)};
        }
    }
}
