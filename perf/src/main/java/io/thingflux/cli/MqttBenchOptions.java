package io.thingflux.cli;

import io.thingflux.bench.BenchClientKind;
import io.thingflux.bench.DurationConverter;
import io.thingflux.bench.Shard;
import io.thingflux.bench.mqtt.PayloadSpec;
import io.thingflux.bench.mqtt.Scenario;
import io.thingflux.bench.mqtt.ScenarioParser;
import io.thingflux.mqtt.MqttQos;
import io.thingflux.mqtt.MqttTopics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The options {@code bench pub}, {@code bench sub} and {@code bench conn} share: where to connect,
 * how many clients, their identity and topic patterns, what they publish. Each command turns them
 * into a two-stage {@link Scenario} (ramp, then hold) and runs it like {@code bench --scenario}.
 */
final class MqttBenchOptions {

    @Option(
            names = "--host",
            description = "The broker (default: the emulator in this process, --auth none).")
    String host;

    @Option(names = "--port", description = "MQTT port with --host (default ${DEFAULT-VALUE}).")
    int port = 1883;

    @Option(names = "--tls", description = "Connect with TLS.")
    boolean tls;

    @Option(
            names = "--ca-file",
            paramLabel = "PEM",
            description = "With --tls: trust these certificates instead of the JVM's.")
    Path caFile;

    @Option(
            names = "--client",
            paramLabel = "thingflux|hivemq|netty-codec",
            description = "The MQTT client driving the connections (default ${DEFAULT-VALUE}).")
    String client = "thingflux";

    @Option(
            names = {"-c", "--count"},
            description = "Clients (whole run, over all shards; default ${DEFAULT-VALUE}).")
    int count = 10;

    @Option(
            names = "--connect-rate",
            description = "Connects per second (whole run; default ${DEFAULT-VALUE}).")
    double connectRate = 500;

    @Option(
            names = "--duration",
            converter = DurationConverter.class,
            description = "How long to hold after the ramp (default 30s).")
    Duration duration = Duration.ofSeconds(30);

    @Option(
            names = "--client-id",
            paramLabel = "PATTERN",
            description =
                    "Client id; %%i is the client's index, %%s the shard (default bench-<mode>-%%s-%%i).")
    String clientId;

    @Option(
            names = {"-u", "--username"},
            paramLabel = "PATTERN",
            description = "User name (%%i, %%s).")
    String username;

    @Option(
            names = {"-P", "--password"},
            description = "Password (or the environment variable THINGFLUX_MQTT_PASSWORD).")
    String password;

    @Option(
            names = {"-t", "--topic"},
            paramLabel = "PATTERN",
            description =
                    "pub: the topic each client publishes to; sub: a filter (repeatable); %%i, %%s (default bench/%%i for pub, bench/# for sub).")
    List<String> topics;

    @Option(
            names = {"-q", "--qos"},
            description = "0, 1 or 2 (default ${DEFAULT-VALUE}).")
    int qos;

    @Option(names = "--retain", description = "Publish retained.")
    boolean retain;

    @Option(
            names = "--clean-session",
            negatable = true,
            description = "CONNECT with clean session (default true; --no-clean-session keeps it).")
    boolean cleanSession = true;

    @Option(names = "--keepalive", description = "Seconds (default ${DEFAULT-VALUE}).")
    int keepAlive = ScenarioParser.DEFAULT_KEEP_ALIVE_SECONDS;

    @Option(
            names = "--rate",
            description = "pub: messages per second of each client (default ${DEFAULT-VALUE}).")
    double rate = 1;

    @Option(
            names = "--inflight",
            description =
                    "pub: publishes of one client awaiting completion at most; a slot beyond is an overrun (default ${DEFAULT-VALUE}).")
    int inflight = ScenarioParser.DEFAULT_INFLIGHT;

    @Option(
            names = "--payload",
            paramLabel = "SPEC",
            description =
                    "fixed:N (N bytes), random:N, or template:TEXT with {seq} {ts} {device} {client} {int:MIN:MAX} {float:MIN:MAX[:DECIMALS]} (default fixed:256).")
    String payload = "fixed:256";

    @Option(
            names = "--no-payload-header",
            description =
                    "Send the payload alone, without the 24-byte header subscribers use for latency, loss and duplicates.")
    boolean noHeader;

    @Option(
            names = "--shard",
            paramLabel = "i/n",
            description = "Run slice i of n of the clients (default 0/1).")
    String shard = "0/1";

    /** The target these options name; {@code host} is used when no --host was given. */
    io.thingflux.bench.mqtt.MqttTarget target(String defaultHost, int defaultPort) {
        return new io.thingflux.bench.mqtt.MqttTarget(
                host == null ? defaultHost : host,
                host == null ? defaultPort : port,
                tls,
                caFile,
                BenchClientKind.fromCliName(client));
    }

    Shard shard() {
        return Shard.parse(shard);
    }

    /**
     * The two-stage scenario of a {@code bench MODE} run: ramp the clients, hold for the duration.
     *
     * @throws IllegalArgumentException on a bad value
     */
    Scenario scenario(Scenario.Kind kind) {
        String mode = kind.name().toLowerCase(java.util.Locale.ROOT);
        if (count < 1) {
            throw new IllegalArgumentException("--count must be at least 1");
        }
        if (qos < 0 || qos > 2) {
            throw new IllegalArgumentException("--qos must be 0, 1 or 2");
        }
        if (!(connectRate > 0) || rate < 0 || inflight < 1) {
            throw new IllegalArgumentException(
                    "--connect-rate must be > 0, --rate >= 0, --inflight >= 1");
        }
        List<String> t =
                topics != null
                        ? topics
                        : List.of(kind == Scenario.Kind.SUB ? "bench/#" : "bench/%i");
        for (String topic : t) {
            String probe = topic.replace("%i", "0").replace("%s", "0");
            if (kind == Scenario.Kind.SUB) {
                MqttTopics.requireValidFilter(probe);
            } else {
                MqttTopics.requireValidName(probe);
            }
        }
        if (kind == Scenario.Kind.PUB && t.size() != 1) {
            throw new IllegalArgumentException("bench pub takes one --topic pattern");
        }
        String pw = password != null ? password : System.getenv("THINGFLUX_MQTT_PASSWORD");
        Scenario.Group group =
                new Scenario.Group(
                        mode,
                        kind,
                        count,
                        clientId == null ? "bench-" + mode + "-%s-%i" : clientId,
                        username,
                        pw,
                        cleanSession,
                        keepAlive,
                        kind == Scenario.Kind.CONN ? List.of() : t,
                        MqttQos.valueOf(qos),
                        retain,
                        kind == Scenario.Kind.PUB ? rate : 0,
                        inflight,
                        PayloadSpec.parse(payload, !noHeader),
                        0,
                        null);
        return new Scenario(
                "bench-" + mode,
                List.of(group),
                List.of(
                        new Scenario.Stage(
                                "ramp",
                                Scenario.StageType.RAMP,
                                mode,
                                count,
                                connectRate,
                                ScenarioParser.DEFAULT_CONNECT_TIMEOUT,
                                0,
                                0,
                                null,
                                MqttQos.AT_MOST_ONCE,
                                PayloadSpec.DEFAULT,
                                0),
                        new Scenario.Stage(
                                "hold",
                                Scenario.StageType.HOLD,
                                null,
                                0,
                                0,
                                duration,
                                0,
                                0,
                                null,
                                MqttQos.AT_MOST_ONCE,
                                PayloadSpec.DEFAULT,
                                0)));
    }
}
