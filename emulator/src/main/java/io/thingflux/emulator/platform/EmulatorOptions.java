package io.thingflux.emulator.platform;

import io.netty.channel.EventLoopGroup;
import io.thingflux.aliyun.AliyunDeviceIdentity;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The immutable settings of an {@link AliyunPlatformEmulator}; build them with {@link #builder()}. The
 * CLI's {@code broker} options map one to one onto the builder's methods.
 *
 * <p>Secrets (device secrets, product secrets, application passwords, the admin token) never appear in
 * {@link #toString()}.
 */
public final class EmulatorOptions {

    /** Default bind address: loopback only. */
    public static final String DEFAULT_HOST = "127.0.0.1";
    /** Default MQTT port. */
    public static final int DEFAULT_PORT = 1883;
    /** Default largest frame accepted: the platform's 256 KiB payload plus 1 KiB for the headers. */
    public static final int DEFAULT_MAX_PACKET_SIZE = 256 * 1024 + 1024;
    /** Default time a new connection has to send its CONNECT. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /**
     * Default bound of a persistent session's queue of QoS 1 messages kept while the client is offline.
     * When it is full the oldest message is dropped and {@link BrokerStats#offlineMessagesDropped()} counts it.
     */
    public static final int DEFAULT_OFFLINE_QUEUE_LIMIT = 1000;
    /** Default number of unacknowledged QoS 1/2 messages in flight to one connection. */
    public static final int DEFAULT_MAX_INFLIGHT = 32;
    /**
     * Default bound of the messages waiting behind a full in-flight window of one connection; when full the
     * oldest is dropped and {@link BrokerStats#slowConsumerDrops()} counts it.
     */
    public static final int DEFAULT_PENDING_LIMIT = 1000;
    /** Default bound of the retained messages kept in {@link AuthMode#NONE} (new topics beyond it are not retained). */
    public static final int DEFAULT_MAX_RETAINED = 10_000;
    /** Default bound of the filters one session may hold; a SUBSCRIBE beyond it gets 0x80 for the new filters. */
    public static final int DEFAULT_MAX_SUBSCRIPTIONS = 1000;
    /** Default bound of the recorder's queue; publishes beyond it are not recorded and are counted. */
    public static final int DEFAULT_RECORD_QUEUE_LIMIT = 65_536;

    private final String host;
    private final int port;
    private final Integer tlsPort;
    private final Path tlsCertificate;
    private final Path tlsPrivateKey;
    private final String adminHost;
    private final Integer adminPort;
    private final String adminToken;
    private final AuthMode authMode;
    private final List<AliyunDeviceIdentity> devices;
    private final Map<String, String> products;
    private final Map<String, String> apps;
    private final Path recordFile;
    private final int maxPacketSize;
    private final Duration connectTimeout;
    private final int offlineQueueLimit;
    private final int maxInflight;
    private final int pendingLimit;
    private final int maxRetained;
    private final int maxSubscriptions;
    private final int eventLoopThreads;
    private final EventLoopGroup eventLoopGroup;

    private EmulatorOptions(Builder b) {
        host = b.host;
        port = b.port;
        tlsPort = b.tlsPort;
        tlsCertificate = b.tlsCertificate;
        tlsPrivateKey = b.tlsPrivateKey;
        adminHost = b.adminHost;
        adminPort = b.adminPort;
        adminToken = b.adminToken;
        authMode = b.authMode;
        devices = List.copyOf(b.devices);
        products = Map.copyOf(b.products);
        apps = Map.copyOf(b.apps);
        recordFile = b.recordFile;
        maxPacketSize = b.maxPacketSize;
        connectTimeout = b.connectTimeout;
        offlineQueueLimit = b.offlineQueueLimit;
        maxInflight = b.maxInflight;
        pendingLimit = b.pendingLimit;
        maxRetained = b.maxRetained;
        maxSubscriptions = b.maxSubscriptions;
        eventLoopThreads = b.eventLoopThreads;
        eventLoopGroup = b.eventLoopGroup;
    }

    public static Builder builder() {
        return new Builder();
    }

    public String host() {
        return host;
    }

    /** The MQTT (TCP, secure mode 3) port; 0 picks a free one. */
    public int port() {
        return port;
    }

    /** The TLS (secure mode 2) port, or {@code null} for no TLS listener; 0 picks a free one. */
    public Integer tlsPort() {
        return tlsPort;
    }

    /** The PEM certificate chain of the TLS listener, or {@code null} for a self-signed one made at start. */
    public Path tlsCertificate() {
        return tlsCertificate;
    }

    /** The PEM (PKCS#8) private key going with {@link #tlsCertificate()}. */
    public Path tlsPrivateKey() {
        return tlsPrivateKey;
    }

    public String adminHost() {
        return adminHost;
    }

    /** The admin HTTP port, or {@code null} for no admin API; 0 picks a free one. */
    public Integer adminPort() {
        return adminPort;
    }

    /** The token the admin API requires ({@code Authorization: Bearer TOKEN}), or {@code null} for none. */
    public String adminToken() {
        return adminToken;
    }

    public AuthMode authMode() {
        return authMode;
    }

    public List<AliyunDeviceIdentity> devices() {
        return devices;
    }

    /** Product key to product secret: every device whose secret is derived from it is accepted. */
    public Map<String, String> products() {
        return products;
    }

    /** Application user name to password: identities that may publish and subscribe anywhere. */
    public Map<String, String> apps() {
        return apps;
    }

    /** The JSON-lines file received publishes are appended to, or {@code null}. */
    public Path recordFile() {
        return recordFile;
    }

    public int maxPacketSize() {
        return maxPacketSize;
    }

    public Duration connectTimeout() {
        return connectTimeout;
    }

    public int offlineQueueLimit() {
        return offlineQueueLimit;
    }

    public int maxInflight() {
        return maxInflight;
    }

    public int pendingLimit() {
        return pendingLimit;
    }

    public int maxRetained() {
        return maxRetained;
    }

    /** The most filters one session may hold. */
    public int maxSubscriptions() {
        return maxSubscriptions;
    }

    /** Event-loop threads of the group the emulator creates (0: Netty's default) when none is given. */
    public int eventLoopThreads() {
        return eventLoopThreads;
    }

    /** A caller-owned event-loop group to run on (not shut down by the emulator), or {@code null}. */
    public EventLoopGroup eventLoopGroup() {
        return eventLoopGroup;
    }

    @Override
    public String toString() {
        return "EmulatorOptions[host=" + host + ", port=" + port + ", tlsPort=" + tlsPort + ", adminPort=" + adminPort
                + ", auth=" + authMode + ", devices=" + devices.size() + ", products=" + products.keySet()
                + ", apps=" + apps.keySet() + ", record=" + recordFile + "]";
    }

    /** Builds {@link EmulatorOptions}. */
    public static final class Builder {
        private String host = DEFAULT_HOST;
        private int port = DEFAULT_PORT;
        private Integer tlsPort;
        private Path tlsCertificate;
        private Path tlsPrivateKey;
        private String adminHost = DEFAULT_HOST;
        private Integer adminPort;
        private String adminToken;
        private AuthMode authMode = AuthMode.ALIYUN;
        private final List<AliyunDeviceIdentity> devices = new ArrayList<>();
        private final Map<String, String> products = new LinkedHashMap<>();
        private final Map<String, String> apps = new LinkedHashMap<>();
        private Path recordFile;
        private int maxPacketSize = DEFAULT_MAX_PACKET_SIZE;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private int offlineQueueLimit = DEFAULT_OFFLINE_QUEUE_LIMIT;
        private int maxInflight = DEFAULT_MAX_INFLIGHT;
        private int pendingLimit = DEFAULT_PENDING_LIMIT;
        private int maxRetained = DEFAULT_MAX_RETAINED;
        private int maxSubscriptions = DEFAULT_MAX_SUBSCRIPTIONS;
        private int eventLoopThreads;
        private EventLoopGroup eventLoopGroup;

        private Builder() {
        }

        public Builder host(String host) {
            this.host = Objects.requireNonNull(host, "host");
            return this;
        }

        public Builder port(int port) {
            this.port = requirePort(port);
            return this;
        }

        public Builder tlsPort(Integer tlsPort) {
            this.tlsPort = tlsPort == null ? null : requirePort(tlsPort);
            return this;
        }

        /** Serve TLS with this PEM certificate chain and PKCS#8 PEM key instead of a self-signed certificate. */
        public Builder tlsCertificate(Path certificate, Path privateKey) {
            if ((certificate == null) != (privateKey == null)) {
                throw new IllegalArgumentException("give both the certificate and the private key, or neither");
            }
            this.tlsCertificate = certificate;
            this.tlsPrivateKey = privateKey;
            return this;
        }

        public Builder adminHost(String adminHost) {
            this.adminHost = Objects.requireNonNull(adminHost, "adminHost");
            return this;
        }

        public Builder adminPort(Integer adminPort) {
            this.adminPort = adminPort == null ? null : requirePort(adminPort);
            return this;
        }

        public Builder adminToken(String adminToken) {
            this.adminToken = adminToken;
            return this;
        }

        public Builder authMode(AuthMode authMode) {
            this.authMode = Objects.requireNonNull(authMode, "authMode");
            return this;
        }

        public Builder device(AliyunDeviceIdentity device) {
            devices.add(Objects.requireNonNull(device, "device"));
            return this;
        }

        /** A device given as {@code PK,DN,SECRET}. */
        public Builder device(String productKeyNameSecret) {
            return device(parseDevice(productKeyNameSecret));
        }

        /**
         * Every device of a CSV file with the columns {@code PK,DN,SECRET} (blank lines and lines starting
         * with {@code #} are skipped).
         *
         * @throws UncheckedIOException when the file cannot be read
         * @throws IllegalArgumentException naming the first malformed line (never its secret)
         */
        public Builder devicesFile(Path csv) {
            List<String> lines;
            try {
                lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read devices file " + csv, e);
            }
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i).strip();
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                try {
                    device(parseDevice(line));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(csv + " line " + (i + 1) + ": " + e.getMessage());
                }
            }
            return this;
        }

        /**
         * Accept every device of {@code productKey} whose secret is derived from {@code productSecret}
         * (see {@link io.thingflux.aliyun.AliyunProducts#deriveDeviceSecret}): an emulator convenience for
         * simulating many devices, not something the platform does.
         */
        public Builder product(String productKey, String productSecret) {
            requireText(productKey, "productKey");
            requireText(productSecret, "productSecret");
            products.put(productKey, productSecret);
            return this;
        }

        /** A product given as {@code PK,PRODUCT_SECRET}. */
        public Builder product(String productKeyAndSecret) {
            String[] parts = productKeyAndSecret.split(",", -1);
            if (parts.length != 2) {
                throw new IllegalArgumentException("a product is PK,PRODUCT_SECRET");
            }
            return product(parts[0].strip(), parts[1].strip());
        }

        /** An application identity that may publish and subscribe anywhere. */
        public Builder app(String user, String password) {
            requireText(user, "app user");
            requireText(password, "app password");
            apps.put(user, password);
            return this;
        }

        /** An application identity given as {@code USER:PASSWORD}. */
        public Builder app(String userColonPassword) {
            int colon = userColonPassword.indexOf(':');
            if (colon <= 0 || colon == userColonPassword.length() - 1) {
                throw new IllegalArgumentException("an application identity is USER:PASSWORD");
            }
            return app(userColonPassword.substring(0, colon), userColonPassword.substring(colon + 1));
        }

        public Builder recordFile(Path recordFile) {
            this.recordFile = recordFile;
            return this;
        }

        public Builder maxPacketSize(int maxPacketSize) {
            if (maxPacketSize < 16) {
                throw new IllegalArgumentException("maxPacketSize must be at least 16, was " + maxPacketSize);
            }
            this.maxPacketSize = maxPacketSize;
            return this;
        }

        public Builder connectTimeout(Duration connectTimeout) {
            if (connectTimeout.isNegative() || connectTimeout.isZero()) {
                throw new IllegalArgumentException("connectTimeout must be positive");
            }
            this.connectTimeout = connectTimeout;
            return this;
        }

        public Builder offlineQueueLimit(int limit) {
            this.offlineQueueLimit = requirePositive(limit, "offlineQueueLimit");
            return this;
        }

        public Builder maxInflight(int maxInflight) {
            this.maxInflight = requirePositive(maxInflight, "maxInflight");
            return this;
        }

        public Builder pendingLimit(int pendingLimit) {
            this.pendingLimit = requirePositive(pendingLimit, "pendingLimit");
            return this;
        }

        public Builder maxRetained(int maxRetained) {
            this.maxRetained = requirePositive(maxRetained, "maxRetained");
            return this;
        }

        public Builder maxSubscriptions(int maxSubscriptions) {
            this.maxSubscriptions = requirePositive(maxSubscriptions, "maxSubscriptions");
            return this;
        }

        public Builder eventLoopThreads(int threads) {
            if (threads < 0) {
                throw new IllegalArgumentException("eventLoopThreads must be >= 0");
            }
            this.eventLoopThreads = threads;
            return this;
        }

        /** Run on a caller-owned group (e.g. the one {@code bench} shares with its devices). */
        public Builder eventLoopGroup(EventLoopGroup group) {
            this.eventLoopGroup = group;
            return this;
        }

        public EmulatorOptions build() {
            if (authMode == AuthMode.ALIYUN && devices.isEmpty() && products.isEmpty() && apps.isEmpty()) {
                throw new IllegalArgumentException(
                        "Aliyun mode needs at least one device, product or application identity (or auth NONE)");
            }
            return new EmulatorOptions(this);
        }

        private static AliyunDeviceIdentity parseDevice(String csv) {
            String[] parts = csv.split(",", -1);
            if (parts.length != 3) {
                throw new IllegalArgumentException("a device is PK,DN,SECRET");
            }
            return new AliyunDeviceIdentity(parts[0].strip(), parts[1].strip(), parts[2].strip());
        }

        private static int requirePort(int port) {
            if (port < 0 || port > 65_535) {
                throw new IllegalArgumentException("port must be 0..65535, was " + port);
            }
            return port;
        }

        private static int requirePositive(int value, String what) {
            if (value < 1) {
                throw new IllegalArgumentException(what + " must be positive, was " + value);
            }
            return value;
        }

        private static void requireText(String value, String what) {
            if (value == null || value.isBlank()) {
                throw new IllegalArgumentException(what + " must not be blank");
            }
        }
    }
}
