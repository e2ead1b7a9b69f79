package io.thingflux.cli;

import io.thingflux.emulator.platform.AliyunPlatformEmulator;
import io.thingflux.emulator.platform.AuthMode;
import io.thingflux.emulator.platform.EmulatorOptions;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code thingflux broker}: runs the Aliyun IoT Platform emulator (or, with {@code --auth none}, a
 * plain MQTT 3.1.1 broker) until SIGTERM or Ctrl-C. Prints one line with the bound addresses when
 * ready.
 */
@Command(
        name = "broker",
        mixinStandardHelpOptions = true,
        description = {
            "Runs the Aliyun IoT Platform emulator: signed device CONNECTs, the per-device topic ACL, Alink "
                    + "replies, an admin HTTP API (SetDeviceProperty, InvokeThingService, RRpc, Pub, "
                    + "GetDeviceStatus, QueryDevicePropertyStatus). With --auth none: a plain MQTT 3.1.1 broker.",
            "Prints one line with the bound addresses when ready; stops cleanly on SIGTERM."
        })
public final class BrokerCommand implements Callable<Integer> {

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(
            names = "--host",
            description = "Bind address of the MQTT listeners (default: ${DEFAULT-VALUE}).")
    String host = EmulatorOptions.DEFAULT_HOST;

