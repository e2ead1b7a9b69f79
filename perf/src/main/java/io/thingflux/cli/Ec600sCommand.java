package io.thingflux.cli;

import io.thingflux.alink.AliyunDevice;
import io.thingflux.alink.AliyunDeviceOptions;
import io.thingflux.aliyun.AliyunDeviceIdentity;
import io.thingflux.aliyun.AliyunEndpoints;
import io.thingflux.link.outbox.OutboxException;
import io.thingflux.netty.client.TrustRoot;
import io.thingflux.serial.Ec600sLink;
import io.thingflux.serial.Ec600sOptions;
import io.thingflux.serial.Ec600sTlsOptions;
import io.thingflux.serial.PublishDialect;
import io.thingflux.serial.at.JSerialCommTransport;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code thingflux ec600s}: one Aliyun thing-model device through a Quectel EC600S/EC200S module on
 * a serial port: the {@link DeviceConsole} of {@code thingflux device}; this command adds the
 * serial port and the module's settings.
 */
@Command(
        name = "ec600s",
        mixinStandardHelpOptions = true,
        description = {
            "Connects one Aliyun IoT thing-model device through a Quectel EC600S/EC200S module (MQTT AT "
                    + "commands over a serial port; the module signs with its aliauth option) and behaves as "
                    + "'thingflux device': every incoming thing message is printed to stdout as one JSON line, "
                    + "property sets and service calls are answered, each JSON object read from stdin is "
                    + "posted as properties and its reply printed. Logs go to stderr.",
            "EOF on stdin, SIGINT or SIGTERM: DISCONNECT, exit 0. A refused or lost connection: exit 1 with "
                    + "a one-line reason on stderr.",
            "Posts made while the module reconnects wait in an outbox and leave in order. With --outbox "
                    + "DIR, QoS 1 posts the module has not yet reported sent survive a crash or a kill: "
                    + "the next start sends them first. One process per device and DIR."
        })
public final class Ec600sCommand implements Callable<Integer> {

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Mixin DeviceConsole console;

    @Option(
            names = "--serial",
            required = true,
            paramLabel = "PATH",
            description =
                    "The module's AT port, e.g. /dev/ttyUSB2 or the path ec600s-emulator printed.")
    String serial;

    @Option(
            names = "--baud",
            paramLabel = "N",
            description = "Line rate (default: ${DEFAULT-VALUE}).")
    int baud = JSerialCommTransport.DEFAULT_BAUD;

    @Option(
            names = "--host",
            paramLabel = "HOST",
            description =
                    "Broker host the module opens (default: PK.iot-as-mqtt.REGION.aliyuncs.com).")
    String host;

    @Option(
            names = "--port",
            paramLabel = "PORT",
            description = "Broker port (default: ${DEFAULT-VALUE}).")
    int port = AliyunEndpoints.PORT_TCP;

    @Option(
            names = "--client-id",
            paramLabel = "ID",
            description = "The AT+QMTCONN client id (default: PK.DN).")
    String clientId;

    @Option(
            names = "--apn",
            paramLabel = "APN",
            description = "Configure PDP context 1 with this APN (default: keep the module's).")
    String apn;

    @Option(
            names = "--urc-port",
            paramLabel = "uart1|usbat|usbmodem",
            description =
                    "Route URCs to this port with AT+QURCCFG (default: keep the module's setting).")
    String urcPort;

    @Option(
            names = "--dialect",
            paramLabel = "qmtpubex|qmtpub",
            description = "Publish dialect (default: probe AT+QMTPUBEX=?).")
    String dialect;

    // ---- the module's TLS (AT+QSSLCFG, CA uploaded with AT+QFUPL)

    @Option(
            names = "--tls-ca",
            paramLabel = "PEM_FILE",
            description =
                    "Turn on the module's TLS and verify the broker against this CA, uploaded to the module (use --port 8883).")
    Path tlsCa;

    @Option(
            names = "--tls-root",
            paramLabel = "NAME",
            description =
                    "Like --tls-ca with a root shipped with thingflux: ALIYUN_IOT_ROOT_CA_2053 (port 8883) or GLOBALSIGN_ROOT_CA_R1 (1883/443).")
    TrustRoot tlsRoot;

    @Option(
            names = "--tls-no-verify",
            description =
                    "Turn on the module's TLS without verifying the broker (seclevel 0; tests only).")
    boolean tlsNoVerify;

    private Ec600sTlsOptions moduleTls() {
        if (tlsCa == null && tlsRoot == null && !tlsNoVerify) {
            return null;
        }
        var t = Ec600sTlsOptions.builder().verifyServer(!tlsNoVerify);
        try {
            if (tlsCa != null) {
                t.caCertificatePem(Files.readString(tlsCa, StandardCharsets.US_ASCII));
            } else if (tlsRoot != null) {
                t.caCertificatePem(tlsRoot.pem());
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read --tls-ca " + tlsCa, e);
        }
        return t.build();
    }

    /** The driver options these arguments describe. */
    Ec600sOptions options(AliyunDeviceIdentity identity) {
        Ec600sOptions.Builder b =
                Ec600sOptions.builder()
                        .aliyunDevice(identity)
                        .broker(host != null ? host : console.legacyHost(identity), port)
                        .clientId(clientId)
                        .urcPort(urcPort)
                        .tls(moduleTls())
                        .outboxStorage(console.outboxStorage());
        if (apn != null) {
            b.apn(apn, "", "", 0);
        }
        if (dialect != null) {
            b.publishDialect(
                    switch (dialect.toLowerCase(Locale.ROOT)) {
                        case "qmtpubex" -> PublishDialect.QMTPUBEX;
                        case "qmtpub" -> PublishDialect.QMTPUB;
                        default ->
                                throw new IllegalArgumentException(
                                        "--dialect must be qmtpubex or qmtpub, was " + dialect);
                    });
        }
        return b.build();
    }

    @Override
    public Integer call() {
        AliyunDeviceIdentity identity;
        Ec600sOptions options;
        AliyunDeviceOptions deviceOptions;
        try {
            identity = console.identity();
            options = options(identity);
            deviceOptions = console.deviceOptions();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        JSerialCommTransport transport;
        try {
            transport = JSerialCommTransport.open(serial, baud);
        } catch (IOException e) {
            PrintWriter err = spec.commandLine().getErr();
            err.println("thingflux ec600s: " + e.getMessage());
            err.flush();
            return 1;
        }
        try {
            Ec600sLink link;
            try {
                link = Ec600sLink.open(transport, options);
            } catch (OutboxException e) { // locked by another process, unreadable, ...
                PrintWriter err = spec.commandLine().getErr();
                err.println("thingflux ec600s: " + e.getMessage());
                err.flush();
                return 1;
            }
            AliyunDevice device = AliyunDevice.create(link, identity, deviceOptions);
            return console.run(
                    device, "through " + serial + " to " + options.host() + ":" + options.port());
        } finally {
            transport.close(); // once the link is gone; closing twice does nothing
        }
    }
}
