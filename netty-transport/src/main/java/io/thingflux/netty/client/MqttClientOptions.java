package io.thingflux.netty.client;

import io.thingflux.aliyun.AliyunDeviceIdentity;
import io.thingflux.aliyun.AliyunEndpoints;
import io.thingflux.aliyun.AliyunLimits;
import io.thingflux.aliyun.AliyunSigner;
import io.thingflux.aliyun.MqttCredentials;
import io.thingflux.link.PublishRefusedException;
import io.thingflux.link.ReconnectPolicy;
import io.thingflux.link.outbox.OutboxStorage;
import io.thingflux.link.outbox.OverflowPolicy;
import io.thingflux.mqtt.Connect;
import io.thingflux.mqtt.MqttQos;
import io.thingflux.mqtt.MqttStrings;
import io.thingflux.mqtt.Will;
import io.thingflux.netty.codec.MqttDecoder;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import reactor.core.scheduler.Scheduler;

/**
 * Everything a {@link MqttClient} is configured with, immutable; build with {@link #builder(String,
 * int)} and derive others with {@link #mutate()}. Every limit has a named default:
 *
 * <ul>
 *   <li>keepalive {@value #DEFAULT_KEEP_ALIVE_SECONDS} s, ping timeout {@link
 *       #DEFAULT_PING_TIMEOUT};
 *   <li>TCP connect timeout {@link #DEFAULT_CONNECT_TIMEOUT}, CONNACK timeout {@link
 *       #DEFAULT_CONNACK_TIMEOUT};
 *   <li>at most {@value #DEFAULT_MAX_IN_FLIGHT} outgoing QoS 1/2 publishes awaiting
 *       acknowledgement;
 *   <li>an outbox of {@value #DEFAULT_OUTBOX_CAPACITY} publishes waiting for a connection or for
 *       room in the in-flight window, overflow {@link OverflowPolicy#FAIL}, kept {@linkplain
 *       Builder#outboxStorage(OutboxStorage) in memory};
 *   <li>a QoS 1/2 publish fails with {@link PublishRefusedException} after the broker closed the
 *       connection {@value #DEFAULT_PUBLISH_ATTEMPTS} times while it was the oldest awaiting
 *       acknowledgement (an ACL refusal under MQTT 3.1.1);
 *   <li>{@value #DEFAULT_QOS0_BUFFER} buffered QoS 0 messages per subscriber, the oldest dropped
 *       (and counted) beyond that. QoS 1/2 messages are not dropped: their PUBACK/PUBREC is
 *       withheld until the subscriber takes them, so the broker's in-flight window bounds them (and
 *       the packet-id space, 65,535);
 *   <li>no {@linkplain Builder#scheduler(Scheduler) scheduler}: signals reach user code on the
 *       client's event loop.
 * </ul>
 *
 * <p>With an {@linkplain Builder#aliyun(AliyunDeviceIdentity, AliyunSigner) Aliyun identity} the
 * client id, user name and password are signed from it for each connect attempt; with a {@linkplain
 * Builder#credentials(java.util.function.Supplier) credentials supplier} they are asked of it for
 * each attempt. When the host is an Aliyun endpoint (or {@link Builder#aliyunLimits(boolean)} says
 * so) the platform's limits are enforced before anything is sent: keepalive 30..1200 s, no will, no
 * QoS 2, no retain.
 */
public final class MqttClientOptions {

    /** Default keepalive: 60 s. */
    public static final int DEFAULT_KEEP_ALIVE_SECONDS = 60;

    /**
     * Default wait for any packet after a PINGREQ before the connection counts as half-open: 10 s.
     */
    public static final Duration DEFAULT_PING_TIMEOUT = Duration.ofSeconds(10);

    /** Default TCP (and TLS handshake) connect timeout: 10 s. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);

    /** Default wait for CONNACK after CONNECT: 10 s. */
    public static final Duration DEFAULT_CONNACK_TIMEOUT = Duration.ofSeconds(10);

    /** Default in-flight window of outgoing QoS 1/2 publishes: 32. */
    public static final int DEFAULT_MAX_IN_FLIGHT = 32;

    /** Default outbox capacity: 1,000 publishes. */
    public static final int DEFAULT_OUTBOX_CAPACITY = 1_000;

    /**
     * Default times the broker may close the connection while a QoS 1/2 publish is the oldest
     * awaiting acknowledgement before that publish fails with {@link PublishRefusedException}: 5.
     */
    public static final int DEFAULT_PUBLISH_ATTEMPTS = 5;

