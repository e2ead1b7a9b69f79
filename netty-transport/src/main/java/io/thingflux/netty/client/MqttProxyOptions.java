package io.thingflux.netty.client;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * A proxy a client tunnels its connection through: HTTP {@code CONNECT} or SOCKS5, with optional
 * credentials (never shown by {@link #toString()}). Needs {@code io.netty:netty-handler-proxy} on
 * the class path (an optional dependency of this library). TLS and WebSocket run inside the tunnel;
 * the proxy is given the broker's host name unresolved, so it resolves it.
 */
public final class MqttProxyOptions {

    /** Default time for the proxy to open the tunnel: 10 s. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);

    /** The kind of proxy. */
    public enum Type {
        /** An HTTP proxy that opens a tunnel on {@code CONNECT host:port} (RFC 9110 §9.3.6). */
        HTTP,
        /** A SOCKS5 proxy (RFC 1928), user name and password authentication by RFC 1929. */
        SOCKS5
    }

    private final Type type;
    private final String host;
    private final int port;
    private final String username;
    private final String password;
    private final Duration connectTimeout;

    private MqttProxyOptions(
            Type type,
            String host,
            int port,
            String username,
            String password,
            Duration connectTimeout) {
        this.type = Objects.requireNonNull(type, "type");
        this.host = Objects.requireNonNull(host, "host");
        if (host.isBlank()) {
            throw new IllegalArgumentException("proxy host must not be blank");
        }
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("proxy port must be 1..65535, was " + port);
        }
        if (password != null && username == null) {
            throw new IllegalArgumentException("a proxy password requires a user name");
        }
        if (connectTimeout.isNegative() || connectTimeout.isZero()) {
            throw new IllegalArgumentException("proxy connect timeout must be positive");
        }
        this.port = port;
        this.username = username;
        this.password = password;
        this.connectTimeout = connectTimeout;
    }

    /** An HTTP CONNECT proxy without credentials. */
    public static MqttProxyOptions http(String host, int port) {
        return new MqttProxyOptions(Type.HTTP, host, port, null, null, DEFAULT_CONNECT_TIMEOUT);
    }

    /** A SOCKS5 proxy without credentials. */
    public static MqttProxyOptions socks5(String host, int port) {
        return new MqttProxyOptions(Type.SOCKS5, host, port, null, null, DEFAULT_CONNECT_TIMEOUT);
    }

    /**
     * Parses {@code http://[user:password@]host:port} or {@code socks5://[user:password@]host:port}
     * (the CLI's {@code --proxy}).
     *
     * @throws IllegalArgumentException for another scheme or a missing port; the message never
     *     contains the password
     */
    public static MqttProxyOptions parse(String uri) {
        int schemeEnd = uri.indexOf("://");
        if (schemeEnd < 0) {
            throw new IllegalArgumentException(
                    "proxy must be http://host:port or socks5://host:port");
        }
        String scheme = uri.substring(0, schemeEnd).toLowerCase(Locale.ROOT);
        Type type =
                switch (scheme) {
                    case "http" -> Type.HTTP;
                    case "socks5", "socks" -> Type.SOCKS5;
                    default ->
                            throw new IllegalArgumentException(
                                    "proxy scheme must be http or socks5, was " + scheme);
                };
        String rest = uri.substring(schemeEnd + 3);
        if (rest.endsWith("/")) {
            rest = rest.substring(0, rest.length() - 1);
        }
        String user = null;
        String pass = null;
        int at = rest.lastIndexOf('@');
        if (at >= 0) {
            String userInfo = rest.substring(0, at);
            rest = rest.substring(at + 1);
            int colon = userInfo.indexOf(':');
            user = decode(colon < 0 ? userInfo : userInfo.substring(0, colon));
            pass = colon < 0 ? null : decode(userInfo.substring(colon + 1));
        }
        int colon = rest.lastIndexOf(':');
        if (colon <= 0 || colon == rest.length() - 1) {
            throw new IllegalArgumentException("proxy needs host:port");
        }
        int port;
        try {
            port = Integer.parseInt(rest.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("proxy port is not a number");
        }
        String host = rest.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return new MqttProxyOptions(type, host, port, user, pass, DEFAULT_CONNECT_TIMEOUT);
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    /** The same proxy with these credentials (user name and password authentication). */
    public MqttProxyOptions withCredentials(String username, String password) {
        return new MqttProxyOptions(
                type,
                host,
                port,
                Objects.requireNonNull(username, "username"),
                password,
                connectTimeout);
    }

    /** The same proxy with this tunnel timeout (default {@link #DEFAULT_CONNECT_TIMEOUT}). */
    public MqttProxyOptions withConnectTimeout(Duration timeout) {
        return new MqttProxyOptions(type, host, port, username, password, timeout);
    }

    public Type type() {
        return type;
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    /** The user name, or {@code null}. */
    public String username() {
        return username;
    }

    /** The password, or {@code null}; never logged. */
    public String password() {
        return password;
    }

    public Duration connectTimeout() {
        return connectTimeout;
    }

    /** Never shows the password. */
    @Override
    public String toString() {
        return "MqttProxyOptions["
                + type
                + " "
                + host
                + ":"
                + port
                + (username != null ? ", username=" + username + ", password=<redacted>" : "")
                + "]";
    }
}
