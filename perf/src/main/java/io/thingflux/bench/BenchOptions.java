package io.thingflux.bench;

import io.thingflux.link.outbox.FileOutboxOptions;
import io.thingflux.link.outbox.FsyncPolicy;
import io.thingflux.mqtt.MqttQos;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * What one bench run does, for the whole run (a shard takes its slice, see {@link Shard}).
 * Immutable; build with {@link #builder()}, which checks every value and refuses bad ones and bad
 * combinations with a {@link BenchRefusedException} saying what to change. The {@link Builder} is
 * also the picocli mixin of {@code thingflux bench}: each option is declared, documented and
 * checked once, there. The product secret never appears in {@link #toString()}.
 */
public final class BenchOptions {

    /** Devices simulated by default. */
    public static final int DEFAULT_DEVICES = 100;

    /** Connects started per second by default (the ramp). */
    public static final double DEFAULT_CONNECT_RATE = 500;

    /** One property post per device per this by default. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(1);

    /** How long devices post once the ramp is over, by default. */
    public static final Duration DEFAULT_DURATION = Duration.ofSeconds(30);

    /** Size of one Alink property post by default, in bytes of JSON. */
    public static final int DEFAULT_PAYLOAD_BYTES = 256;

    /**
     * Smallest post: the Alink envelope with a temperature and a one-character padding property.
     */
    public static final int MIN_PAYLOAD_BYTES = 112;

    /** Largest post the platform accepts (256 KiB). */
    public static final int MAX_PAYLOAD_BYTES = 256 * 1024;

    /**
     * Posts of one device awaiting their reply, by default (emqtt-bench's default inflight is 1
     * too).
     */
    public static final int DEFAULT_INFLIGHT = 1;

    /**
     * Most posts of one device awaiting their reply; the device API bounds its pending requests.
     */
    public static final int MAX_INFLIGHT = 1024;

    /** How long a post waits for its {@code _reply} before it counts as an error. */
    public static final Duration DEFAULT_REPLY_TIMEOUT = Duration.ofSeconds(10);

    /** MQTT keepalive of every simulated device (the platform accepts 30..1200 s). */
    public static final Duration DEFAULT_KEEP_ALIVE = Duration.ofSeconds(300);

    /** Device names are this prefix plus the device's index, by default. */
    public static final String DEFAULT_DEVICE_PREFIX = "bench-";

    /** Product key of the product provisioned in the embedded emulator. */
    public static final String EMBEDDED_PRODUCT_KEY = "a1BenchPrdct";

    private final Builder settings;

    private BenchOptions(Builder settings) {
        this.settings = settings;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Devices of the whole run (all shards). */
    public int devices() {
        return settings.devices;
    }

    /** Devices this process simulates. */
    public int shardDevices() {
        return settings.shard.size(settings.devices);
    }

    /** Connects per second of the whole run. */
    public double connectRate() {
        return settings.connectRate;
    }

    public Duration interval() {
        return settings.interval;
    }

    public Duration duration() {
        return settings.duration;
    }

    public MqttQos qos() {
        return MqttQos.valueOf(settings.qos);
    }

    public int payloadBytes() {
        return settings.payloadBytes;
    }

    public int inflight() {
        return settings.inflight;
    }

    /** Property sets per second of the whole run through the admin API; 0 for none. */
    public double downlinkRate() {
        return settings.downlinkRate;
    }

    /** The emulator's admin API port when it runs elsewhere ({@code --host}). */
    public Optional<Integer> adminPort() {
        return Optional.ofNullable(settings.adminPort);
    }

    /** Local addresses the sockets are spread over, round-robin; empty for the system's choice. */
    public List<InetAddress> sourceAddresses() {
        return settings.sourceAddresses;
    }

    public Shard shard() {
        return settings.shard;
    }

    public BenchClientKind client() {
        return settings.client;
    }

    /** The broker to load; empty for the emulator started in this process. */
    public Optional<String> host() {
        return Optional.ofNullable(settings.host);
    }

    /** Whether the emulator runs in this process (no {@code --host}). */
    public boolean embedded() {
        return settings.host == null;
    }

    public int port() {
        return settings.port;
    }

    public boolean tls() {
        return settings.tls;
    }

    /** Whether devices speak MQTT over WebSocket ({@code --ws}). */
    public boolean webSocket() {
        return settings.ws;
    }

    /** The proxy URI devices tunnel through ({@code --proxy}), if any; never logged. */
    public Optional<String> proxy() {
        return Optional.ofNullable(settings.proxy);
    }

    public Optional<Path> devicesFile() {
        return Optional.ofNullable(settings.devicesFile);
    }

    /**
     * The product of derived devices ({@code --product}); the embedded emulator's product when
     * embedded.
     */
    public Optional<String> productKey() {
        return Optional.ofNullable(settings.product).map(Product::key);
    }

    /** The product secret devices are derived from. Never log it. */
    public Optional<String> productSecret() {
        return Optional.ofNullable(settings.product).map(Product::secret);
    }

    public String devicePrefix() {
        return settings.devicePrefix;
    }

    public Duration replyTimeout() {
        return settings.replyTimeout;
    }

    /** The file outboxes of the devices ({@code --outbox}), or empty for in memory. */
    public Optional<FileOutboxOptions> outbox() {
        return Optional.ofNullable(settings.outbox)
                .map(dir -> FileOutboxOptions.in(dir).fsync(settings.outboxFsync));
    }

    /** The same options with another shard. */
    public BenchOptions withShard(Shard shard) {
        return mutate().shard(shard).build();
    }

    /** A builder holding these options, to change some of them. */
    public Builder mutate() {
        return settings.clone();
    }

    @Override
    public String toString() {
        Builder s = settings;
        return "BenchOptions[client="
                + s.client.cliName()
                + ", devices="
                + s.devices
                + ", shard="
                + s.shard
                + ", connectRate="
                + s.connectRate
                + "/s, interval="
                + s.interval
                + ", duration="
                + s.duration
                + ", qos="
                + s.qos
                + ", payloadBytes="
                + s.payloadBytes
                + ", inflight="
                + s.inflight
                + ", downlinkRate="
                + s.downlinkRate
                + "/s, target="
                + (s.host == null ? "embedded" : s.host + ":" + s.port)
                + (s.tls ? " (tls)" : "")
                + ", sourceAddresses="
                + s.sourceAddresses
                + (s.devicesFile != null ? ", devicesFile=" + s.devicesFile : "")
                + (s.outbox != null ? ", outbox=" + s.outbox + " fsync " + s.outboxFsync : "")
                + (s.product != null ? ", product=" + s.product.key() + ",<redacted>" : "")
                + "]";
    }

    /**
     * Builds {@link BenchOptions}; {@link #build()} checks everything. Its fields are the options
     * of {@code thingflux bench} (picocli binds the command line straight into them), each an
     * immutable value.
     */
    public static final class Builder implements Cloneable {
        @Option(
                names = "--devices",
                paramLabel = "N",
                description = "Devices of the whole run (default ${DEFAULT-VALUE}).")
        private int devices = DEFAULT_DEVICES;

        @Option(
                names = "--connect-rate",
                paramLabel = "R",
                description = "Connects started per second, the ramp (default ${DEFAULT-VALUE}).")
        private double connectRate = DEFAULT_CONNECT_RATE;

        @Option(
                names = "--interval",
                paramLabel = "D",
                converter = DurationConverter.class,
                description =
                        "One property post per device per D, the fleet's posts spread evenly over D (default 1s).")
        private Duration interval = DEFAULT_INTERVAL;

        @Option(
                names = "--duration",
                paramLabel = "D",
                converter = DurationConverter.class,
                description =
                        "How long devices post (or, with --interval longer than D, hold their connection) after the ramp (default 30s).")
        private Duration duration = DEFAULT_DURATION;

        @Option(
                names = "--qos",
                paramLabel = "0|1",
                description = "QoS of the posts (default ${DEFAULT-VALUE}).")
        private int qos;

        @Option(
                names = "--payload-bytes",
                paramLabel = "B",
                description =
                        "Size of one Alink property post in bytes (default ${DEFAULT-VALUE}).")
        private int payloadBytes = DEFAULT_PAYLOAD_BYTES;

        @Option(
                names = "--inflight",
                paramLabel = "N",
                description =
                        "Posts of one device awaiting their reply (default ${DEFAULT-VALUE}).")
        private int inflight = DEFAULT_INFLIGHT;

        @Option(
                names = "--downlink-rate",
                paramLabel = "R",
                description =
                        "Property sets per second through the emulator's admin API, measuring downlink latency (default 0: none).")
        private double downlinkRate;

        @Option(
                names = "--admin-port",
                paramLabel = "P",
                description = "The emulator's admin API port, with --host.")
        private Integer adminPort;

        @Option(
                names = "--source-ips",
                paramLabel = "a,b,c",
                split = ",",
                converter = SourceAddressConverter.class,
                description =
                        "Spread sockets over these local addresses (round-robin), past the ports-per-address limit.")
        private List<InetAddress> sourceAddresses = List.of();

        @Option(
                names = "--shard",
                paramLabel = "i/n",
                converter = ShardConverter.class,
                description = "Simulate slice i of n of the devices (default 0/1).")
        private Shard shard = Shard.WHOLE;

        @Option(
                names = "--client",
                paramLabel = "thingflux|hivemq|netty-codec",
                converter = ClientConverter.class,
                description =
                        "The MQTT client driving the devices (default thingflux): thingflux's device API, the HiveMQ MQTT Client (reference), or a bare Netty channel with only the codec (the floor).")
        private BenchClientKind client = BenchClientKind.THINGFLUX;

        @Option(
                names = "--host",
                description = "Load this broker instead of the emulator in this process.")
        private String host;

        @Option(names = "--port", description = "MQTT port with --host (default ${DEFAULT-VALUE}).")
        private int port = 1883;

        @Option(names = "--tls", description = "Connect with TLS (securemode=2), with --host.")
        private boolean tls;

        @Option(
                names = "--ws",
                description =
                        "MQTT over WebSocket (path /mqtt; wss with --tls). Without --host the emulator opens a ws listener.")
        private boolean ws;

        @Option(
                names = "--proxy",
                paramLabel = "URI",
                description =
                        "Tunnel every device through this proxy: http://[user:pass@]host:port or socks5://...")
        private String proxy;

        @Option(
                names = "--devices-file",
                paramLabel = "FILE",
                description = "CSV of productKey,deviceName,deviceSecret, with --host.")
        private Path devicesFile;

        @Option(
                names = "--product",
                paramLabel = "PK,PRODUCT_SECRET",
                converter = ProductConverter.class,
                description =
                        "Derive device secrets from the product secret as the emulator does, with --host.")
        private Product product;

        @Option(
                names = "--device-prefix",
                paramLabel = "PREFIX",
                description = "Device names are PREFIX + index (default ${DEFAULT-VALUE}).")
        private String devicePrefix = DEFAULT_DEVICE_PREFIX;

        @Option(
                names = "--outbox",
                paramLabel = "DIR",
                description =
                        "Keep each device's outbox in a crash-safe file log under DIR (a directory per "
                                + "device) instead of memory; thingflux client only.")
        private Path outbox;

        @Option(
                names = "--outbox-fsync",
                paramLabel = "POLICY",
                converter = FsyncConverter.class,
                description =
                        "With --outbox: always (each post synced before it leaves), never, or a "
                                + "number of ms between syncs (default 100ms).")
        private FsyncPolicy outboxFsync = FsyncPolicy.every(Duration.ofMillis(100));

        private Duration replyTimeout = DEFAULT_REPLY_TIMEOUT;

        private Builder() {}

        /** Keep each device's outbox under {@code dir} ({@code null}: in memory). */
        public Builder outbox(Path dir, FsyncPolicy fsync) {
            this.outbox = dir;
            this.outboxFsync = Objects.requireNonNull(fsync, "fsync");
            return this;
        }

        public Builder devices(int devices) {
            this.devices = devices;
            return this;
        }

        public Builder connectRate(double connectRate) {
            this.connectRate = connectRate;
            return this;
        }

        public Builder interval(Duration interval) {
            this.interval = Objects.requireNonNull(interval, "interval");
            return this;
        }

        public Builder duration(Duration duration) {
            this.duration = Objects.requireNonNull(duration, "duration");
            return this;
        }

        /** 0 or 1; anything else is refused at once. */
        public Builder qos(int qos) {
            this.qos = checkQos(qos);
            return this;
        }

        public Builder payloadBytes(int payloadBytes) {
            this.payloadBytes = payloadBytes;
            return this;
        }

        public Builder inflight(int inflight) {
            this.inflight = inflight;
            return this;
        }

        public Builder downlinkRate(double downlinkRate) {
            this.downlinkRate = downlinkRate;
            return this;
        }

        public Builder adminPort(Integer adminPort) {
            this.adminPort = adminPort;
            return this;
        }

        public Builder sourceAddresses(List<InetAddress> sourceAddresses) {
            this.sourceAddresses = List.copyOf(sourceAddresses);
            return this;
        }

        public Builder shard(Shard shard) {
            this.shard = Objects.requireNonNull(shard, "shard");
            return this;
        }

        public Builder client(BenchClientKind client) {
            this.client = Objects.requireNonNull(client, "client");
            return this;
        }

        /** The broker to load; {@code null} for the emulator in this process. */
        public Builder host(String host) {
            this.host = host;
            return this;
        }

        public Builder port(int port) {
            this.port = port;
            return this;
        }

        public Builder tls(boolean tls) {
            this.tls = tls;
            return this;
        }

        public Builder webSocket(boolean ws) {
            this.ws = ws;
            return this;
        }

        public Builder proxy(String proxyUri) {
            this.proxy = proxyUri;
            return this;
        }

        public Builder devicesFile(Path devicesFile) {
            this.devicesFile = devicesFile;
            return this;
        }

        /**
         * Devices derived from a product as the emulator does ({@code
         * AliyunProducts.deriveDeviceSecret}).
         */
        public Builder product(String productKey, String productSecret) {
            this.product =
                    productKey == null && productSecret == null
                            ? null
                            : new Product(productKey, productSecret);
            return this;
        }

        public Builder devicePrefix(String devicePrefix) {
            this.devicePrefix = Objects.requireNonNull(devicePrefix, "devicePrefix");
            return this;
        }

        public Builder replyTimeout(Duration replyTimeout) {
            this.replyTimeout = Objects.requireNonNull(replyTimeout, "replyTimeout");
            return this;
        }

        /**
         * Checks the options and builds them.
         *
         * @throws BenchRefusedException naming the option and the accepted values
         */
        public BenchOptions build() {
            checkQos(qos);
            if (devices < 1) {
                throw new BenchRefusedException("--devices must be at least 1, was " + devices);
            }
            if (!(connectRate > 0) || Double.isInfinite(connectRate)) {
                throw new BenchRefusedException(
                        "--connect-rate must be a positive number of connects per second, was "
                                + connectRate);
            }
            if (interval.compareTo(Duration.ofNanos(1000)) < 0) {
                throw new BenchRefusedException(
                        "--interval must be at least 1us, was " + interval.toNanos() + "ns");
            }
            if (duration.compareTo(Duration.ofMillis(1)) < 0) {
                throw new BenchRefusedException("--duration must be at least 1ms");
            }
            if (payloadBytes < MIN_PAYLOAD_BYTES || payloadBytes > MAX_PAYLOAD_BYTES) {
                throw new BenchRefusedException(
                        "--payload-bytes must be "
                                + MIN_PAYLOAD_BYTES
                                + ".."
                                + MAX_PAYLOAD_BYTES
                                + " (an Alink property post is at least "
                                + MIN_PAYLOAD_BYTES
                                + " bytes; the platform takes at most 256 KiB), was "
                                + payloadBytes);
            }
            if (inflight < 1 || inflight > MAX_INFLIGHT) {
                throw new BenchRefusedException(
                        "--inflight must be 1.." + MAX_INFLIGHT + ", was " + inflight);
            }
            if (downlinkRate < 0 || Double.isNaN(downlinkRate) || Double.isInfinite(downlinkRate)) {
                throw new BenchRefusedException(
                        "--downlink-rate must be 0 (off) or a positive rate, was " + downlinkRate);
            }
            if (port < 1 || port > 65535) {
                throw new BenchRefusedException("--port must be 1..65535, was " + port);
            }
            if (adminPort != null && (adminPort < 1 || adminPort > 65535)) {
                throw new BenchRefusedException("--admin-port must be 1..65535, was " + adminPort);
            }
            if (outbox != null && client != BenchClientKind.THINGFLUX) {
                throw new BenchRefusedException("--outbox works with the thingflux client only");
            }
            if (replyTimeout.isNegative() || replyTimeout.isZero()) {
                throw new BenchRefusedException("the reply timeout must be positive");
            }
            if (devicePrefix.isEmpty()
                    || devicePrefix.indexOf('/') >= 0
                    || devicePrefix.indexOf('&') >= 0) {
                throw new BenchRefusedException(
                        "--device-prefix must be non-empty, without '/' or '&'");
            }
            if (devicesFile != null && product != null) {
                throw new BenchRefusedException(
                        "give either --devices-file or --product, not both");
            }
            if (host == null) {
                if (devicesFile != null || product != null) {
                    throw new BenchRefusedException(
                            "--devices-file and --product need --host: without it the bench "
                                    + "provisions its own product in the emulator it starts");
                }
                if (adminPort != null) {
                    throw new BenchRefusedException(
                            "--admin-port needs --host: the emulator started in this process "
                                    + "has its own admin API");
                }
                if (tls) {
                    throw new BenchRefusedException("--tls needs --host");
                }
            } else {
                if (devicesFile == null && product == null) {
                    throw new BenchRefusedException(
                            "with --host, give the devices: --devices-file FILE (CSV pk,dn,secret)"
                                    + " or --product PRODUCT_KEY,PRODUCT_SECRET with --device-prefix");
                }
                if (downlinkRate > 0 && adminPort == null) {
                    throw new BenchRefusedException(
                            "--downlink-rate with --host needs --admin-port: property sets go "
                                    + "through the emulator's admin API");
                }
            }
            return new BenchOptions(clone());
        }

        /**
         * A copy; the source addresses are copied too, as picocli fills them into a list of its
         * own.
         */
        @Override
        protected Builder clone() {
            try {
                Builder copy = (Builder) super.clone();
                copy.sourceAddresses = List.copyOf(sourceAddresses);
                return copy;
            } catch (CloneNotSupportedException e) {
                throw new AssertionError(e);
            }
        }

        private static int checkQos(int qos) {
            if (qos != 0 && qos != 1) {
                throw new BenchRefusedException(
                        "--qos must be 0 or 1 (the platform has no QoS 2), was " + qos);
            }
            return qos;
        }
    }

    /**
     * A product whose device secrets are derived from its secret; the secret never appears in
     * {@link #toString()}.
     */
    private record Product(String key, String secret) {
        Product {
            if (key == null || secret == null) {
                throw new BenchRefusedException("--product takes PRODUCT_KEY,PRODUCT_SECRET");
            }
        }

        @Override
        public String toString() {
            return key + ",<redacted>";
        }
    }

    /** Reads {@code --product PRODUCT_KEY,PRODUCT_SECRET}. */
    private static final class ProductConverter implements CommandLine.ITypeConverter<Product> {
        @Override
        public Product convert(String value) {
            int comma = value.indexOf(',');
            if (comma <= 0 || comma == value.length() - 1) {
                throw new CommandLine.TypeConversionException(
                        "--product takes PRODUCT_KEY,PRODUCT_SECRET");
            }
            return new Product(value.substring(0, comma).trim(), value.substring(comma + 1).trim());
        }
    }

    /** Reads one IP address of {@code --source-ips}; a host name is refused, never resolved. */
    private static final class SourceAddressConverter
            implements CommandLine.ITypeConverter<InetAddress> {
        @Override
        public InetAddress convert(String value) {
            String s = value.trim();
            if (!s.matches("[0-9.]+|[0-9a-fA-F:]+")) {
                throw new CommandLine.TypeConversionException(
                        "--source-ips takes IP addresses, not names: '" + s + "'");
            }
            try {
                return InetAddress.getByName(s);
            } catch (UnknownHostException e) {
                throw new CommandLine.TypeConversionException(
                        "--source-ips: '" + s + "' is not an IP address");
            }
        }
    }

    /** Reads {@code --shard i/n}. */
    private static final class ShardConverter implements CommandLine.ITypeConverter<Shard> {
        @Override
        public Shard convert(String value) {
            try {
                return Shard.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    /** Reads {@code --client thingflux|hivemq|netty-codec}. */
    private static final class ClientConverter
            implements CommandLine.ITypeConverter<BenchClientKind> {
        @Override
        public BenchClientKind convert(String value) {
            try {
                return BenchClientKind.fromCliName(value);
            } catch (BenchRefusedException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    /** Parses {@code --outbox-fsync}. */
    static final class FsyncConverter implements CommandLine.ITypeConverter<FsyncPolicy> {
        @Override
        public FsyncPolicy convert(String value) {
            try {
                return FsyncPolicy.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
