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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The immutable settings of an {@link AliyunPlatformEmulator}: listeners, identities, bounds; build
 * them with {@link #builder()}, change a copy with {@link #mutate()}. The CLI's {@code broker}
 * options map one to one onto the builder's methods.
 *
 * <p>The options keep a private copy of the {@link Builder} they were built from (its fields are
 * all immutable values) and read every getter from it; {@link #mutate()} hands out another copy.
 *
 * <p>Secrets (device secrets, product secrets, application passwords, the admin token, access key
 * secrets) never appear in {@link #toString()}.
 */
public final class EmulatorOptions {

    /** Default bind address: loopback only. */
    public static final String DEFAULT_HOST = "127.0.0.1";

    /** Default bind address of the admin HTTP API: loopback only. */
    public static final String DEFAULT_ADMIN_HOST = DEFAULT_HOST;

    /** Default authentication: as the platform, by signed CONNECT. */
    public static final AuthMode DEFAULT_AUTH_MODE = AuthMode.ALIYUN;

    /** Default event-loop threads of the group the emulator creates: 0, Netty's default. */
    public static final int DEFAULT_EVENT_LOOP_THREADS = 0;

    /** Default MQTT port. */
    public static final int DEFAULT_PORT = 1883;

    /**
     * Default largest frame accepted: the platform's 256 KiB payload plus 1 KiB for the headers.
     */
    public static final int DEFAULT_MAX_PACKET_SIZE = 256 * 1024 + 1024;

    /** Default time a new connection has to send its CONNECT. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);

    /**
     * Default bound of a persistent session's queue of QoS 1 messages kept while the client is
     * offline. When it is full the oldest message is dropped and {@link
     * BrokerStats#offlineMessagesDropped()} counts it.
     */
    public static final int DEFAULT_OFFLINE_QUEUE_LIMIT = 1000;

    /** Default number of unacknowledged QoS 1/2 messages in flight to one connection. */
    public static final int DEFAULT_MAX_INFLIGHT = 32;

    /**
     * Default bound of the messages waiting behind a full in-flight window of one connection; when
     * full the oldest is dropped and {@link BrokerStats#slowConsumerDrops()} counts it.
     */
    public static final int DEFAULT_PENDING_LIMIT = 1000;

    /**
     * Default bound of the retained messages kept in {@link AuthMode#NONE} (new topics beyond it
     * are not retained).
     */
    public static final int DEFAULT_MAX_RETAINED = 10_000;

    /**
     * Default bound of the filters one session may hold; a SUBSCRIBE beyond it gets 0x80 for the
     * new filters.
     */
    public static final int DEFAULT_MAX_SUBSCRIPTIONS = 1000;

    /**
     * Default bound of the recorder's queue; publishes beyond it are not recorded and are counted.
     */
    public static final int DEFAULT_RECORD_QUEUE_LIMIT = 65_536;

    private final Builder settings;

    private EmulatorOptions(Builder settings) {
        this.settings = settings;
    }

    /** Default path of the WebSocket listeners: {@value}. */
    public static final String DEFAULT_WS_PATH = "/mqtt";

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these options. */
    public Builder mutate() {
        return settings.copy();
    }

    public String host() {
        return settings.host;
    }

    /** The MQTT (TCP, secure mode 3) port; 0 picks a free one. */
    public int port() {
        return settings.port;
    }

    /** The TLS (secure mode 2) port, or {@code null} for no TLS listener; 0 picks a free one. */
    public Integer tlsPort() {
        return settings.tlsPort;
    }

    /**
     * The PEM certificate chain of the TLS listener, or {@code null} for a self-signed one made at
     * start.
     */
    public Path tlsCertificate() {
        return settings.tlsCertificate;
    }

    /** The PEM (PKCS#8) private key going with {@link #tlsCertificate()}. */
    public Path tlsPrivateKey() {
        return settings.tlsPrivateKey;
    }

    /**
     * The MQTT over WebSocket ({@code ws://}, secure mode 3) port, or {@code null}; 0 picks one.
     */
    public Integer wsPort() {
        return settings.wsPort;
    }

    /** The MQTT over secure WebSocket ({@code wss://}, secure mode 2) port, or {@code null}. */
    public Integer wssPort() {
        return settings.wssPort;
    }

    /** The path of the WebSocket listeners; default {@value #DEFAULT_WS_PATH}. */
    public String wsPath() {
        return settings.wsPath;
    }

    /**
     * The PEM file of the CA(s) device certificates must chain to, or {@code null}: with it the TLS
     * listeners ask for a client certificate (optional, so signed devices still connect).
     */
    public Path clientCertificateAuthority() {
        return settings.clientCa;
    }

    /**
     * Devices known by TLS client certificate: SHA-256 fingerprint (hex) or subject DN → {@code
     * productKey/deviceName}.
     */
    public Map<String, String> certificateDevices() {
        return settings.certificateDevices;
    }

    public String adminHost() {
        return settings.adminHost;
    }

    /** The admin HTTP port, or {@code null} for no admin API; 0 picks a free one. */
    public Integer adminPort() {
        return settings.adminPort;
    }

    /**
     * The HTTPS port of the admin API (the same API as {@link #adminPort()}, with the TLS
     * listener's certificate), or {@code null} for none; 0 picks a free one.
     */
    public Integer adminTlsPort() {
        return settings.adminTlsPort;
    }

    /**
     * The token the admin API requires ({@code Authorization: Bearer TOKEN}), or {@code null} for
     * none.
     */
    public String adminToken() {
        return settings.adminToken;
    }

    public AuthMode authMode() {
        return settings.authMode;
    }

    public List<AliyunDeviceIdentity> devices() {
        return settings.devices;
    }

    /** Product key to product secret: every device whose secret is derived from it is accepted. */
    public Map<String, String> products() {
        return settings.products;
    }

    /** Application user name to password: identities that may publish and subscribe anywhere. */
    public Map<String, String> apps() {
        return settings.apps;
    }

    /**
     * Access key id to secret: the keys that may sign OpenAPI requests on the admin listener (none:
     * every signed request is refused with {@code InvalidAccessKeyId.NotFound}).
     */
    public Map<String, String> accessKeys() {
        return settings.accessKeys;
    }

    /**
     * The services the OpenAPI's InvokeThingService calls synchronously (over {@code
     * /ext/rrpc/...}, answering with the device's reply), as {@code productKey/identifier}; every
     * other service is called asynchronously (on {@code thing/service/...}).
     */
    public Set<String> syncServices() {
        return settings.syncServices;
    }

    /** The JSON-lines file received publishes are appended to, or {@code null}. */
    public Path recordFile() {
        return settings.recordFile;
    }

    /** See {@link Builder#dedupView(int)}; 0 when the dedup view is off (the default). */
    public int dedupViewLimit() {
        return settings.dedupViewLimit;
    }

    public int maxPacketSize() {
        return settings.maxPacketSize;
    }

    public Duration connectTimeout() {
        return settings.connectTimeout;
    }

    public int offlineQueueLimit() {
        return settings.offlineQueueLimit;
    }

    public int maxInflight() {
        return settings.maxInflight;
    }

    public int pendingLimit() {
        return settings.pendingLimit;
    }

    public int maxRetained() {
        return settings.maxRetained;
    }

    /** The most filters one session may hold. */
    public int maxSubscriptions() {
        return settings.maxSubscriptions;
    }

    /**
     * Event-loop threads of the group the emulator creates (0: Netty's default) when none is given.
     */
    public int eventLoopThreads() {
        return settings.eventLoopThreads;
    }

    /**
     * A caller-owned event-loop group to run on (not shut down by the emulator), or {@code null}.
     */
    public EventLoopGroup eventLoopGroup() {
        return settings.eventLoopGroup;
    }

    @Override
    public String toString() {
        return "EmulatorOptions[host="
                + host()
                + ", port="
                + port()
                + ", tlsPort="
                + tlsPort()
                + (wsPort() != null ? ", wsPort=" + wsPort() : "")
                + (wssPort() != null ? ", wssPort=" + wssPort() : "")
                + (clientCertificateAuthority() != null
                        ? ", certificateDevices=" + certificateDevices().size()
                        : "")
                + ", adminPort="
                + adminPort()
                + ", adminTlsPort="
                + adminTlsPort()
                + ", auth="
                + authMode()
                + ", devices="
                + devices().size()
                + ", products="
                + products().keySet()
                + ", apps="
                + apps().keySet()
                + ", accessKeys="
                + accessKeys().keySet()
                + ", record="
                + recordFile()
                + ", dedupView="
                + dedupViewLimit()
                + "]";
    }

    /**
     * Builds {@link EmulatorOptions}; every field is an immutable value, so a copy is a
     * field-for-field clone.
     */
    public static final class Builder implements Cloneable {
        private String host = DEFAULT_HOST;
        private int port = DEFAULT_PORT;
        private Integer tlsPort;
        private Integer wsPort;
        private Integer wssPort;
        private String wsPath = DEFAULT_WS_PATH;
        private Path clientCa;
        private Map<String, String> certificateDevices = Map.of();
        private Path tlsCertificate;
        private Path tlsPrivateKey;
        private String adminHost = DEFAULT_ADMIN_HOST;
        private Integer adminPort;
        private Integer adminTlsPort;
        private String adminToken;
        private AuthMode authMode = DEFAULT_AUTH_MODE;
        private List<AliyunDeviceIdentity> devices = List.of();
        private Map<String, String> products = Map.of();
        private Map<String, String> apps = Map.of();
        private Map<String, String> accessKeys = Map.of();
        private Set<String> syncServices = Set.of();
        private Path recordFile;
        private int dedupViewLimit;
        private int maxPacketSize = DEFAULT_MAX_PACKET_SIZE;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private int offlineQueueLimit = DEFAULT_OFFLINE_QUEUE_LIMIT;
        private int maxInflight = DEFAULT_MAX_INFLIGHT;
        private int pendingLimit = DEFAULT_PENDING_LIMIT;
        private int maxRetained = DEFAULT_MAX_RETAINED;
        private int maxSubscriptions = DEFAULT_MAX_SUBSCRIPTIONS;
        private int eventLoopThreads = DEFAULT_EVENT_LOOP_THREADS;

        /** Caller-owned, never changed by the emulator: shared by reference. */
        private EventLoopGroup eventLoopGroup;

        private Builder() {}

        private Builder copy() {
            try {
                return (Builder) super.clone();
            } catch (CloneNotSupportedException e) {
                throw new AssertionError(e);
            }
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

        /**
         * Serve TLS with this PEM certificate chain and PKCS#8 PEM key instead of a self-signed
         * certificate.
         */
        public Builder tlsCertificate(Path certificate, Path privateKey) {
            if ((certificate == null) != (privateKey == null)) {
                throw new IllegalArgumentException(
                        "give both the certificate and the private key, or neither");
            }
            this.tlsCertificate = certificate;
            this.tlsPrivateKey = privateKey;
            return this;
        }

        /** Listen for MQTT over WebSocket ({@code ws://}) on this port (0 picks a free one). */
        public Builder wsPort(Integer wsPort) {
            this.wsPort = wsPort == null ? null : requirePort(wsPort);
            return this;
        }

        /** Listen for MQTT over secure WebSocket ({@code wss://}, the TLS certificate's). */
        public Builder wssPort(Integer wssPort) {
            this.wssPort = wssPort == null ? null : requirePort(wssPort);
            return this;
        }

        /** The WebSocket listeners' path; default {@value #DEFAULT_WS_PATH}. */
        public Builder wsPath(String path) {
            if (path == null || !path.startsWith("/")) {
                throw new IllegalArgumentException("the WebSocket path must start with /");
            }
            this.wsPath = path;
            return this;
        }

        /**
         * Ask TLS clients for a certificate chaining to the CA(s) in this PEM file (the X.509 mode;
         * see {@link #certificateDevice}).
         */
        public Builder clientCertificateAuthority(Path caPem) {
            this.clientCa = caPem;
            return this;
        }

        /**
         * A device authenticated by its client certificate: {@code fingerprintOrSubject} is the
         * certificate's SHA-256 fingerprint (hex, colons allowed) or its subject DN.
         */
        public Builder certificateDevice(
                String fingerprintOrSubject, String productKey, String deviceName) {
            requireText(fingerprintOrSubject, "certificate fingerprint or subject");
            requireText(productKey, "product key");
            requireText(deviceName, "device name");
            this.certificateDevices =
                    with(certificateDevices, fingerprintOrSubject, productKey + "/" + deviceName);
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

        public Builder adminTlsPort(Integer adminTlsPort) {
            this.adminTlsPort = adminTlsPort == null ? null : requirePort(adminTlsPort);
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
            return addDevices(List.of(Objects.requireNonNull(device, "device")));
        }

        /** A device given as {@code PK,DN,SECRET}. */
        public Builder device(String productKeyNameSecret) {
            return device(parseDevice(productKeyNameSecret));
        }

        /**
         * Every device of a CSV file with the columns {@code PK,DN,SECRET} (blank lines and lines
         * starting with {@code #} are skipped).
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
            List<AliyunDeviceIdentity> read = new ArrayList<>();
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i).strip();
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                try {
                    read.add(parseDevice(line));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(
                            csv + " line " + (i + 1) + ": " + e.getMessage());
                }
            }
            return addDevices(read);
        }

        private Builder addDevices(List<AliyunDeviceIdentity> more) {
            List<AliyunDeviceIdentity> all = new ArrayList<>(devices);
            all.addAll(more);
            devices = List.copyOf(all);
            return this;
        }

        /**
         * Accept every device of {@code productKey} whose secret is derived from {@code
         * productSecret} (see {@link io.thingflux.aliyun.AliyunProducts#deriveDeviceSecret}): an
         * emulator convenience for simulating many devices, not something the platform does.
         */
        public Builder product(String productKey, String productSecret) {
            requireText(productKey, "productKey");
            requireText(productSecret, "productSecret");
            products = with(products, productKey, productSecret);
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
            apps = with(apps, user, password);
            return this;
        }

        /** An application identity given as {@code USER:PASSWORD}. */
        public Builder app(String userColonPassword) {
            int colon = userColonPassword.indexOf(':');
            if (colon <= 0 || colon == userColonPassword.length() - 1) {
                throw new IllegalArgumentException("an application identity is USER:PASSWORD");
            }
            return app(
                    userColonPassword.substring(0, colon), userColonPassword.substring(colon + 1));
        }

        /** An access key that may sign OpenAPI requests (the secret is never logged). */
        public Builder accessKey(String accessKeyId, String accessKeySecret) {
            requireText(accessKeyId, "access key id");
            requireText(accessKeySecret, "access key secret");
            accessKeys = with(accessKeys, accessKeyId, accessKeySecret);
            return this;
        }

        /** An access key given as {@code ID:SECRET}. */
        public Builder accessKey(String idColonSecret) {
            int colon = idColonSecret.indexOf(':');
            if (colon <= 0 || colon == idColonSecret.length() - 1) {
                throw new IllegalArgumentException("an access key is ID:SECRET");
            }
            return accessKey(idColonSecret.substring(0, colon), idColonSecret.substring(colon + 1));
        }

        /**
         * A service InvokeThingService calls synchronously, given as {@code PK/IDENTIFIER} (the
         * platform reads this from the product's thing model).
         */
        public Builder syncService(String productKeySlashIdentifier) {
            int slash = productKeySlashIdentifier.indexOf('/');
            if (slash <= 0
                    || slash == productKeySlashIdentifier.length() - 1
                    || productKeySlashIdentifier.indexOf('/', slash + 1) >= 0) {
                throw new IllegalArgumentException("a synchronous service is PK/IDENTIFIER");
            }
            Set<String> next = new LinkedHashSet<>(syncServices);
            next.add(productKeySlashIdentifier);
            syncServices = Set.copyOf(next);
            return this;
        }

        public Builder recordFile(Path recordFile) {
            this.recordFile = recordFile;
            return this;
        }

        /**
         * Keeps the dedup view of what devices publish ({@link
         * AliyunPlatformEmulator#distinctPublishes}, admin action {@code QueryDevicePublishes}),
         * holding at most {@code maxMessages} distinct messages (their payloads included) over all
         * devices; 0 turns it off (the default, so a benchmark broker keeps nothing). A new message
         * beyond the bound is not tracked and every later query fails with {@link
         * EmulatorRequestException}: the view is then incomplete.
         */
        public Builder dedupView(int maxMessages) {
            if (maxMessages < 0) {
                throw new IllegalArgumentException("maxMessages must be >= 0, was " + maxMessages);
            }
            this.dedupViewLimit = maxMessages;
            return this;
        }

        public Builder maxPacketSize(int maxPacketSize) {
            if (maxPacketSize < 16) {
                throw new IllegalArgumentException(
                        "maxPacketSize must be at least 16, was " + maxPacketSize);
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
            if (authMode == AuthMode.ALIYUN
                    && devices.isEmpty()
                    && products.isEmpty()
                    && apps.isEmpty()
                    && accessKeys.isEmpty()) {
                throw new IllegalArgumentException(
                        "Aliyun mode needs at least one device, product, application identity or access key"
                                + " (or auth NONE)");
            }
            return new EmulatorOptions(copy());
        }

        private static Map<String, String> with(Map<String, String> map, String key, String value) {
            Map<String, String> next = new LinkedHashMap<>(map);
            next.put(key, value);
            return Map.copyOf(next);
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
