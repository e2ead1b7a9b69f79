package io.thingflux.netty.client;

import io.thingflux.link.ReconnectPolicy;
import io.thingflux.aliyun.AliyunDeviceIdentity;
import io.thingflux.aliyun.AliyunEndpoints;
import io.thingflux.aliyun.AliyunLimits;
import io.thingflux.aliyun.AliyunSigner;
import io.thingflux.aliyun.MqttCredentials;
import io.thingflux.mqtt.Connect;
import io.thingflux.mqtt.MqttQos;
import io.thingflux.mqtt.MqttStrings;
import io.thingflux.mqtt.Will;
import io.thingflux.netty.codec.MqttDecoder;
import java.nio.charset.StandardCharsets;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

/**
 * Everything a {@link MqttClient} is configured with, immutable; build with {@link #builder(String, int)}
 * and copy with {@link #mutate()}. Every limit has a named default:
 *
 * <ul>
 *   <li>keepalive {@value #DEFAULT_KEEP_ALIVE_SECONDS} s, ping timeout {@link #DEFAULT_PING_TIMEOUT};</li>
 *   <li>TCP connect timeout {@link #DEFAULT_CONNECT_TIMEOUT}, CONNACK timeout {@link #DEFAULT_CONNACK_TIMEOUT};</li>
 *   <li>at most {@value #DEFAULT_MAX_IN_FLIGHT} outgoing QoS 1/2 publishes awaiting acknowledgement;</li>
 *   <li>an outbox of {@value #DEFAULT_OUTBOX_CAPACITY} publishes waiting for a connection or for room in the
 *       in-flight window, overflow {@link OfflineBufferPolicy#FAIL};</li>
 *   <li>{@value #DEFAULT_QOS0_BUFFER} buffered QoS 0 messages per subscriber, the oldest dropped (and counted)
 *       beyond that. QoS 1/2 messages are not dropped: their PUBACK/PUBREC is withheld until the subscriber
 *       takes them, so the broker's in-flight window bounds them (and the packet-id space, 65,535).</li>
 * </ul>
 *
 * <p>With an {@linkplain Builder#aliyun(AliyunDeviceIdentity, AliyunSigner) Aliyun identity} the client id,
 * user name and password are signed from it for each connect attempt; with a
 * {@linkplain Builder#credentials(java.util.function.Supplier) credentials supplier} they are asked of it for each
 * attempt. When the host is an Aliyun endpoint (or
 * {@link Builder#aliyunLimits(boolean)} says so) the platform's limits are enforced before anything is sent:
 * keepalive 30..1200 s, no will, no QoS 2, no retain.
 */
public final class MqttClientOptions {

    /** Default keepalive: 60 s. */
    public static final int DEFAULT_KEEP_ALIVE_SECONDS = 60;
    /** Default wait for any packet after a PINGREQ before the connection counts as half-open: 10 s. */
    public static final Duration DEFAULT_PING_TIMEOUT = Duration.ofSeconds(10);
    /** Default TCP (and TLS handshake) connect timeout: 10 s. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** Default wait for CONNACK after CONNECT: 10 s. */
    public static final Duration DEFAULT_CONNACK_TIMEOUT = Duration.ofSeconds(10);
    /** Default in-flight window of outgoing QoS 1/2 publishes. */
    public static final int DEFAULT_MAX_IN_FLIGHT = 32;
    /** Default outbox capacity. */
    public static final int DEFAULT_OUTBOX_CAPACITY = 1_000;
    /** Default QoS 0 buffer per subscriber. */
    public static final int DEFAULT_QOS0_BUFFER = 1_024;

    private static final byte CLEAN_SESSION = 1;
    private static final byte RESUBSCRIBE = 2;
    private static final byte REPUBLISH = 4;
    private static final byte DELIVER_ON_EVENT_LOOP = 8;
    /** Decided once: {@link #checkPublishAllowed} runs for every publish. */
    private static final byte ALIYUN_LIMITS = 16;
    /** {@link Builder#aliyunLimits(boolean)} was called (so {@link #mutate()} keeps the choice). */
    private static final byte ALIYUN_LIMITS_SET = 32;

