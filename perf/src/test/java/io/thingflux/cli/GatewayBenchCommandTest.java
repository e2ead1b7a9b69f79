package io.thingflux.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code bench --gateways G --subdevices-per-gateway S} against the emulator in this process. */
class GatewayBenchCommandTest {

    @Test
    void aSmallFleetBehindGatewaysLogsInAndPostsWithoutFailures(@TempDir Path dir)
            throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new ThingfluxCli());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        Path json = dir.resolve("gw.json");
        int code =
                cli.execute(
                        "bench",
                        "--gateways",
                        "2",
                        "--subdevices-per-gateway",
                        "60",
                        "--interval",
                        "500ms",
                        "--duration",
                        "1s",
                        "--json",
                        json.toString());
        assertThat(code).as(out + "\n" + err).isZero();
        assertThat(out.toString()).contains("= 120 logged in (0 failed)");
        JsonNode result = new ObjectMapper().readTree(json.toFile());
        assertThat(result.get("loggedIn").asInt()).isEqualTo(120);
        assertThat(result.get("posts").asLong()).isPositive();
        assertThat(result.get("postFailures").asLong()).isZero();
    }
}
