package io.thingflux.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.thingflux.link.outbox.FileOutboxOptions;
import io.thingflux.link.outbox.FsyncPolicy;
import io.thingflux.link.outbox.OutboxStorage;
import io.thingflux.netty.client.MqttClientOptions;
import io.thingflux.serial.Ec600sOptions;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * How the arguments of {@code device}, {@code ec600s}, {@code sub} and {@code pub} become client
 * options, and what is refused.
 */
class CommandOptionsTest {

    private static final String SECRET = "topSecretValue123";

    private static DeviceCommand device(String... args) {
        DeviceCommand command = new DeviceCommand();
        new CommandLine(command).parseArgs(args);
        return command;
    }

    private static MqttClientOptions deviceOptions(String... args) {
        DeviceCommand c = device(args);
        return c.clientOptions(c.console.identity());
    }

    /**
     * Runs the whole CLI in this JVM and returns exit code and stderr (for usage errors, which
     * never connect).
     */
    private static Result execute(String... args) {
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new ThingfluxCli());
        cli.setErr(new PrintWriter(err));
        cli.setOut(new PrintWriter(new StringWriter()));
        int code = cli.execute(args);
        return new Result(code, err.toString());
    }

    private record Result(int code, String err) {}

    private static Ec600sOptions ec600sOptions(String... args) {
        Ec600sCommand command = new Ec600sCommand();
        new CommandLine(command).parseArgs(args);
        return command.options(command.console.identity());
    }

    @Test
    void deviceAndEc600sShareTheOutboxOptionsInMemoryByDefault() {
        String[] triple = {
            "--product-key", "a1Pk", "--device-name", "d1", "--device-secret", SECRET
        };
        assertThat(deviceOptions(triple).outboxStorage()).isSameAs(OutboxStorage.memory());
        String[] ec600s = {"--serial", "/dev/ttyUSB2"};
        assertThat(ec600sOptions(concat(ec600s, triple)).outboxStorage())
                .isSameAs(OutboxStorage.memory());

        String[] file = {"--outbox", "/var/lib/thingflux", "--outbox-fsync", "always"};
        for (OutboxStorage storage :
                List.of(
                        deviceOptions(concat(triple, file)).outboxStorage(),
                        ec600sOptions(concat(ec600s, concat(triple, file))).outboxStorage())) {
            assertThat(storage).isInstanceOf(FileOutboxOptions.class);
            FileOutboxOptions f = (FileOutboxOptions) storage;
            assertThat(f.directory()).isEqualTo(Path.of("/var/lib/thingflux"));
            assertThat(f.fsync()).isEqualTo(FsyncPolicy.everyWrite());
        }
        FileOutboxOptions every =
                (FileOutboxOptions)
                        ec600sOptions(concat(ec600s, concat(triple, "--outbox", "/tmp/o")))
                                .outboxStorage();
        assertThat(every.fsync()).isEqualTo(FsyncPolicy.every(Duration.ofMillis(100)));
    }

    @Test
    void aBadOutboxFsyncPolicyIsAUsageErrorOfBothCommands() {
        String[] rest = {
            "--product-key",
            "pk",
            "--device-name",
            "dn",
            "--device-secret",
            SECRET,
            "--outbox",
            "/tmp/o",
            "--outbox-fsync",
            "sometimes"
        };
        for (String[] command :
                List.of(
                        new String[] {"device"},
                        new String[] {"ec600s", "--serial", "/dev/thingflux-no-such-port"})) {
            Result r = execute(concat(command, rest));
            assertThat(r.code()).as(command[0]).isEqualTo(2);
            assertThat(r.err()).contains("fsync policy").doesNotContain(SECRET);
        }
    }

    private static String[] concat(String[] a, String... b) {
        String[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    @Test
    void deviceHostDefaultsToTheLegacyEndpointOfTheRegion() {
        MqttClientOptions o =
                deviceOptions(
                        "--product-key", "a1Pk", "--device-name", "d1", "--device-secret", SECRET);
        assertThat(o.host()).isEqualTo("a1Pk.iot-as-mqtt.cn-shanghai.aliyuncs.com");
        assertThat(o.port()).isEqualTo(1883);
        assertThat(o.aliyunLimits()).isTrue();

        MqttClientOptions region =
                deviceOptions(
                        "--product-key",
                        "a1Pk",
                        "--device-name",
                        "d1",
                        "--device-secret",
                        SECRET,
                        "--region",
                        "ap-southeast-1");
        assertThat(region.host()).isEqualTo("a1Pk.iot-as-mqtt.ap-southeast-1.aliyuncs.com");
    }

    @Test
    void deviceWithAnInstanceIdUsesTheInstanceEndpointAndPort8883OverTls() {
        MqttClientOptions o =
                deviceOptions(
                        "--product-key",
                        "a1Pk",
                        "--device-name",
                        "d1",
                        "--device-secret",
                        SECRET,
                        "--instance-id",
                        "iot-06z00abc",
                        "--tls");
        assertThat(o.host()).isEqualTo("iot-06z00abc.mqtt.iothub.aliyuncs.com");
        assertThat(o.port()).isEqualTo(8883);
        assertThat(o.tls()).isNotNull();
        assertThat(o.clientId()).contains("securemode=2");
    }

    @Test
    void deviceSignsTheClientIdWithTheChosenMethodAndSecureMode3OverTcp() {
        MqttClientOptions o =
                deviceOptions(
                        "--product-key",
                        "a1Pk",
                        "--device-name",
                        "d1",
                        "--device-secret",
                        SECRET,
                        "--host",
                        "127.0.0.1",
                        "--port",
                        "1999",
                        "--sign-method",
                        "HMACSHA1");
        assertThat(o.host()).isEqualTo("127.0.0.1");
        assertThat(o.port()).isEqualTo(1999);
        assertThat(o.clientId())
                .startsWith("a1Pk.d1|")
                .contains("securemode=3")
                .contains("signmethod=hmacsha1");
        assertThat(o.username()).isEqualTo("d1&a1Pk");
        assertThat(o.toString()).doesNotContain(SECRET);
    }

    @Test
    void regionAndInstanceIdTogetherAreRefused() {
        assertThatThrownBy(
                        () ->
                                deviceOptions(
                                        "--product-key",
                                        "a1Pk",
                                        "--device-name",
                                        "d1",
                                        "--device-secret",
                                        SECRET,
                                        "--region",
                                        "cn-shanghai",
                                        "--instance-id",
                                        "iot-1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--region");
    }

    @Test
    void usageErrorsExitWith2AndNeverEchoTheSecret() {
        Result qos2 =
                execute(
                        "device",
                        "--product-key",
                        "pk",
                        "--device-name",
                        "dn",
                        "--device-secret",
                        SECRET,
                        "--qos",
                        "2");
        assertThat(qos2.code()).isEqualTo(2);
        assertThat(qos2.err()).contains("--qos must be 0 or 1").doesNotContain(SECRET);

        Result badMethod =
                execute(
                        "device",
                        "--product-key",
                        "pk",
                        "--device-name",
                        "dn",
                        "--device-secret",
                        SECRET,
                        "--sign-method",
                        "sha512");
        assertThat(badMethod.code()).isEqualTo(2);
        assertThat(badMethod.err()).contains("sha512").doesNotContain(SECRET);

        Result missingName = execute("device", "--product-key", "pk", "--device-secret", SECRET);
        assertThat(missingName.code()).isEqualTo(2);
        assertThat(missingName.err()).contains("--device-name").doesNotContain(SECRET);
    }

    @Test
    void subAndPubRefuseMixedCredentialsAMissingHostAndTwoPayloads() {
        Result mixed =
                execute(
                        "sub",
                        "--host",
                        "h",
                        "--topic",
                        "t",
                        "--username",
                        "u",
                        "--password",
                        "pw",
                        "--product-key",
                        "pk",
                        "--device-name",
                        "dn",
                        "--device-secret",
                        SECRET);
        assertThat(mixed.code()).isEqualTo(2);
        assertThat(mixed.err()).contains("mutually exclusive").doesNotContain(SECRET);

        Result noHost = execute("sub", "--topic", "t");
        assertThat(noHost.code()).isEqualTo(2);
        assertThat(noHost.err()).contains("--host");

        Result twoPayloads =
                execute(
                        "pub",
                        "--host",
                        "h",
                        "--topic",
                        "t",
                        "--message",
                        "a",
                        "--message-base64",
                        "YQ==");
        assertThat(twoPayloads.code()).isEqualTo(2);
        assertThat(twoPayloads.err()).contains("mutually exclusive");

        Result badFilter = execute("sub", "--host", "h", "--topic", "a/#/b");
        assertThat(badFilter.code()).isEqualTo(2);
    }

    @Test
    void subAndPubCredentialsBecomeUserNameOrASignedDevice() {
        PubCommand user = new PubCommand();
        CommandLine userLine = new CommandLine(user);
        userLine.parseArgs(
                "--host",
                "broker",
                "--topic",
                "t",
                "--message",
                "m",
                "--username",
                "app",
                "--password",
                "pw");
        user.spec = userLine.getCommandSpec();
        MqttClientOptions u = user.clientOptions();
        assertThat(u.username()).isEqualTo("app");
        assertThat(u.hasPassword()).isTrue();
        assertThat(u.port()).isEqualTo(1883);

        SubCommand device = new SubCommand();
        CommandLine deviceLine = new CommandLine(device);
        deviceLine.parseArgs(
                "--host",
                "broker",
                "--topic",
                "t",
                "--tls",
                "--product-key",
                "pk",
                "--device-name",
                "dn",
                "--device-secret",
                SECRET);
        device.spec = deviceLine.getCommandSpec();
        MqttClientOptions d = device.clientOptions();
        assertThat(d.username()).isEqualTo("dn&pk");
        assertThat(d.clientId()).startsWith("pk.dn|").contains("securemode=2");
        assertThat(d.port()).isEqualTo(8883);
    }
}
