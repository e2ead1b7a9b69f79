package io.thingflux.serial;

import io.thingflux.aliyun.AliyunDeviceIdentity;
import io.thingflux.aliyun.AliyunEndpoints;
import io.thingflux.serial.internal.AtFields;
import java.time.Duration;
import java.util.Objects;

/**
 * Immutable options of an {@link Ec600sLink}; build with {@link #builder()}, change a copy with
 * {@link #mutate()}. Secrets (device secret, password) never appear in {@link #toString()}.
 *
 * <p>Either an Aliyun device triple ({@link Builder#aliyunDevice}: the module signs with {@code aliauth})
 * or explicit {@link Builder#credentials} (or none) is used. String parameters that go inside AT quotes
 * are checked at {@link Builder#build()}: no {@code "}, CR, LF or NUL.
 */
public final class Ec600sOptions {

    /** Default module MQTT client index. */
    public static final int DEFAULT_CLIENT_INDEX = 0;
    /** Default MQTT keepalive (the module's default). */
    public static final Duration DEFAULT_KEEP_ALIVE = Duration.ofSeconds(120);
    /** Default packet timeout ({@code QMTCFG "timeout"}). */
    public static final Duration DEFAULT_PACKET_TIMEOUT = Duration.ofSeconds(5);
    /** Default retransmissions ({@code QMTCFG "timeout"}). */
    public static final int DEFAULT_RETRIES = 3;
    /** Default largest publish payload (the best-sourced module limit). */
    public static final int DEFAULT_MAX_PAYLOAD = 4096;
    /** Default wait for network registration. */
    public static final Duration DEFAULT_REGISTRATION_TIMEOUT = Duration.ofSeconds(60);
    /** Default wait for the {@code +QMTOPEN} result. */
    public static final Duration DEFAULT_OPEN_TIMEOUT = Duration.ofSeconds(120);
    /** Default PDP activation timeout (Quectel: 150 s). */
    public static final Duration DEFAULT_PDP_TIMEOUT = Duration.ofSeconds(150);
    /** Default first reconnect delay; it doubles up to {@link #DEFAULT_MAX_RECONNECT_DELAY}. */
    public static final Duration DEFAULT_MIN_RECONNECT_DELAY = Duration.ofSeconds(1);
    /** Default longest reconnect delay. */
    public static final Duration DEFAULT_MAX_RECONNECT_DELAY = Duration.ofSeconds(60);
    /** Default number of messages a subscription keeps for a slow subscriber. */
    public static final int DEFAULT_SUBSCRIPTION_BUFFER = 256;

    private final String host;
    private final int port;
    private final int clientIndex;
    private final String clientId;
    private final AliyunDeviceIdentity aliyunDevice;
    private final String username;
    private final String password;
    private final Duration keepAlive;
    private final boolean cleanSession;
    private final Duration packetTimeout;
    private final int retries;
    private final PublishDialect publishDialect;
    private final int maxPayload;
    private final String apn;
    private final String apnUser;
    private final String apnPassword;
    private final int apnAuth;
    private final Duration registrationTimeout;
    private final Duration openTimeout;
    private final Duration pdpTimeout;
    private final Duration minReconnectDelay;
    private final Duration maxReconnectDelay;
    private final int subscriptionBuffer;
    private final String urcPort;

