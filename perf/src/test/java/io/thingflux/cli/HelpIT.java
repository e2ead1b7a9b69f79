package io.thingflux.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** {@code thingflux <command> --help} from the jar documents every option the command has. */
class HelpIT {

    @ParameterizedTest
    @ValueSource(strings = {"device", "sub", "pub"})
    void helpListsAndDescribesEveryOption(String command) throws Exception {
        List<OptionSpec> options =
                new CommandLine(new ThingfluxCli())
                        .getSubcommands()
                        .get(command)
                        .getCommandSpec()
                        .options();
        assertThat(options).hasSizeGreaterThan(5);

        try (CliProcess help = CliProcess.run(command, "--help")) {
            assertThat(help.awaitExit()).isZero();
            String text = String.join("\n", help.out());
            for (OptionSpec o : options) {
                assertThat(text).as("--help of %s", command).contains(o.longestName());
                assertThat(String.join(" ", o.description()))
                        .as("description of %s", o.longestName())
                        .isNotBlank();
            }
        }
    }
}
