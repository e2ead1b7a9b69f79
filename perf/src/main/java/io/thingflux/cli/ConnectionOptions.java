package io.thingflux.cli;

import io.thingflux.netty.client.MqttTlsOptions;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The broker address and TLS settings shared by {@code device}, {@code sub} and {@code pub}; a
 * picocli mixin so the options are declared and documented once.
 */
final class ConnectionOptions {

    /** Plain MQTT port used when {@code --port} is absent. */
    public static final int DEFAULT_TCP_PORT = 1883;

    /** TLS port used when {@code --port} is absent and {@code --tls} is given. */
    public static final int DEFAULT_TLS_PORT = 8883;

    @Option(names = "--host", paramLabel = "HOST", description = "Broker host name or address.")
    String host;

    @Option(
            names = "--port",
            paramLabel = "PORT",
            description = "Broker port (default: 1883, or 8883 with --tls).")
    Integer port;

    @Option(
            names = "--tls",
            description = "Connect over TLS (the JVM's trust store unless --tls-trust is given).")
    boolean tls;

    @Option(
            names = "--tls-trust",
            paramLabel = "PEM_FILE",
            description =
                    "Trust the certificates in this PEM file instead of the JVM's trust store (implies --tls).")
    Path tlsTrust;

    @Option(
            names = "--tls-no-hostname-verification",
            description =
                    "Do not check the server certificate against the host name (test brokers only).")
    boolean noHostnameVerification;

    /** Whether the connection uses TLS. */
    public boolean tls() {
        return tls || tlsTrust != null || noHostnameVerification;
    }

    /** The given port, else {@code defaultPort}. */
    public int port(int defaultPort) {
        return port != null ? port : defaultPort;
    }

    /** The given port, else 1883 for TCP and 8883 for TLS. */
    public int port() {
        return port(tls() ? DEFAULT_TLS_PORT : DEFAULT_TCP_PORT);
    }

    /** The TLS settings, or {@code null} for plain TCP. */
    public MqttTlsOptions tlsOptions() {
        if (!tls()) {
            return null;
        }
        MqttTlsOptions.Builder b =
                MqttTlsOptions.builder().hostnameVerification(!noHostnameVerification);
        if (tlsTrust != null) {
            b.trustPem(tlsTrust);
        }
        return b.build();
    }
}