    // The settings are held here, not in a retained builder, and the credentials of an Aliyun identity or a
    // supplier are made for each connect attempt rather than kept: a client holds one small object for its
    // options, and neither its signed client id nor its password stays in the heap between connects.
    private final String host;
    private final int port;
    private final MqttTlsOptions tls;
    /** The static client id; {@code null} with an Aliyun identity or a credentials supplier. */
    private final String clientId;
    private final String username;
    private final byte[] password;
    private final AliyunDeviceIdentity identity;
    private final AliyunSigner signer;
    private final Supplier<MqttCredentials> credentials;
    private final int keepAliveSeconds;
    private final Duration pingTimeout;
    private final Will will;
    private final Duration connectTimeout;
    private final InetSocketAddress localAddress;
    private final Duration connAckTimeout;
    private final int maxPacketSize;
    private final int maxInFlight;
    private final int outboxCapacity;
    private final OfflineBufferPolicy outboxPolicy;
    private final int qos0BufferSize;
    private final ReconnectPolicy reconnectPolicy;
    private final ReconnectPolicy firstConnectPolicy;
    private final MqttClientMetrics metrics;
    private final byte flags;

    private MqttClientOptions(Builder b) {
        this.host = b.host;
        this.port = b.port;
        this.tls = b.tls;
        this.keepAliveSeconds = b.keepAliveSeconds;
        this.pingTimeout = b.pingTimeout;
        this.will = b.will;
        this.connectTimeout = b.connectTimeout;
        this.localAddress = b.localAddress;
        this.connAckTimeout = b.connAckTimeout;
        this.maxPacketSize = b.maxPacketSize;
        this.maxInFlight = b.maxInFlight;
        this.outboxCapacity = b.outboxCapacity;
        this.outboxPolicy = b.outboxPolicy;
        this.qos0BufferSize = b.qos0BufferSize;
        this.reconnectPolicy = b.reconnectPolicy;
        this.firstConnectPolicy = b.firstConnectPolicy;
        this.metrics = b.metrics;
        boolean aliyun = b.aliyunLimits != null ? b.aliyunLimits : AliyunEndpoints.isAliyunHost(b.host);
        this.flags = (byte) ((b.cleanSession ? CLEAN_SESSION : 0) | (b.resubscribe ? RESUBSCRIBE : 0)
                | (b.republish ? REPUBLISH : 0) | (b.deliverOnEventLoop ? DELIVER_ON_EVENT_LOOP : 0)
                | (aliyun ? ALIYUN_LIMITS : 0) | (b.aliyunLimits != null ? ALIYUN_LIMITS_SET : 0));
        if (b.identity != null || b.credentials != null) {
            this.identity = b.identity;
            this.signer = b.signer;
            this.credentials = b.credentials;
            this.clientId = null;
            this.username = null;
            this.password = null;
        } else {
            this.identity = null;
            this.signer = null;
            this.credentials = null;
            this.clientId = b.clientId != null ? b.clientId
                    : "thingflux-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
            this.username = b.username;
            this.password = b.password == null ? null : b.password.clone();
            checkIdentity(clientId, username, password != null);
        }
        if (b.pingTimeout.isNegative() || b.pingTimeout.isZero()) {
            throw new IllegalArgumentException("ping timeout must be positive");
        }
        if (aliyunLimits()) {
            AliyunLimits.requireKeepAlive(b.keepAliveSeconds);
            AliyunLimits.requireNoWill(b.will);
        }
    }

    private void checkIdentity(String id, String user, boolean hasPassword) {
        MqttStrings.requireValid(id, "client id");
        if (id.isEmpty() && !cleanSession()) {
            throw new IllegalArgumentException("an empty client id needs a clean session (MQTT-3.1.3-7)");
        }
        if (hasPassword && user == null) {
            throw new IllegalArgumentException("a password requires a user name (MQTT-3.1.2-22)");
        }
    }