    private Ec600sOptions(Builder b) {
        this.urcPort = b.urcPort;
        this.host = b.host;
        this.port = b.port;
        this.clientIndex = b.clientIndex;
        this.clientId = b.clientId;
        this.aliyunDevice = b.aliyunDevice;
        this.username = b.username;
        this.password = b.password;
        this.keepAlive = b.keepAlive;
        this.cleanSession = b.cleanSession;
        this.packetTimeout = b.packetTimeout;
        this.retries = b.retries;
        this.publishDialect = b.publishDialect;
        this.maxPayload = b.maxPayload;
        this.apn = b.apn;
        this.apnUser = b.apnUser;
        this.apnPassword = b.apnPassword;
        this.apnAuth = b.apnAuth;
        this.registrationTimeout = b.registrationTimeout;
        this.openTimeout = b.openTimeout;
        this.pdpTimeout = b.pdpTimeout;
        this.minReconnectDelay = b.minReconnectDelay;
        this.maxReconnectDelay = b.maxReconnectDelay;
        this.subscriptionBuffer = b.subscriptionBuffer;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these options. */
    public Builder mutate() {
        Builder b = new Builder();
        b.host = host;
        b.port = port;
        b.clientIndex = clientIndex;
        b.clientId = clientId;
        b.aliyunDevice = aliyunDevice;
        b.username = username;
        b.password = password;
        b.keepAlive = keepAlive;
        b.cleanSession = cleanSession;
        b.packetTimeout = packetTimeout;
        b.retries = retries;
        b.publishDialect = publishDialect;
        b.maxPayload = maxPayload;
        b.apn = apn;
        b.apnUser = apnUser;
        b.apnPassword = apnPassword;
        b.apnAuth = apnAuth;
        b.registrationTimeout = registrationTimeout;
        b.openTimeout = openTimeout;
        b.pdpTimeout = pdpTimeout;
        b.minReconnectDelay = minReconnectDelay;
        b.maxReconnectDelay = maxReconnectDelay;
        b.subscriptionBuffer = subscriptionBuffer;
        b.urcPort = urcPort;
        return b;
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    public int clientIndex() {
        return clientIndex;
    }

    public String clientId() {
        return clientId;
    }

    /** The device triple signed by the module ({@code aliauth}), or null. */
    public AliyunDeviceIdentity aliyunDevice() {
        return aliyunDevice;
    }

    public String username() {
        return username;
    }

    /** The explicit password, or null. */
    public String password() {
        return password;
    }

    public Duration keepAlive() {
        return keepAlive;
    }

    public boolean cleanSession() {
        return cleanSession;
    }

    public Duration packetTimeout() {
        return packetTimeout;
    }

    public int retries() {
        return retries;
    }

    /** The publish dialect, or null to probe the {@code =?} forms at connect. */
    public PublishDialect publishDialect() {
        return publishDialect;
    }

    public int maxPayload() {
        return maxPayload;
    }

    /** The APN to configure with {@code AT+QICSGP}, or null to keep the module's. */
    public String apn() {
        return apn;
    }

    public String apnUser() {
        return apnUser;
    }

    public String apnPassword() {
        return apnPassword;
    }

    public int apnAuth() {
        return apnAuth;
    }

    public Duration registrationTimeout() {
        return registrationTimeout;
    }

    public Duration openTimeout() {
        return openTimeout;
    }

    public Duration pdpTimeout() {
        return pdpTimeout;
    }

    public Duration minReconnectDelay() {
        return minReconnectDelay;
    }

    public Duration maxReconnectDelay() {
        return maxReconnectDelay;
    }

    public int subscriptionBuffer() {
        return subscriptionBuffer;
    }

    /** The port URCs are routed to ({@code AT+QURCCFG="urcport"}), or null to leave the module's setting. */
    public String urcPort() {
        return urcPort;
    }

    /**
     * How long a connect, publish, subscribe or unsubscribe result URC may take: packet timeout × retries
     * (at least one) + 1 s, the Quectel margin; 16 s with the defaults.
     */
    public Duration resultTimeout() {
        return packetTimeout.multipliedBy(Math.max(1, retries)).plusSeconds(1);
    }

    @Override
    public String toString() {
        return "Ec600sOptions[" + host + ":" + port + ", client " + clientIndex + ", clientId=" + clientId
                + (aliyunDevice != null ? ", " + aliyunDevice : "")
                + (username != null ? ", username=" + username + ", password=<redacted>" : "")
                + ", keepAlive=" + keepAlive.toSeconds() + "s, cleanSession=" + cleanSession
                + ", dialect=" + (publishDialect == null ? "probe" : publishDialect) + ", maxPayload=" + maxPayload
                + (apn != null ? ", apn=" + apn : "") + "]";
    }

    /** Builds {@link Ec600sOptions}. */
    public static final class Builder {
        private String host;
        private int port = AliyunEndpoints.PORT_TCP;
        private int clientIndex = DEFAULT_CLIENT_INDEX;
        private String clientId;
        private AliyunDeviceIdentity aliyunDevice;
        private String username;
        private String password;
        private Duration keepAlive = DEFAULT_KEEP_ALIVE;
        private boolean cleanSession = true;
        private Duration packetTimeout = DEFAULT_PACKET_TIMEOUT;
        private int retries = DEFAULT_RETRIES;
        private PublishDialect publishDialect;
        private int maxPayload = DEFAULT_MAX_PAYLOAD;
        private String apn;
        private String apnUser = "";
        private String apnPassword = "";
        private int apnAuth = 0;
        private Duration registrationTimeout = DEFAULT_REGISTRATION_TIMEOUT;
        private Duration openTimeout = DEFAULT_OPEN_TIMEOUT;
        private Duration pdpTimeout = DEFAULT_PDP_TIMEOUT;
        private Duration minReconnectDelay = DEFAULT_MIN_RECONNECT_DELAY;
        private Duration maxReconnectDelay = DEFAULT_MAX_RECONNECT_DELAY;
        private int subscriptionBuffer = DEFAULT_SUBSCRIPTION_BUFFER;
        private String urcPort;

        private Builder() {
        }

        /** The broker the module opens; with an Aliyun device and no host, the legacy cn-shanghai host. */
        public Builder broker(String host, int port) {
            this.host = Objects.requireNonNull(host, "host");
            this.port = port;
            return this;
        }

        /** The module's MQTT client index, 0–5 (default 0). */
        public Builder clientIndex(int clientIndex) {
            this.clientIndex = clientIndex;
            return this;
        }

        /** The {@code AT+QMTCONN} client id; with an Aliyun device, default {@code productKey.deviceName}. */
        public Builder clientId(String clientId) {
            this.clientId = clientId;
            return this;
        }

        /** Sign in with the module's {@code aliauth} option and this triple. */
        public Builder aliyunDevice(AliyunDeviceIdentity device) {
            this.aliyunDevice = device;
            return this;
        }

        /** Explicit user name and password for {@code AT+QMTCONN} (instead of {@code aliauth}). */
        public Builder credentials(String username, String password) {
            this.username = username;
            this.password = password;
            return this;
        }

        public Builder keepAlive(Duration keepAlive) {
            this.keepAlive = Objects.requireNonNull(keepAlive, "keepAlive");
            return this;
        }

        public Builder cleanSession(boolean cleanSession) {
            this.cleanSession = cleanSession;
            return this;
        }

        /** {@code QMTCFG "timeout"}: packet timeout (1–60 s) and retransmissions (0–10). */
        public Builder packetTimeout(Duration packetTimeout, int retries) {
            this.packetTimeout = Objects.requireNonNull(packetTimeout, "packetTimeout");
            this.retries = retries;
            return this;
        }

        /** The publish dialect; null (default) probes {@code AT+QMTPUBEX=?} at connect. */
        public Builder publishDialect(PublishDialect dialect) {
            this.publishDialect = dialect;
            return this;
        }

        /** Largest payload accepted by {@link Ec600sLink#publish} (default {@value Ec600sOptions#DEFAULT_MAX_PAYLOAD}). */
        public Builder maxPayload(int maxPayload) {
            this.maxPayload = maxPayload;
            return this;
        }

        /** Configure PDP context 1 with {@code AT+QICSGP=1,1,"apn","user","pwd",auth}. */
        public Builder apn(String apn, String user, String password, int auth) {
            this.apn = apn;
            this.apnUser = user == null ? "" : user;
            this.apnPassword = password == null ? "" : password;
            this.apnAuth = auth;
            return this;
        }

        public Builder registrationTimeout(Duration timeout) {
            this.registrationTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        public Builder openTimeout(Duration timeout) {
            this.openTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        public Builder pdpTimeout(Duration timeout) {
            this.pdpTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /** Reconnect backoff: the first delay, doubled after each failure up to {@code max}. */
        public Builder reconnectDelay(Duration min, Duration max) {
            this.minReconnectDelay = Objects.requireNonNull(min, "min");
            this.maxReconnectDelay = Objects.requireNonNull(max, "max");
            return this;
        }

        /** Messages a subscription keeps for a slow subscriber; beyond it new ones are dropped and logged. */
        public Builder subscriptionBuffer(int size) {
            this.subscriptionBuffer = size;
            return this;
        }

        /**
         * Route URCs to this port with {@code AT+QURCCFG="urcport","<port>"} at connect: {@code "uart1"} when
         * the host is on the main UART of a module whose default is {@code "usbat"} (no {@code +QMTRECV} would
         * reach the UART otherwise). Default null: leave the module's (stored) setting.
         */
        public Builder urcPort(String urcPort) {
            this.urcPort = urcPort;
            return this;
        }

        /**
         * Validates and builds.
         *
         * @throws IllegalArgumentException for out-of-range values or a string that cannot go inside AT quotes
         */
        public Ec600sOptions build() {
            if (aliyunDevice != null && username != null) {
                throw new IllegalArgumentException("use either an Aliyun device (aliauth) or explicit credentials");
            }
            if (host == null) {
                if (aliyunDevice == null) {
                    throw new IllegalArgumentException("a broker host is required");
                }
                host = AliyunEndpoints.legacyHost(aliyunDevice.productKey(), AliyunEndpoints.DEFAULT_REGION);
            }
            if (clientId == null) {
                if (aliyunDevice == null) {
                    throw new IllegalArgumentException("a client id is required");
                }
                clientId = aliyunDevice.productKey() + "." + aliyunDevice.deviceName();
            }
            if (clientIndex < 0 || clientIndex > 5) {
                throw new IllegalArgumentException("client index must be 0..5");
            }
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port must be 1..65535");
            }
            if (host.isEmpty() || host.length() > 100) {
                throw new IllegalArgumentException("host must be 1..100 characters");
            }
            long ka = keepAlive.toSeconds();
            if (ka < 0 || ka > 3600) {
                throw new IllegalArgumentException("keepalive must be 0..3600 s");
            }
            long pt = packetTimeout.toSeconds();
            if (pt < 1 || pt > 60 || retries < 0 || retries > 10) {
                throw new IllegalArgumentException("packet timeout must be 1..60 s and retries 0..10");
            }
            if (maxPayload < 1 || maxPayload > 1 << 16) {
                throw new IllegalArgumentException("maxPayload must be 1..65536");
            }
            if (apnAuth < 0 || apnAuth > 3) {
                throw new IllegalArgumentException("APN auth must be 0..3");
            }
            if (subscriptionBuffer < 1) {
                throw new IllegalArgumentException("subscription buffer must be positive");
            }
            quotable("host", host);
            quotable("client id", clientId);
            if (username != null) {
                quotable("username", username);
                quotable("password", password);
            }
            if (aliyunDevice != null) {
                quotable("product key", aliyunDevice.productKey());
                quotable("device name", aliyunDevice.deviceName());
                quotable("device secret", aliyunDevice.deviceSecret());
            }
            if (urcPort != null) {
                quotable("URC port", urcPort);
            }
            if (apn != null) {
                quotable("APN", apn);
                quotable("APN user", apnUser);
                quotable("APN password", apnPassword);
            }
            return new Ec600sOptions(this);
        }

        private static void quotable(String what, String value) {
            String problem = AtFields.quotingProblem(value);
            if (problem != null) {
                // name the field, never the value: it may be a secret
                throw new IllegalArgumentException(what + " " + problem);
            }
        }
    }
}