    /** Default QoS 0 buffer per subscriber: 1,024 messages. */
    public static final int DEFAULT_QOS0_BUFFER = 1_024;

    /**
     * The settings, frozen: a private copy of the builder that nothing changes. With an Aliyun
     * identity or a credentials supplier it holds no static client id, user name or password.
     */
    private final Builder settings;

    /** Decided once: {@link #checkPublishAllowed} runs for every publish. */
    private final boolean aliyunLimits;

    private MqttClientOptions(Builder b) {
        if (b.identity != null || b.credentials != null) {
            b.clientId = null;
            b.username = null;
            b.password = null;
        } else if (b.clientId == null) {
            b.clientId = "thingflux-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
        }
        this.settings = b;
        this.aliyunLimits =
                b.aliyunLimits != null ? b.aliyunLimits : AliyunEndpoints.isAliyunHost(b.host);
        if (b.clientId != null) {
            checkIdentity(b.clientId, b.username, b.password != null);
        }
        if (aliyunLimits) {
            AliyunLimits.requireKeepAlive(b.keepAliveSeconds);
            AliyunLimits.requireNoWill(b.will);
        }
    }

    private void checkIdentity(String id, String user, boolean hasPassword) {
        MqttStrings.requireValid(id, "client id");
        if (id.isEmpty() && !cleanSession()) {
            throw new IllegalArgumentException(
                    "an empty client id needs a clean session (MQTT-3.1.3-7)");
        }
        if (hasPassword && user == null) {
            throw new IllegalArgumentException("a password requires a user name (MQTT-3.1.2-22)");
        }
    }

    /** A builder for a broker at {@code host:port}. */
    public static Builder builder(String host, int port) {
        return new Builder(host, port);
    }

    /**
     * A builder holding these options, to derive others from. A client id generated for these
     * options is kept; with an Aliyun identity or a credentials supplier nothing signed or supplied
     * is in it.
     */
    public Builder mutate() {
        return settings.copy();
    }