    /** A builder for a broker at {@code host:port}. */
    public static Builder builder(String host, int port) {
        return new Builder(host, port);
    }

    /** A builder holding these options, to derive others from. */
    public Builder mutate() {
        Builder c = new Builder(host, port);
        c.tls = tls;
        c.clientId = identity == null && credentials == null ? clientId : null;
        c.username = username;
        c.password = password == null ? null : password.clone();
        c.identity = identity;
        c.signer = signer;
        c.credentials = credentials;
        c.keepAliveSeconds = keepAliveSeconds;
        c.pingTimeout = pingTimeout;
        c.cleanSession = cleanSession();
        c.will = will;
        c.connectTimeout = connectTimeout;
        c.localAddress = localAddress;
        c.connAckTimeout = connAckTimeout;
        c.maxPacketSize = maxPacketSize;
        c.maxInFlight = maxInFlight;
        c.outboxCapacity = outboxCapacity;
        c.outboxPolicy = outboxPolicy;
        c.qos0BufferSize = qos0BufferSize;
        c.reconnectPolicy = reconnectPolicy;
        c.firstConnectPolicy = firstConnectPolicy;
        c.resubscribe = resubscribe();
        c.republish = republish();
        c.deliverOnEventLoop = deliverOnEventLoop();
        c.metrics = metrics;
        c.aliyunLimits = (flags & ALIYUN_LIMITS_SET) != 0 ? aliyunLimits() : null;
        return c;
    }

