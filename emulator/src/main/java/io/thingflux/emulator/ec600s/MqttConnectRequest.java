package io.thingflux.emulator.ec600s;

/**
 * What the emulated module asks of a broker when the host sends {@code AT+QMTCONN}: where to
 * connect (the configured broker, whatever host {@code AT+QMTOPEN} named) and the CONNECT fields.
 *
 * @param host the broker to connect to (already redirected)
 * @param requestedHost the host {@code AT+QMTOPEN} asked for
 * @param username null when none
 * @param password null when none; never shown by {@link #toString()}
 * @param tls the TLS the module client was configured with ({@code AT+QMTCFG="ssl"}), or {@code
 *     null} for TCP: a link factory connects with {@link ModuleTls#toTlsOptions()}
 */
public record MqttConnectRequest(
        String host,
        int port,
        String requestedHost,
        int requestedPort,
        String clientId,
        String username,
        String password,
        int keepAliveSeconds,
        boolean cleanSession,
        int protocolLevel,
        ModuleTls tls) {

    @Override
    public String toString() {
        return "MqttConnectRequest["
                + host
                + ":"
                + port
                + " (asked "
                + requestedHost
                + ":"
                + requestedPort
                + "), clientId="
                + clientId
                + ", username="
                + username
                + ", password="
                + (password == null ? "none" : "<redacted>")
                + ", keepAlive="
                + keepAliveSeconds
                + ", cleanSession="
                + cleanSession
                + ", level="
                + protocolLevel
                + (tls != null ? ", " + tls : "")
                + "]";
    }
}