    /**
     * The CONNECT packet these options describe. With an Aliyun identity it is signed afresh, with
     * a {@linkplain Builder#credentials(Supplier) credentials supplier} the supplier is called: the
     * client calls this once per connect attempt.
     *
     * @throws MqttCredentialsException when the supplier (or signing) fails or supplies credentials
     *     that no CONNECT can carry; the message never contains the credentials
     */
    public Connect connectPacket() {
        Builder b = settings;
        AliyunDeviceIdentity identity = b.identity;
        if (identity == null && b.credentials == null) {
            return new Connect(
                    Connect.MQTT_3_1_1,
                    b.clientId,
                    b.cleanSession,
                    b.keepAliveSeconds,
                    b.will,
                    b.username,
                    b.password == null ? null : b.password.clone());
        }
        MqttCredentials c;
        try {
            c = identity != null ? b.signer.sign(identity) : b.credentials.get();
        } catch (RuntimeException e) {
            throw new MqttCredentialsException(
                    identity != null
                            ? "signing the credentials of " + name() + " failed"
                            : "the credentials supplier of " + name() + " failed",
                    e);
        }
        if (c == null) {
            throw new MqttCredentialsException(
                    "the credentials supplier of " + name() + " returned null", null);
        }
        try {
            checkIdentity(c.clientId(), c.username(), true);
        } catch (IllegalArgumentException e) {
            // the message names the rule broken, never the value
            throw new MqttCredentialsException(
                    "the supplied credentials of " + name() + " are not valid: " + e.getMessage(),
                    null);
        }
        return new Connect(
                Connect.MQTT_3_1_1,
                c.clientId(),
                b.cleanSession,
                b.keepAliveSeconds,
                b.will,
                c.username(),
                c.password().getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Checks that a publish is allowed by the broker's known limits (Aliyun: no QoS 2, no retain).
     *
     * @throws IllegalArgumentException when it is not
     */
    public void checkPublishAllowed(MqttQos qos, boolean retain) {
        if (aliyunLimits) {
            AliyunLimits.requireQos(qos);
            AliyunLimits.requireNoRetain(retain);
        }
    }

    /**
     * @throws IllegalArgumentException when a subscription QoS is not allowed (Aliyun: no QoS 2)
     */
    public void checkSubscribeAllowed(MqttQos qos) {
        if (aliyunLimits) {
            AliyunLimits.requireQos(qos);
        }
    }

    public String host() {
        return settings.host;
    }

    public int port() {
        return settings.port;
    }

    /** TLS settings, or {@code null} for plain TCP. */
    public MqttTlsOptions tls() {
        return settings.tls;
    }

    /** MQTT over WebSocket settings, or {@code null} for MQTT straight over TCP/TLS. */
    public MqttWebSocketOptions webSocket() {
        return settings.webSocket;
    }

    /** The proxy the connection is tunnelled through, or {@code null} for a direct one. */
    public MqttProxyOptions proxy() {
        return settings.proxy;
    }

    /**
     * The MQTT client id sent in CONNECT. With an Aliyun identity it is signed on each call (the
     * options keep no copy); with a {@linkplain Builder#credentials(Supplier) credentials supplier}
     * it is {@code null}, as each connect attempt takes the id the supplier gives. Logs name the
     * client by {@link #name()}.
     */
    public String clientId() {
        Builder b = settings;
        return b.identity != null ? b.signer.sign(b.identity).clientId() : b.clientId;
    }

    /**
     * How logs and {@link #toString()} name the client, without signing or calling a supplier: the
     * client id; with an Aliyun identity {@code productKey.deviceName}; with a credentials supplier
     * {@code supplied@host:port}.
     */
    public String name() {
        Builder b = settings;
        if (b.identity != null) {
            return b.identity.productKey() + "." + b.identity.deviceName();
        }
        return b.clientId != null ? b.clientId : "supplied@" + b.host + ":" + b.port;
    }

    /**
     * The static user name; with an Aliyun identity its user name; {@code null} with a supplier or
     * none.
     */
    public String username() {
        return settings.identity != null ? settings.identity.username() : settings.username;
    }

    /**
     * Whether CONNECT carries a password (always with an Aliyun identity or a credentials
     * supplier).
     */
    public boolean hasPassword() {
        return settings.password != null
                || settings.identity != null
                || settings.credentials != null;
    }

    public int keepAliveSeconds() {
        return settings.keepAliveSeconds;
    }

    public Duration pingTimeout() {
        return settings.pingTimeout;
    }

    public boolean cleanSession() {
        return settings.cleanSession;
    }

    public Will will() {
        return settings.will;
    }

    public Duration connectTimeout() {
        return settings.connectTimeout;
    }

    /** The local (source) address the socket binds to, or {@code null} for the system's choice. */
    public InetSocketAddress localAddress() {
        return settings.localAddress;
    }

    public Duration connAckTimeout() {
        return settings.connAckTimeout;
    }

    public int maxPacketSize() {
        return settings.maxPacketSize;
    }

    public int maxInFlight() {
        return settings.maxInFlight;
    }

    public int outboxCapacity() {
        return settings.outboxCapacity;
    }

    public OverflowPolicy outboxPolicy() {
        return settings.outboxPolicy;
    }

    /** Where the outbox is kept; see {@link Builder#outboxStorage(OutboxStorage)}. */
    public OutboxStorage outboxStorage() {
        return settings.outboxStorage;
    }

    /** See {@link Builder#publishAttempts(int)}. */
    public int publishAttempts() {
        return settings.publishAttempts;
    }

    public int qos0BufferSize() {
        return settings.qos0BufferSize;
    }

    public ReconnectPolicy reconnectPolicy() {
        return settings.reconnectPolicy;
    }

    public ReconnectPolicy firstConnectPolicy() {
        return settings.firstConnectPolicy;
    }

    public boolean resubscribe() {
        return settings.resubscribe;
    }

    public boolean republish() {
        return settings.republish;
    }

    /** Where user signals are published; {@code null} (the default) for the client's event loop. */
    public Scheduler scheduler() {
        return settings.scheduler;
    }

    public MqttClientMetrics metrics() {
        return settings.metrics;
    }

    /** Whether Aliyun's limits are enforced. */
    public boolean aliyunLimits() {
        return aliyunLimits;
    }

    /** Never shows the password, never signs or calls a credentials supplier. */
    @Override
    public String toString() {
        return "MqttClientOptions["
                + host()
                + ":"
                + port()
                + (tls() != null ? " tls" : "")
                + (webSocket() != null ? " ws" + webSocket().path() : "")
                + (proxy() != null ? " via " + proxy().type() + " proxy" : "")
                + ", clientId="
                + name()
                + ", username="
                + (settings.credentials != null ? "<supplied>" : username())
                + ", password="
                + (hasPassword() ? "<redacted>" : "none")
                + ", keepAlive="
                + keepAliveSeconds()
                + "s, cleanSession="
                + cleanSession()
                + "]";
    }

    /**
     * Builds {@link MqttClientOptions}; not thread-safe. Every field is an immutable value (the
     * password array is replaced, never written), so a copy made with {@link #copy()} shares
     * nothing that changes.
     */
    public static final class Builder implements Cloneable {
        private String host;
        private int port;
        private MqttTlsOptions tls;
        private MqttWebSocketOptions webSocket;
        private MqttProxyOptions proxy;
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
        private OverflowPolicy outboxPolicy = OverflowPolicy.FAIL;
        private OutboxStorage outboxStorage = OutboxStorage.memory();
        private int publishAttempts = DEFAULT_PUBLISH_ATTEMPTS;
        private int qos0BufferSize = DEFAULT_QOS0_BUFFER;
        private ReconnectPolicy reconnectPolicy = ReconnectPolicy.exponential();
        private ReconnectPolicy firstConnectPolicy = ReconnectPolicy.none();
        private boolean resubscribe = true;
        private boolean republish = true;
        private Scheduler scheduler;
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
         * MQTT over WebSocket ({@code ws://}, or {@code wss://} with {@link #tls}); {@code null}
         * (the default) for MQTT straight over the socket.
         */
        public Builder webSocket(MqttWebSocketOptions webSocket) {
            this.webSocket = webSocket;
            return this;
        }

        /**
         * Tunnel the connection through an HTTP CONNECT or SOCKS5 proxy; {@code null} (the default)
         * connects directly.
         */
        public Builder proxy(MqttProxyOptions proxy) {
            this.proxy = proxy;
            return this;
        }

        /**
         * The client id; default a random {@code thingflux-…} id. Ignored with an Aliyun identity
         * or a credentials supplier.
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
            return credentials(
                    username, password == null ? null : password.getBytes(StandardCharsets.UTF_8));
        }

        /**
         * Signs client id, user name and password from an Aliyun device identity for each connect
         * attempt (replaces the static ones above and a {@linkplain #credentials(Supplier)
         * supplier}). Nothing signed is kept between attempts.
         */
        public Builder aliyun(AliyunDeviceIdentity identity, AliyunSigner signer) {
            this.identity = Objects.requireNonNull(identity, "identity");
            this.signer = Objects.requireNonNull(signer, "signer");
            this.credentials = null;
            return this;
        }

        /**
         * Takes client id, user name and password from {@code supplier} for each connect attempt,
         * the first and every reconnect, so a token can be refreshed or a signature made with a
         * fresh timestamp; nothing it returned is kept between attempts. Replaces the static
         * settings above and an Aliyun identity.
         *
         * <p>The supplier is called on the client's event loop and must not block. When it throws,
         * returns {@code null} or returns credentials no CONNECT can carry (an invalid client id),
         * that attempt fails with {@link MqttCredentialsException} and the connect or reconnect
         * policy decides whether to retry.
         */
        public Builder credentials(Supplier<MqttCredentials> supplier) {
            this.credentials = Objects.requireNonNull(supplier, "supplier");
            this.identity = null;
            this.signer = null;
            return this;
        }

        /**
         * Keepalive in seconds, 0..65535 (0 turns it off); default {@value
         * #DEFAULT_KEEP_ALIVE_SECONDS}.
         */
        public Builder keepAliveSeconds(int seconds) {
            if (seconds < 0 || seconds > 65_535) {
                throw new IllegalArgumentException("keepalive must be 0..65535 s, was " + seconds);
            }
            this.keepAliveSeconds = seconds;
            return this;
        }

        /**
         * How long to wait for any packet after a PINGREQ; default {@link #DEFAULT_PING_TIMEOUT}.
         */
        public Builder pingTimeout(Duration timeout) {
            this.pingTimeout = positive(timeout, "ping timeout");
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
         * The local address (and port, 0 for any) the socket binds to before connecting; {@code
         * null} (the default) leaves it to the system. Spreading many clients over several local
         * addresses gets past the one-address limit of the ephemeral port range (every 127.0.0.x
         * works on loopback).
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
         * The largest packet, fixed header included, accepted from the broker and sent to it (a
         * larger publish fails before it is queued); default {@link
         * MqttDecoder#DEFAULT_MAX_PACKET_SIZE}.
         */
        public Builder maxPacketSize(int bytes) {
            if (bytes < 2) {
                throw new IllegalArgumentException("maxPacketSize must be at least 2");
            }
            this.maxPacketSize = bytes;
            return this;
        }

        /**
         * Outgoing QoS 1/2 publishes awaiting acknowledgement, 1..65535; default {@value
         * #DEFAULT_MAX_IN_FLIGHT}.
         */
        public Builder maxInFlight(int n) {
            if (n < 1 || n > 65_535) {
                throw new IllegalArgumentException("maxInFlight must be 1..65535, was " + n);
            }
            this.maxInFlight = n;
            return this;
        }

        /**
         * Capacity and overflow policy of the outbox; default {@value #DEFAULT_OUTBOX_CAPACITY},
         * FAIL.
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
         * Where QoS 1/2 publishes wait until acknowledged: {@link OutboxStorage#memory()} (the
         * default) or a {@link io.thingflux.link.outbox.FileOutboxOptions file outbox}, opened for
         * {@link MqttClientOptions#name()} when the client is created (which then fails with {@link
         * io.thingflux.link.outbox.OutboxLockedException} if another process holds it) and read
         * back: its unfinished publishes are sent again with DUP before any new one, and its QoS 2
         * receive state is restored. With a file outbox a publish is accepted once it is in the
         * log: the log's bounds apply besides {@link #outbox(int, OverflowPolicy)}'s, with the same
         * overflow policy ({@link io.thingflux.link.outbox.OutboxFullException}), and a log that
         * cannot be written (disk full) fails the publish with {@link
         * io.thingflux.link.outbox.OutboxStorageException}. Publishes still pending when the client
         * is disconnected, closed or gives up reconnecting fail for their caller but stay in the
         * log and are sent by the next process that opens it (at least once); only publishes given
         * up one by one (evicted, {@link PublishRefusedException}, cancelled while queued) are
         * removed. QoS 0 publishes are never stored.
         */
        public Builder outboxStorage(OutboxStorage storage) {
            this.outboxStorage = Objects.requireNonNull(storage, "storage");
            return this;
        }

        /**
         * How many times the broker may close the connection while a QoS 1/2 publish is the oldest
         * awaiting acknowledgement before it fails with {@link PublishRefusedException} and the
         * next one gets its turn; default {@value #DEFAULT_PUBLISH_ATTEMPTS}. MQTT 3.1.1 has no
         * negative PUBACK, so a broker refusing a publish by ACL closes the connection: left alone,
         * the publish would be resent after every reconnect forever. Only a close by the broker
         * counts (not a keepalive timeout, a reset or an outage).
         */
        public Builder publishAttempts(int attempts) {
            if (attempts < 1) {
                throw new IllegalArgumentException("publishAttempts must be >= 1");
            }
            this.publishAttempts = attempts;
            return this;
        }

        /**
         * QoS 0 messages buffered per subscriber before the oldest is dropped; default {@value
         * #DEFAULT_QOS0_BUFFER}.
         */
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

        /**
         * Resubscribe when the broker has no session (session present 0) after a reconnect; default
         * true.
         */
        public Builder resubscribe(boolean resubscribe) {
            this.resubscribe = resubscribe;
            return this;
        }

        /**
         * Resend unacknowledged QoS 1/2 publishes (DUP) even when the broker lost the session;
         * default true. When false they fail with {@link MqttClosedException} in that case.
         */
        public Builder republish(boolean republish) {
            this.republish = republish;
            return this;
        }

        /**
         * Where signals to user code are published: results of connect, disconnect and publish,
         * messages and ends of subscriptions, unsolicited messages and states. {@code null} (the
         * default) signals them on the client's event loop with no thread hop: code there must not
         * block. Set e.g. {@code Schedulers.boundedElastic()} to run blocking code in the
         * callbacks. A {@link NettyMqttLink} over the client signals on the event loop either way.
         */
        public Builder scheduler(Scheduler scheduler) {
            this.scheduler = scheduler;
            return this;
        }

        public Builder metrics(MqttClientMetrics metrics) {
            this.metrics = Objects.requireNonNull(metrics, "metrics");
            return this;
        }

        /**
         * Force Aliyun's limits on or off; by default they apply when the host is an Aliyun
         * endpoint.
         */
        public Builder aliyunLimits(boolean enforce) {
            this.aliyunLimits = enforce;
            return this;
        }

        /**
         * @throws IllegalArgumentException when the settings contradict each other or the broker's
         *     limits
         */
        public MqttClientOptions build() {
            return new MqttClientOptions(copy());
        }

        /** A builder with the same settings (a shallow copy: every field is an immutable value). */
        private Builder copy() {
            try {
                return (Builder) super.clone();
            } catch (CloneNotSupportedException e) {
                throw new AssertionError(e);
            }
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
