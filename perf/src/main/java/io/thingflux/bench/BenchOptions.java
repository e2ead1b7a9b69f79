package io.thingflux.bench;

import io.thingflux.mqtt.MqttQos;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What one bench run does, for the whole run (a shard takes its slice, see {@link Shard}). Immutable;
 * build with {@link #builder()}, which checks every value and refuses bad ones and bad combinations with
 * a {@link BenchRefusedException} saying what to change. The product secret never appears in
 * {@link #toString()}.
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
    /** Smallest post: the Alink envelope with a temperature and a one-character padding property. */
    public static final int MIN_PAYLOAD_BYTES = 112;
    /** Largest post the platform accepts (256 KiB). */
    public static final int MAX_PAYLOAD_BYTES = 256 * 1024;
    /** Posts of one device awaiting their reply, by default (emqtt-bench's default inflight is 1 too). */
    public static final int DEFAULT_INFLIGHT = 1;
    /** Most posts of one device awaiting their reply; the device API bounds its pending requests. */
    public static final int MAX_INFLIGHT = 1024;
    /** How long a post waits for its {@code _reply} before it counts as an error. */
    public static final Duration DEFAULT_REPLY_TIMEOUT = Duration.ofSeconds(10);
    /** MQTT keepalive of every simulated device (the platform accepts 30..1200 s). */
    public static final Duration DEFAULT_KEEP_ALIVE = Duration.ofSeconds(300);
    /** Device names are this prefix plus the device's index, by default. */
    public static final String DEFAULT_DEVICE_PREFIX = "bench-";
    /** Product key of the product provisioned in the embedded emulator. */
    public static final String EMBEDDED_PRODUCT_KEY = "a1BenchPrdct";

    private final int devices;
    private final double connectRate;
    private final Duration interval;
    private final Duration duration;
    private final MqttQos qos;
    private final int payloadBytes;
    private final int inflight;
    private final double downlinkRate;
    private final Integer adminPort;
    private final List<InetAddress> sourceAddresses;
    private final Shard shard;
    private final BenchClientKind client;
    private final String host;
    private final int port;
    private final boolean tls;
    private final Path devicesFile;
    private final String productKey;
    private final String productSecret;
    private final String devicePrefix;
    private final Duration replyTimeout;

    private BenchOptions(Builder b) {
        this.devices = b.devices;
        this.connectRate = b.connectRate;
        this.interval = b.interval;
        this.duration = b.duration;
        this.qos = b.qos;
        this.payloadBytes = b.payloadBytes;
        this.inflight = b.inflight;
        this.downlinkRate = b.downlinkRate;
        this.adminPort = b.adminPort;
        this.sourceAddresses = List.copyOf(b.sourceAddresses);
        this.shard = b.shard;
        this.client = b.client;
        this.host = b.host;
        this.port = b.port;
        this.tls = b.tls;
        this.devicesFile = b.devicesFile;
        this.productKey = b.productKey;
        this.productSecret = b.productSecret;
        this.devicePrefix = b.devicePrefix;
        this.replyTimeout = b.replyTimeout;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Devices of the whole run (all shards). */
    public int devices() {
        return devices;
    }

    /** Devices this process simulates. */
    public int shardDevices() {
        return shard.size(devices);
    }

    /** Connects per second of the whole run. */
    public double connectRate() {
        return connectRate;
    }

    public Duration interval() {
        return interval;
    }

    public Duration duration() {
        return duration;
    }

    public MqttQos qos() {
        return qos;
    }

    public int payloadBytes() {
        return payloadBytes;
    }

    public int inflight() {
        return inflight;
    }

    /** Property sets per second of the whole run through the admin API; 0 for none. */
    public double downlinkRate() {
        return downlinkRate;
    }

    /** The emulator's admin API port when it runs elsewhere ({@code --host}). */
    public Optional<Integer> adminPort() {
        return Optional.ofNullable(adminPort);
    }

    /** Local addresses the sockets are spread over, round-robin; empty for the system's choice. */
    public List<InetAddress> sourceAddresses() {
        return sourceAddresses;
    }

    public Shard shard() {
        return shard;
    }

    public BenchClientKind client() {
        return client;
    }

    /** The broker to load; empty for the emulator started in this process. */
    public Optional<String> host() {
        return Optional.ofNullable(host);
    }

    /** Whether the emulator runs in this process (no {@code --host}). */
    public boolean embedded() {
        return host == null;
    }

    public int port() {
        return port;
    }

    public boolean tls() {
        return tls;
    }

    public Optional<Path> devicesFile() {
        return Optional.ofNullable(devicesFile);
    }

    /** The product of derived devices ({@code --product}); the embedded emulator's product when embedded. */
    public Optional<String> productKey() {
        return Optional.ofNullable(productKey);
    }

    /** The product secret devices are derived from. Never log it. */
    public Optional<String> productSecret() {
        return Optional.ofNullable(productSecret);
    }

    public String devicePrefix() {
        return devicePrefix;
    }

    public Duration replyTimeout() {
        return replyTimeout;
    }

    /** The same options with another shard. */
    public BenchOptions withShard(Shard shard) {
        Builder b = toBuilder();
        b.shard = Objects.requireNonNull(shard, "shard");
        return b.build();
    }

    /** A builder holding these options. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.devices = devices;
        b.connectRate = connectRate;
        b.interval = interval;
        b.duration = duration;
        b.qos = qos;
        b.payloadBytes = payloadBytes;
        b.inflight = inflight;
        b.downlinkRate = downlinkRate;
        b.adminPort = adminPort;
        b.sourceAddresses = sourceAddresses;
        b.shard = shard;
        b.client = client;
        b.host = host;
        b.port = port;
        b.tls = tls;
        b.devicesFile = devicesFile;
        b.productKey = productKey;
        b.productSecret = productSecret;
        b.devicePrefix = devicePrefix;
        b.replyTimeout = replyTimeout;
        return b;
    }

    @Override
    public String toString() {
        return "BenchOptions[client=" + client.cliName()
                + ", devices=" + devices + ", shard=" + shard
                + ", connectRate=" + connectRate + "/s, interval=" + interval + ", duration=" + duration
                + ", qos=" + qos.code() + ", payloadBytes=" + payloadBytes + ", inflight=" + inflight
                + ", downlinkRate=" + downlinkRate + "/s, target=" + (host == null ? "embedded" : host + ":" + port)
                + (tls ? " (tls)" : "") + ", sourceAddresses=" + sourceAddresses
                + (devicesFile != null ? ", devicesFile=" + devicesFile : "")
                + (productKey != null ? ", product=" + productKey + ",<redacted>" : "") + "]";
    }

    /** Builds {@link BenchOptions}; {@link #build()} checks everything. */
    public static final class Builder {
        private int devices = DEFAULT_DEVICES;
        private double connectRate = DEFAULT_CONNECT_RATE;
        private Duration interval = DEFAULT_INTERVAL;
        private Duration duration = DEFAULT_DURATION;
        private MqttQos qos = MqttQos.AT_MOST_ONCE;
        private int payloadBytes = DEFAULT_PAYLOAD_BYTES;
        private int inflight = DEFAULT_INFLIGHT;
        private double downlinkRate;
        private Integer adminPort;
        private List<InetAddress> sourceAddresses = List.of();
        private Shard shard = Shard.WHOLE;
        private BenchClientKind client = BenchClientKind.THINGFLUX;
        private String host;
        private int port = 1883;
        private boolean tls;
        private Path devicesFile;
        private String productKey;
        private String productSecret;
        private String devicePrefix = DEFAULT_DEVICE_PREFIX;
        private Duration replyTimeout = DEFAULT_REPLY_TIMEOUT;

        private Builder() {
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

        /** 0 or 1; anything else is refused by {@link #build()}. */
        public Builder qos(int qos) {
            if (qos != 0 && qos != 1) {
                throw new BenchRefusedException("--qos must be 0 or 1 (the platform has no QoS 2), was " + qos);
            }
            this.qos = MqttQos.valueOf(qos);
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

        public Builder devicesFile(Path devicesFile) {
            this.devicesFile = devicesFile;
            return this;
        }

        /** Devices derived from a product as the emulator does ({@code AliyunProducts.deriveDeviceSecret}). */
        public Builder product(String productKey, String productSecret) {
            this.productKey = productKey;
            this.productSecret = productSecret;
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
            if (devices < 1) {
                throw new BenchRefusedException("--devices must be at least 1, was " + devices);
            }
            if (!(connectRate > 0) || Double.isInfinite(connectRate)) {
                throw new BenchRefusedException("--connect-rate must be a positive number of connects per second, was "
                        + connectRate);
            }
            if (interval.compareTo(Duration.ofNanos(1000)) < 0) {
                throw new BenchRefusedException("--interval must be at least 1us, was " + interval.toNanos() + "ns");
            }
            if (duration.compareTo(Duration.ofMillis(1)) < 0) {
                throw new BenchRefusedException("--duration must be at least 1ms");
            }
            if (payloadBytes < MIN_PAYLOAD_BYTES || payloadBytes > MAX_PAYLOAD_BYTES) {
                throw new BenchRefusedException("--payload-bytes must be " + MIN_PAYLOAD_BYTES + ".." + MAX_PAYLOAD_BYTES
                        + " (an Alink property post is at least " + MIN_PAYLOAD_BYTES
                        + " bytes; the platform takes at most 256 KiB), was " + payloadBytes);
            }
            if (inflight < 1 || inflight > MAX_INFLIGHT) {
                throw new BenchRefusedException("--inflight must be 1.." + MAX_INFLIGHT + ", was " + inflight);
            }
            if (downlinkRate < 0 || Double.isNaN(downlinkRate) || Double.isInfinite(downlinkRate)) {
                throw new BenchRefusedException("--downlink-rate must be 0 (off) or a positive rate, was " + downlinkRate);
            }
            if (port < 1 || port > 65535) {
                throw new BenchRefusedException("--port must be 1..65535, was " + port);
            }
            if (adminPort != null && (adminPort < 1 || adminPort > 65535)) {
                throw new BenchRefusedException("--admin-port must be 1..65535, was " + adminPort);
            }
            if (replyTimeout.isNegative() || replyTimeout.isZero()) {
                throw new BenchRefusedException("the reply timeout must be positive");
            }
            if (devicePrefix.isEmpty() || devicePrefix.indexOf('/') >= 0 || devicePrefix.indexOf('&') >= 0) {
                throw new BenchRefusedException("--device-prefix must be non-empty, without '/' or '&'");
            }
            if (devicesFile != null && productKey != null) {
                throw new BenchRefusedException("give either --devices-file or --product, not both");
            }
            if ((productKey == null) != (productSecret == null)) {
                throw new BenchRefusedException("--product takes PRODUCT_KEY,PRODUCT_SECRET");
            }
            if (host == null) {
                if (devicesFile != null || productKey != null) {
                    throw new BenchRefusedException("--devices-file and --product need --host: without it the bench "
                            + "provisions its own product in the emulator it starts");
                }
                if (adminPort != null) {
                    throw new BenchRefusedException("--admin-port needs --host: the emulator started in this process "
                            + "has its own admin API");
                }
                if (tls) {
                    throw new BenchRefusedException("--tls needs --host");
                }
            } else {
                if (devicesFile == null && productKey == null) {
                    throw new BenchRefusedException("with --host, give the devices: --devices-file FILE (CSV pk,dn,secret)"
                            + " or --product PRODUCT_KEY,PRODUCT_SECRET with --device-prefix");
                }
                if (downlinkRate > 0 && adminPort == null) {
                    throw new BenchRefusedException("--downlink-rate with --host needs --admin-port: property sets go "
                            + "through the emulator's admin API");
                }
            }
            return new BenchOptions(this);
        }
    }
}
