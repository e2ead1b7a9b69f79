package io.thingflux.serial;

import io.thingflux.aliyun.AliyunDeviceIdentity;
import io.thingflux.aliyun.AliyunEndpoints;
import io.thingflux.link.ReconnectPolicy;
import io.thingflux.link.outbox.OutboxStorage;
import io.thingflux.link.outbox.OverflowPolicy;
import io.thingflux.serial.internal.AtFields;
import java.time.Duration;
import java.util.Objects;

/**
 * Immutable options of an {@link Ec600sLink}; build with {@link #builder()}, change a copy with
 * {@link #mutate()}. Secrets (device secret, password) never appear in {@link #toString()}.
 *
 * <p>The options keep a private copy of the {@link Builder} they were built from (its fields are
 * all immutable values) and read every getter from it; {@link #mutate()} hands out another copy.
 *
 * <p>Either an Aliyun device triple ({@link Builder#aliyunDevice}: the module signs with {@code
 * aliauth}) or explicit {@link Builder#credentials} (or none) is used. String parameters that go
 * inside AT quotes are checked at {@link Builder#build()}: no {@code "}, CR, LF or NUL.
 */
public final class Ec600sOptions {

    /** Default broker port (Aliyun's plain MQTT port). */
    public static final int DEFAULT_PORT = AliyunEndpoints.PORT_TCP;

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

    /**
     * Default reconnect policy: {@link ReconnectPolicy#exponential()} with the serial link's
     * delays, 1 s doubling to 60 s (a module reopens slower than a socket and should not wait the
     * TCP client's 2 min).
     */
    public static final ReconnectPolicy DEFAULT_RECONNECT_POLICY =
            ReconnectPolicy.exponential().withDelays(Duration.ofSeconds(1), Duration.ofSeconds(60));

    /** Default session mode: a clean session. */
    public static final boolean DEFAULT_CLEAN_SESSION = true;

    /** Default APN authentication ({@code AT+QICSGP} 0: none). */
    public static final int DEFAULT_APN_AUTH = 0;

    /** Default number of messages a subscription keeps for a slow subscriber. */
    public static final int DEFAULT_SUBSCRIPTION_BUFFER = 256;

    /** Publishes that may wait while the module reconnects, by default. */
    public static final int DEFAULT_OUTBOX_CAPACITY = 100;

    private final Builder settings;