    /**
     * The CONNECT packet these options describe. With an Aliyun identity it is signed afresh, with a
     * {@linkplain Builder#credentials(Supplier) credentials supplier} the supplier is called: the client calls
     * this once per connect attempt.
     *
     * @throws MqttCredentialsException when the supplier (or signing) fails or supplies credentials that no
     *         CONNECT can carry; the message never contains the credentials
     */
    public Connect connectPacket() {
        if (identity == null && credentials == null) {
            return new Connect(Connect.MQTT_3_1_1, clientId, cleanSession(), keepAliveSeconds, will, username,
                    password == null ? null : password.clone());
        }
        MqttCredentials c;
        try {
            c = identity != null ? signer.sign(identity) : credentials.get();
        } catch (RuntimeException e) {
            throw new MqttCredentialsException(identity != null ? "signing the credentials of " + name() + " failed"
                    : "the credentials supplier of " + name() + " failed", e);
        }
        if (c == null) {
            throw new MqttCredentialsException("the credentials supplier of " + name() + " returned null", null);
        }
        try {
            checkIdentity(c.clientId(), c.username(), true);
        } catch (IllegalArgumentException e) {
            // the message names the rule broken, never the value
            throw new MqttCredentialsException("the supplied credentials of " + name() + " are not valid: "
                    + e.getMessage(), null);
        }
        return new Connect(Connect.MQTT_3_1_1, c.clientId(), cleanSession(), keepAliveSeconds, will, c.username(),
                c.password().getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Checks that a publish is allowed by the broker's known limits (Aliyun: no QoS 2, no retain).
     *
     * @throws IllegalArgumentException when it is not
     */
    public void checkPublishAllowed(MqttQos qos, boolean retain) {
        if (aliyunLimits()) {
            AliyunLimits.requireQos(qos);
            AliyunLimits.requireNoRetain(retain);
        }
    }

    /** @throws IllegalArgumentException when a subscription QoS is not allowed (Aliyun: no QoS 2) */
    public void checkSubscribeAllowed(MqttQos qos) {
        if (aliyunLimits()) {
            AliyunLimits.requireQos(qos);
        }
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    /** TLS settings, or {@code null} for plain TCP. */
    public MqttTlsOptions tls() {
        return tls;
    }

    /**
     * The MQTT client id sent in CONNECT. With an Aliyun identity it is signed on each call (the options keep
     * no copy); with a {@linkplain Builder#credentials(Supplier) credentials supplier} it is {@code null}, as
     * each connect attempt takes the id the supplier gives. Logs name the client by {@link #name()}.
     */
    public String clientId() {
        if (identity != null) {
            return signer.sign(identity).clientId();
        }
        return clientId;
    }

    /**
     * How logs and {@link #toString()} name the client, without signing or calling a supplier: the client id;
     * with an Aliyun identity {@code productKey.deviceName}; with a credentials supplier
     * {@code supplied@host:port}.
     */
    public String name() {
        if (identity != null) {
            return identity.productKey() + "." + identity.deviceName();
        }
        return clientId != null ? clientId : "supplied@" + host + ":" + port;
    }

    /** The static user name; with an Aliyun identity its user name; {@code null} with a supplier or none. */
    public String username() {
        return identity != null ? identity.username() : username;
    }

    /** Whether CONNECT carries a password (always with an Aliyun identity or a credentials supplier). */
    public boolean hasPassword() {
        return password != null || identity != null || credentials != null;
    }

    public int keepAliveSeconds() {
        return keepAliveSeconds;
    }

    public Duration pingTimeout() {
        return pingTimeout;
    }

    public boolean cleanSession() {
        return (flags & CLEAN_SESSION) != 0;
    }

    public Will will() {
        return will;
    }

    public Duration connectTimeout() {
        return connectTimeout;
    }

    /** The local (source) address the socket binds to, or {@code null} for the system's choice. */
    public InetSocketAddress localAddress() {
        return localAddress;
    }

    public Duration connAckTimeout() {
        return connAckTimeout;
    }

    public int maxPacketSize() {
        return maxPacketSize;
    }

    public int maxInFlight() {
        return maxInFlight;
    }

    public int outboxCapacity() {
        return outboxCapacity;
    }

    public OfflineBufferPolicy outboxPolicy() {
        return outboxPolicy;
    }

    public int qos0BufferSize() {
        return qos0BufferSize;
    }

    public ReconnectPolicy reconnectPolicy() {
        return reconnectPolicy;
    }

    public ReconnectPolicy firstConnectPolicy() {
        return firstConnectPolicy;
    }

    public boolean resubscribe() {
        return (flags & RESUBSCRIBE) != 0;
    }

    public boolean republish() {
        return (flags & REPUBLISH) != 0;
    }

    public boolean deliverOnEventLoop() {
        return (flags & DELIVER_ON_EVENT_LOOP) != 0;
    }

    public MqttClientMetrics metrics() {
        return metrics;
    }

    /** Whether Aliyun's limits are enforced. */
    public boolean aliyunLimits() {
        return (flags & ALIYUN_LIMITS) != 0;
    }

    /** Never shows the password, never signs or calls a credentials supplier. */
    @Override
    public String toString() {
        return "MqttClientOptions[" + host + ":" + port + (tls != null ? " tls" : "") + ", clientId=" + name()
                + ", username=" + (credentials != null ? "<supplied>" : username())
                + ", password=" + (hasPassword() ? "<redacted>" : "none")
                + ", keepAlive=" + keepAliveSeconds + "s, cleanSession=" + cleanSession() + "]";
    }

    /** Builds {@link MqttClientOptions}; not thread-safe. */
    public static final class Builder {
        private String host;
        private int port;
        private MqttTlsOptions tls;
        private String clientId;
        private String username;
        private byte[] password;
        private AliyunDeviceIdentity identity;
        private AliyunSigner signer;
        private Supplier<MqttCredentials> credentials;
        private int keepAliveSeconds = DEFAULT_KEEP_ALIVE_SECONDS;
        private Duration pingTimeout = DEFAULT_PING_TIMEOUT;
        private boolean cleanSession = true;
        private Will will;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private InetSocketAddress localAddress;
        private Duration connAckTimeout = DEFAULT_CONNACK_TIMEOUT;
        private int maxPacketSize = MqttDecoder.DEFAULT_MAX_PACKET_SIZE;
        private int maxInFlight = DEFAULT_MAX_IN_FLIGHT;
        private int outboxCapacity = DEFAULT_OUTBOX_CAPACITY;
        private OfflineBufferPolicy outboxPolicy = OfflineBufferPolicy.FAIL;
        private int qos0BufferSize = DEFAULT_QOS0_BUFFER;
        private ReconnectPolicy reconnectPolicy = ReconnectPolicy.exponential();
        private ReconnectPolicy firstConnectPolicy = ReconnectPolicy.none();
        private boolean resubscribe = true;
        private boolean republish = true;
        private boolean deliverOnEventLoop;
        private MqttClientMetrics metrics = MqttClientMetrics.NONE;
        private Boolean aliyunLimits;

        private Builder(String host, int port) {
            host(host);
            port(port);
        }

        public Builder host(String host) {
            Objects.requireNonNull(host, "host");
            if (host.isBlank()) {
                throw new IllegalArgumentException("host must not be blank");
            }
            this.host = host;
            return this;
        }

        public Builder port(int port) {
            if (port < 1 || port > 65_535) {
                throw new IllegalArgumentException("port must be 1..65535, was " + port);
            }
            this.port = port;
            return this;
        }

        /** TLS settings, or {@code null} (the default) for plain TCP. */
        public Builder tls(MqttTlsOptions tls) {
            this.tls = tls;
            return this;
        }

        /**
         * The client id; default a random {@code thingflux-…} id. Ignored with an Aliyun identity or a
         * credentials supplier.
         */
        public Builder clientId(String clientId) {
            this.clientId = Objects.requireNonNull(clientId, "clientId");
            return this;
        }

        /** User name and password; the password is copied and never shown. */
        public Builder credentials(String username, byte[] password) {
            this.username = Objects.requireNonNull(username, "username");
            this.password = password == null ? null : password.clone();
            return this;
        }

        /** User name and UTF-8 password. */
        public Builder credentials(String username, String password) {
            return credentials(username, password == null ? null : password.getBytes(StandardCharsets.UTF_8));
        }

        /**
         * Signs client id, user name and password from an Aliyun device identity for each connect attempt
         * (replaces the static ones above and a {@linkplain #credentials(Supplier) supplier}). Nothing signed is
         * kept between attempts.
         */
        public Builder aliyun(AliyunDeviceIdentity identity, AliyunSigner signer) {
            this.identity = Objects.requireNonNull(identity, "identity");
            this.signer = Objects.requireNonNull(signer, "signer");
            this.credentials = null;
            return this;
        }

        /**
         * Takes client id, user name and password from {@code supplier} for each connect attempt, the first and
         * every reconnect, so a token can be refreshed or a signature made with a fresh timestamp; nothing it
         * returned is kept between attempts. Replaces the static settings above and an Aliyun identity.
         *
         * <p>The supplier is called on the client's event loop and must not block. When it throws, returns
         * {@code null} or returns credentials no CONNECT can carry (an invalid client id), that attempt fails
         * with {@link MqttCredentialsException} and the connect or reconnect policy decides whether to retry.
         */
        public Builder credentials(Supplier<MqttCredentials> supplier) {
            this.credentials = Objects.requireNonNull(supplier, "supplier");
            this.identity = null;
            this.signer = null;
            return this;
        }

        /** Keepalive in seconds, 0..65535 (0 turns it off); default {@value #DEFAULT_KEEP_ALIVE_SECONDS}. */
        public Builder keepAliveSeconds(int seconds) {
            if (seconds < 0 || seconds > 65_535) {
                throw new IllegalArgumentException("keepalive must be 0..65535 s, was " + seconds);
            }
            this.keepAliveSeconds = seconds;
            return this;
        }

        /** How long to wait for any packet after a PINGREQ; default {@link #DEFAULT_PING_TIMEOUT}. */
        public Builder pingTimeout(Duration timeout) {
            this.pingTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /** Default true. */
        public Builder cleanSession(boolean cleanSession) {
            this.cleanSession = cleanSession;
            return this;
        }

        public Builder will(Will will) {
            this.will = will;
            return this;
        }

        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = positive(timeout, "connect timeout");
            return this;
        }

        /**
         * The local address (and port, 0 for any) the socket binds to before connecting; {@code null} (the
         * default) leaves it to the system. Spreading many clients over several local addresses gets past the
         * one-address limit of the ephemeral port range (every 127.0.0.x works on loopback).
         */
        public Builder localAddress(InetSocketAddress localAddress) {
            this.localAddress = localAddress;
            return this;
        }

        public Builder connAckTimeout(Duration timeout) {
            this.connAckTimeout = positive(timeout, "CONNACK timeout");
            return this;
        }

        /**
         * The largest packet, fixed header included, accepted from the broker and sent to it (a larger publish
         * fails before it is queued); default {@link MqttDecoder#DEFAULT_MAX_PACKET_SIZE}.
         */
        public Builder maxPacketSize(int bytes) {
            if (bytes < 2) {
                throw new IllegalArgumentException("maxPacketSize must be at least 2");
            }
            this.maxPacketSize = bytes;
            return this;
        }

        /** Outgoing QoS 1/2 publishes awaiting acknowledgement, 1..65535; default {@value #DEFAULT_MAX_IN_FLIGHT}. */
        public Builder maxInFlight(int n) {
            if (n < 1 || n > 65_535) {
                throw new IllegalArgumentException("maxInFlight must be 1..65535, was " + n);
            }
            this.maxInFlight = n;
            return this;
        }

        /** Capacity and overflow policy of the outbox; default {@value #DEFAULT_OUTBOX_CAPACITY}, FAIL. */
        public Builder outbox(int capacity, OfflineBufferPolicy policy) {
            if (capacity < 0) {
                throw new IllegalArgumentException("outbox capacity must be >= 0");
            }
            this.outboxCapacity = capacity;
            this.outboxPolicy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /** QoS 0 messages buffered per subscriber before the oldest is dropped; default {@value #DEFAULT_QOS0_BUFFER}. */
        public Builder qos0BufferSize(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("qos0BufferSize must be >= 1");
            }
            this.qos0BufferSize = n;
            return this;
        }

        /** Retries after a lost connection; default {@link ReconnectPolicy#exponential()}. */
        public Builder reconnect(ReconnectPolicy policy) {
            this.reconnectPolicy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /** Retries of the first connect; default {@link ReconnectPolicy#none()}. */
        public Builder firstConnect(ReconnectPolicy policy) {
            this.firstConnectPolicy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /** Resubscribe when the broker has no session (session present 0) after a reconnect; default true. */
        public Builder resubscribe(boolean resubscribe) {
            this.resubscribe = resubscribe;
            return this;
        }

        /**
         * Resend unacknowledged QoS 1/2 publishes (DUP) even when the broker lost the session; default true.
         * When false they fail with {@link MqttClosedException} in that case.
         */
        public Builder republish(boolean republish) {
            this.republish = republish;
            return this;
        }

        /**
         * Deliver signals to user code on the event loop instead of the resources' scheduler; default false.
         * Only for code that never blocks: it runs where the connection's I/O runs.
         */
        public Builder deliverOnEventLoop(boolean onEventLoop) {
            this.deliverOnEventLoop = onEventLoop;
            return this;
        }

        public Builder metrics(MqttClientMetrics metrics) {
            this.metrics = Objects.requireNonNull(metrics, "metrics");
            return this;
        }

        /** Force Aliyun's limits on or off; by default they apply when the host is an Aliyun endpoint. */
        public Builder aliyunLimits(boolean enforce) {
            this.aliyunLimits = enforce;
            return this;
        }

        /** @throws IllegalArgumentException when the settings contradict each other or the broker's limits */
        public MqttClientOptions build() {
            return new MqttClientOptions(this);
        }

        private static Duration positive(Duration d, String what) {
            Objects.requireNonNull(d, what);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(what + " must be positive");
            }
            return d;
        }
    }
}
