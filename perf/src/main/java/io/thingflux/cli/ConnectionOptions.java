package io.thingflux.cli;

import io.thingflux.netty.client.MqttProxyOptions;
import io.thingflux.netty.client.MqttTlsOptions;
import io.thingflux.netty.client.MqttWebSocketOptions;
import io.thingflux.netty.client.TrustRoot;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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

    // ---- the other ways in: WebSocket, client certificates, named roots, proxies

    @Option(
            names = "--ws",
            description = "MQTT over WebSocket (ws://, or wss:// with TLS), path --ws-path.")
    boolean ws;

    @Option(
            names = "--ws-path",
            paramLabel = "PATH",
            description = "The WebSocket path (default /mqtt; implies --ws).")
    String wsPath;

    @Option(
            names = "--cert",
            paramLabel = "FILE",
            description =
                    "Client certificate (X.509 devices): a PEM chain with --key, or a PKCS#12 file (.p12/.pfx) whose password is --key-password (implies --tls).")
    Path cert;

    @Option(names = "--key", paramLabel = "PEM_FILE", description = "The PKCS#8 PEM key of --cert.")
    Path key;

    @Option(
            names = "--key-password",
            paramLabel = "PASSWORD",
            arity = "0..1",
            interactive = true,
            description = "Password of --key or of the PKCS#12 --cert (asked for when given bare).")
    char[] keyPassword;

    @Option(
            names = "--trust-root",
            paramLabel = "NAME",
            description =
                    "Trust a root shipped with thingflux: GLOBALSIGN_ROOT_CA_R1 (ports 1883/443), ALIYUN_IOT_ROOT_CA_2053 (port 8883); repeatable (implies --tls).")
    List<TrustRoot> trustRoots = new ArrayList<>();

    @Option(
            names = "--proxy",
            paramLabel = "URI",
            description =
                    "Tunnel through a proxy: http://[user:password@]host:port or socks5://[user:password@]host:port.")
    String proxy;

    /** The WebSocket settings, or {@code null} for MQTT over the socket. */
    public MqttWebSocketOptions webSocketOptions() {
        if (!ws && wsPath == null) {
            return null;
        }
        MqttWebSocketOptions.Builder b = MqttWebSocketOptions.builder();
        if (wsPath != null) {
            b.path(wsPath);
        }
        return b.build();
    }

    /** The proxy, or {@code null} for a direct connection. */
    public MqttProxyOptions proxyOptions() {
        return proxy == null ? null : MqttProxyOptions.parse(proxy);
    }

    private void clientCertificate(MqttTlsOptions.Builder b) {
        if (cert == null) {
            if (key != null) {
                throw new IllegalArgumentException("--key needs --cert");
            }
            return;
        }
        String name = cert.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".p12") || name.endsWith(".pfx")) {
            b.clientCertificatePkcs12(cert, keyPassword == null ? new char[0] : keyPassword);
        } else {
            if (key == null) {
                throw new IllegalArgumentException("--cert with a PEM chain needs --key");
            }
            b.clientCertificatePem(cert, key, keyPassword == null ? null : new String(keyPassword));
        }
    }

    /** Whether the connection uses TLS. */
    public boolean tls() {
        return tls
                || tlsTrust != null
                || noHostnameVerification
                || cert != null
                || !trustRoots.isEmpty();
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
        if (!trustRoots.isEmpty()) {
            b.trustRoots(trustRoots.toArray(TrustRoot[]::new));
        }
        clientCertificate(b);
        return b.build();
    }
}