    private Ec600sOptions(Builder settings) {
        this.settings = settings;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these options. */
    public Builder mutate() {
        return settings.copy();
    }

    /** The broker host; with an Aliyun device and no host set, its legacy cn-shanghai host. */
    public String host() {
        return settings.effectiveHost();
    }

    public int port() {
        return settings.port;
    }

    public int clientIndex() {
        return settings.clientIndex;
    }

    /**
     * The {@code AT+QMTCONN} client id; with an Aliyun device and none set, {@code
     * productKey.deviceName}.
     */
    public String clientId() {
        return settings.effectiveClientId();
    }

    /** The device triple signed by the module ({@code aliauth}), or null. */
    public AliyunDeviceIdentity aliyunDevice() {
        return settings.aliyunDevice;
    }

    public String username() {
        return settings.username;
    }

    /** The explicit password, or null. */
    public String password() {
        return settings.password;
    }

    public Duration keepAlive() {
        return settings.keepAlive;
    }

    /** The module's TLS settings, or {@code null} for plain TCP. */
    public Ec600sTlsOptions tls() {
        return settings.tls;
    }

    /** See {@link Builder#outbox(int, OverflowPolicy)}. */
    public int outboxCapacity() {
        return settings.outboxCapacity;
    }

    public OverflowPolicy outboxPolicy() {
        return settings.outboxPolicy;
    }

    /** See {@link Builder#outboxStorage(OutboxStorage)}. */
    public OutboxStorage outboxStorage() {
        return settings.outboxStorage;
    }

    public boolean cleanSession() {
        return settings.cleanSession;
    }

    public Duration packetTimeout() {
        return settings.packetTimeout;
    }

    public int retries() {
        return settings.retries;
    }

    /** The publish dialect, or null to probe the {@code =?} forms at connect. */
    public PublishDialect publishDialect() {
        return settings.publishDialect;
    }

    public int maxPayload() {
        return settings.maxPayload;
    }

    /** The APN to configure with {@code AT+QICSGP}, or null to keep the module's. */
    public String apn() {
        return settings.apn;
    }

    public String apnUser() {
        return settings.apnUser;
    }

    public String apnPassword() {
        return settings.apnPassword;
    }

    public int apnAuth() {
        return settings.apnAuth;
    }

    public Duration registrationTimeout() {
        return settings.registrationTimeout;
    }

    public Duration openTimeout() {
        return settings.openTimeout;
    }

    public Duration pdpTimeout() {
        return settings.pdpTimeout;
    }

    /** When to reopen after the connection broke; fatal broker refusals are never retried. */
    public ReconnectPolicy reconnectPolicy() {
        return settings.reconnectPolicy;
    }

    public int subscriptionBuffer() {
        return settings.subscriptionBuffer;
    }

    /**
     * The port URCs are routed to ({@code AT+QURCCFG="urcport"}), or null to leave the module's
     * setting.
     */
    public String urcPort() {
        return settings.urcPort;
    }

    /**
     * How long a connect, publish, subscribe or unsubscribe result URC may take: packet timeout ×
     * retries (at least one) + 1 s, the Quectel margin; 16 s with the defaults.
     */
    public Duration resultTimeout() {
        return packetTimeout().multipliedBy(Math.max(1, retries())).plusSeconds(1);
    }

    @Override
    public String toString() {
        return "Ec600sOptions["
                + host()
                + ":"
                + port()
                + ", client "
                + clientIndex()
                + ", clientId="
                + clientId()
                + (aliyunDevice() != null ? ", " + aliyunDevice() : "")
                + (username() != null ? ", username=" + username() + ", password=<redacted>" : "")
                + (tls() != null ? ", " + tls() : "")
                + ", keepAlive="
                + keepAlive().toSeconds()
                + "s, cleanSession="
                + cleanSession()
                + ", dialect="
                + (publishDialect() == null ? "probe" : publishDialect())
                + ", maxPayload="
                + maxPayload()
                + (apn() != null ? ", apn=" + apn() : "")
                + "]";
    }

    /**
     * Builds {@link Ec600sOptions}; every field is an immutable value, so a copy is a
     * field-for-field clone.
     */
    public static final class Builder implements Cloneable {
        private String host;
        private int port = DEFAULT_PORT;
        private int clientIndex = DEFAULT_CLIENT_INDEX;
        private String clientId;
        private AliyunDeviceIdentity aliyunDevice;
        private String username;
        private String password;
        private Duration keepAlive = DEFAULT_KEEP_ALIVE;
        private Ec600sTlsOptions tls;
        private boolean cleanSession = DEFAULT_CLEAN_SESSION;
        private Duration packetTimeout = DEFAULT_PACKET_TIMEOUT;
        private int retries = DEFAULT_RETRIES;
        private PublishDialect publishDialect;
        private int maxPayload = DEFAULT_MAX_PAYLOAD;
        private String apn;
        private String apnUser = "";
        private String apnPassword = "";
        private int apnAuth = DEFAULT_APN_AUTH;
        private Duration registrationTimeout = DEFAULT_REGISTRATION_TIMEOUT;
        private Duration openTimeout = DEFAULT_OPEN_TIMEOUT;
        private Duration pdpTimeout = DEFAULT_PDP_TIMEOUT;
        private ReconnectPolicy reconnectPolicy = DEFAULT_RECONNECT_POLICY;
        private int subscriptionBuffer = DEFAULT_SUBSCRIPTION_BUFFER;
        private String urcPort;
        private int outboxCapacity = DEFAULT_OUTBOX_CAPACITY;
        private OverflowPolicy outboxPolicy = OverflowPolicy.FAIL;
        private OutboxStorage outboxStorage = OutboxStorage.memory();

        private Builder() {}

        private Builder copy() {
            try {
                return (Builder) super.clone();
            } catch (CloneNotSupportedException e) {
                throw new AssertionError(e);
            }
        }

        private String effectiveHost() {
            return host != null || aliyunDevice == null
                    ? host
                    : AliyunEndpoints.legacyHost(
                            aliyunDevice.productKey(), AliyunEndpoints.DEFAULT_REGION);
        }

        private String effectiveClientId() {
            return clientId != null || aliyunDevice == null
                    ? clientId
                    : aliyunDevice.productKey() + "." + aliyunDevice.deviceName();
        }

        /**
         * The broker the module opens; with an Aliyun device and no host, the legacy cn-shanghai
         * host.
         */
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

        /**
         * The {@code AT+QMTCONN} client id; with an Aliyun device, default {@code
         * productKey.deviceName}.
         */
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

        /**
         * Turn on the module's TLS ({@code AT+QSSLCFG}, {@code AT+QMTCFG="ssl"}); {@code null} (the
         * default) for plain TCP.
         */
        public Builder tls(Ec600sTlsOptions tls) {
            this.tls = tls;
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

        /**
         * Largest payload accepted by {@link Ec600sLink#publish} (default {@value
         * Ec600sOptions#DEFAULT_MAX_PAYLOAD}).
         */
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

        /**
         * When to reopen after the connection broke (default {@link #DEFAULT_RECONNECT_POLICY}); a
         * fatal broker refusal ({@link io.thingflux.link.ConnectRefusedException#isFatal()}) is
         * never retried, and when the policy's attempts are used up the link closes.
         */
        public Builder reconnectPolicy(ReconnectPolicy policy) {
            this.reconnectPolicy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /**
         * Publishes made while the module reconnects ({@code +QMTSTAT}, PDP loss, reboot) wait, at
         * most {@code capacity} of them (default {@value #DEFAULT_OUTBOX_CAPACITY}), and leave in
         * order once the subscriptions are made again; beyond it the policy says who fails with
         * {@link io.thingflux.link.outbox.OutboxFullException}. Default {@link
         * OverflowPolicy#FAIL}.
         */
        public Builder outbox(int capacity, OverflowPolicy policy) {
            if (capacity < 0) {
                throw new IllegalArgumentException("outbox capacity must be >= 0");
            }
            this.outboxCapacity = capacity;
            this.outboxPolicy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /**
         * Where QoS 1/2 publishes are kept until the module reports them sent: {@link
         * OutboxStorage#memory()} (default) or a {@link io.thingflux.link.outbox.FileOutboxOptions
         * file outbox} for {@link Ec600sOptions#clientId()}, opened when the link is made (and
         * refused with {@link io.thingflux.link.outbox.OutboxLockedException} when another process
         * holds it). What it holds is published first after the first connect. The module itself
         * keeps QoS 2 receive state, so there is none to restore.
         */
        public Builder outboxStorage(OutboxStorage storage) {
            this.outboxStorage = Objects.requireNonNull(storage, "storage");
            return this;
        }

        /**
         * Messages a subscription keeps for a slow subscriber; beyond it new ones are dropped and
         * logged.
         */
        public Builder subscriptionBuffer(int size) {
            this.subscriptionBuffer = size;
            return this;
        }

        /**
         * Route URCs to this port with {@code AT+QURCCFG="urcport","<port>"} at connect: {@code
         * "uart1"} when the host is on the main UART of a module whose default is {@code "usbat"}
         * (no {@code +QMTRECV} would reach the UART otherwise). Default null: leave the module's
         * (stored) setting.
         */
        public Builder urcPort(String urcPort) {
            this.urcPort = urcPort;
            return this;
        }

        /**
         * Validates and builds.
         *
         * @throws IllegalArgumentException for out-of-range values or a string that cannot go
         *     inside AT quotes
         */
        public Ec600sOptions build() {
            if (aliyunDevice != null && username != null) {
                throw new IllegalArgumentException(
                        "use either an Aliyun device (aliauth) or explicit credentials");
            }
            String host = effectiveHost();
            if (host == null) {
                throw new IllegalArgumentException("a broker host is required");
            }
            String clientId = effectiveClientId();
            if (clientId == null) {
                throw new IllegalArgumentException("a client id is required");
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
                throw new IllegalArgumentException(
                        "packet timeout must be 1..60 s and retries 0..10");
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
            return new Ec600sOptions(copy());
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