    @Option(
            names = "--port",
            description =
                    "Plain TCP port, secure mode 3; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int port = EmulatorOptions.DEFAULT_PORT;

    @Option(
            names = "--tls-port",
            description = "TLS port, secure mode 2; 0 picks a free one (default: no TLS).")
    Integer tlsPort;

    @Option(
            names = "--tls-cert",
            description = "PEM certificate chain for TLS (default: self-signed, made at start).")
    Path tlsCert;

    // ---- ways in beside TCP and TLS: WebSocket listeners and X.509 devices

    @Option(
            names = "--ws-port",
            description = "MQTT over WebSocket (ws://, secure mode 3) port; 0 picks a free one.")
    Integer wsPort;

    @Option(
            names = "--wss-port",
            description =
                    "MQTT over secure WebSocket (wss://, secure mode 2, the TLS certificate) port.")
    Integer wssPort;

    @Option(
            names = "--ws-path",
            description = "Path of the WebSocket listeners (default: ${DEFAULT-VALUE}).")
    String wsPath = EmulatorOptions.DEFAULT_WS_PATH;

    @Option(
            names = "--client-ca",
            paramLabel = "PEM_FILE",
            description =
                    "X.509 devices: ask TLS clients for a certificate chaining to this CA (signed devices still connect).")
    Path clientCa;

    @Option(
            names = "--cert-device",
            paramLabel = "FINGERPRINT_OR_SUBJECT=PK/DN",
            description =
                    "A device known by its certificate's SHA-256 fingerprint or subject DN; repeatable, with --client-ca.")
    List<String> certDevices = new ArrayList<>();

    @Option(names = "--tls-key", description = "PEM PKCS#8 private key going with --tls-cert.")
    Path tlsKey;

    @Option(
            names = "--admin-port",
            description = "Admin HTTP API port; 0 picks a free one (default: no admin API).")
    Integer adminPort;

    @Option(
            names = "--admin-tls-port",
            description =
                    "HTTPS port of the admin API and OpenAPI, with the TLS certificate; 0 picks a free"
                            + " one (default: none).")
    Integer adminTlsPort;

    @Option(
            names = "--admin-host",
            description = "Bind address of the admin API (default: ${DEFAULT-VALUE}).")
    String adminHost = EmulatorOptions.DEFAULT_HOST;

    @Option(
            names = "--admin-token",
            description = "Require 'Authorization: Bearer TOKEN' on the admin API.")
    String adminToken;

    @Option(names = "--auth", description = "aliyun (default) or none.")
    String auth = "aliyun";

    @Option(names = "--device", paramLabel = "PK,DN,SECRET", description = "A device (repeatable).")
    List<String> devices = new ArrayList<>();

    @Option(
            names = "--devices-file",
            paramLabel = "FILE",
            description = "A CSV of devices: PK,DN,SECRET per line.")
    Path devicesFile;

    @Option(
            names = "--product",
            paramLabel = "PK,PRODUCT_SECRET",
            description = {
                "Accept every device of the product whose secret is the first 32 characters of lowercase hex "
                        + "HMAC-SHA256(key = product secret, message = device name) (repeatable).",
                "An emulator convenience for simulating many devices; the platform does not do this."
            })
    List<String> products = new ArrayList<>();

    @Option(
            names = "--app",
            paramLabel = "USER:PASSWORD",
            description =
                    "An application identity that may publish and subscribe anywhere (repeatable).")
    List<String> apps = new ArrayList<>();

    @Option(
            names = "--access-key",
            paramLabel = "ID:SECRET",
            description =
                    "An access key that may sign OpenAPI requests on the admin listener, as the"
                            + " official Aliyun SDKs send them (repeatable; the secret is never logged).")
    List<String> accessKeys = new ArrayList<>();

    @Option(
            names = "--sync-service",
            paramLabel = "PK/IDENTIFIER",
            description =
                    "A service the OpenAPI's InvokeThingService calls synchronously (over /ext/rrpc,"
                            + " answering with the device's reply); others are asynchronous (repeatable).")
    List<String> syncServices = new ArrayList<>();

    @Option(
            names = "--record",
            paramLabel = "FILE",
            description =
                    "Append every received PUBLISH to FILE as one JSON line, flushed per message.")
    Path record;

    @Option(
            names = "--dedup-view",
            paramLabel = "N",
            description =
                    "Keep the dedup view of what devices publish (admin action QueryDevicePublishes): "
                            + "each distinct message once with its arrivals, at most N messages "
                            + "(default: off).")
    int dedupView;

    @Option(
            names = "--max-packet-size",
            description = "Largest frame accepted in bytes (default: ${DEFAULT-VALUE}).")
    int maxPacketSize = EmulatorOptions.DEFAULT_MAX_PACKET_SIZE;

    @Option(
            names = "--connect-timeout",
            description =
                    "Seconds a new connection has to send CONNECT (default: ${DEFAULT-VALUE}).")
    int connectTimeoutSeconds = (int) EmulatorOptions.DEFAULT_CONNECT_TIMEOUT.toSeconds();

    @Option(
            names = "--offline-queue-limit",
            description =
                    "QoS 1 messages kept per offline persistent session; "
                            + "the oldest is dropped beyond it (default: ${DEFAULT-VALUE}).")
    int offlineQueueLimit = EmulatorOptions.DEFAULT_OFFLINE_QUEUE_LIMIT;

    @Option(
            names = "--threads",
            description = "Event-loop threads; 0 = Netty's default (default: ${DEFAULT-VALUE}).")
    int threads;

    // issue #22: live broker counters for Prometheus/Grafana
    @Option(
            names = "--metrics-port",
            paramLabel = "PORT",
            description =
                    "Serve the broker's counters (connections, connects, publishes, drops) at http://HOST:PORT/metrics for Prometheus.")
    Integer metricsPort;

    /** The emulator options these arguments describe. */
    EmulatorOptions options() {
        EmulatorOptions.Builder b =
                EmulatorOptions.builder()
                        .host(host)
                        .port(port)
                        .tlsPort(tlsPort)
                        .tlsCertificate(tlsCert, tlsKey)
                        .adminHost(adminHost)
                        .adminPort(adminPort)
                        .adminTlsPort(adminTlsPort)
                        .adminToken(adminToken)
                        .maxPacketSize(maxPacketSize)
                        .connectTimeout(Duration.ofSeconds(connectTimeoutSeconds))
                        .offlineQueueLimit(offlineQueueLimit)
                        .eventLoopThreads(threads)
                        .recordFile(record)
                        .dedupView(dedupView);
        switch (auth.toLowerCase(Locale.ROOT)) {
            case "aliyun" -> b.authMode(AuthMode.ALIYUN);
            case "none" -> b.authMode(AuthMode.NONE);
            default ->
                    throw new IllegalArgumentException(
                            "--auth must be aliyun or none, was " + auth);
        }
        devices.forEach(b::device);
        if (devicesFile != null) {
            b.devicesFile(devicesFile);
        }
        products.forEach(b::product);
        apps.forEach(b::app);
        accessKeys.forEach(b::accessKey);
        syncServices.forEach(b::syncService);
        b.wsPort(wsPort).wssPort(wssPort).wsPath(wsPath).clientCertificateAuthority(clientCa);
        for (String d : certDevices) {
            // the subject itself holds '=': the identity follows the last one
            int eq = d.lastIndexOf('=');
            int slash = d.indexOf('/', eq + 1);
            if (eq <= 0 || slash <= eq + 1 || slash == d.length() - 1) {
                throw new IllegalArgumentException("--cert-device is FINGERPRINT_OR_SUBJECT=PK/DN");
            }
            b.certificateDevice(
                    d.substring(0, eq), d.substring(eq + 1, slash), d.substring(slash + 1));
        }
        return b.build();
    }

    @Override
    public Integer call() throws InterruptedException {
        EmulatorOptions options;
        try {
            options = options();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        AliyunPlatformEmulator emulator = AliyunPlatformEmulator.start(options);
        PrintWriter out = spec.commandLine().getOut();
        io.thingflux.bench.live.PrometheusEndpoint metrics = null;
        if (metricsPort != null) {
            try {
                metrics = io.thingflux.bench.live.PrometheusEndpoint.start(host, metricsPort);
            } catch (java.io.IOException e) {
                emulator.close();
                throw new CommandLine.ParameterException(
                        spec.commandLine(),
                        "--metrics-port " + metricsPort + ": " + e.getMessage());
            }
            io.thingflux.bench.live.LiveMeters.bindBroker(metrics.registry(), emulator::stats);
        }
        io.thingflux.bench.live.PrometheusEndpoint metricsEndpoint = metrics;
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook =
                new Thread(
                        () -> {
                            if (metricsEndpoint != null) {
                                metricsEndpoint.close();
                            }
                            emulator.close();
                            out.println("thingflux broker stopped");
                            out.flush();
                            stopped.countDown();
                        },
                        "thingflux-broker-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        out.println(
                "thingflux broker ready "
                        + emulator.describe()
                        + (metrics == null ? "" : " metrics=" + host + ":" + metrics.port()));
        out.flush();
        stopped.await();
        return 0;
    }
}
