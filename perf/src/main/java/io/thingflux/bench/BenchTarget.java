package io.thingflux.bench;

import io.thingflux.aliyun.AliyunDeviceIdentity;
import io.thingflux.emulator.platform.AliyunPlatformEmulator;
import io.thingflux.emulator.platform.EmulatorOptions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * What a run loads: the broker's address, the devices of this shard, and the way to send property
 * sets. Either the emulator started in this process (no {@code --host}) or a broker given by {@code
 * --host}.
 */
public final class BenchTarget implements AutoCloseable {

    /**
     * Environment variable holding the admin API's bearer token, when the emulator was started with
     * one.
     */
    public static final String ADMIN_TOKEN_ENV = "THINGFLUX_ADMIN_TOKEN";

    private static final String LOOPBACK = "127.0.0.1";

    private final String host;
    private final int port;
    private final List<AliyunDeviceIdentity> devices;
    private final DownlinkSender downlinks;
    private final AutoCloseable resource;

    private BenchTarget(
            String host,
            int port,
            List<AliyunDeviceIdentity> devices,
            DownlinkSender downlinks,
            AutoCloseable resource) {
        this.host = host;
        this.port = port;
        this.devices = List.copyOf(devices);
        this.downlinks = downlinks;
        this.resource = resource;
    }

    /**
     * Opens the target of {@code options}: starts and provisions the emulator when embedded, or
     * reads the devices of this shard for {@code --host}.
     *
     * @throws BenchRefusedException when the target cannot be opened as asked
     */
    public static BenchTarget open(BenchOptions options) {
        if (options.embedded()) {
            return embedded(options);
        }
        List<AliyunDeviceIdentity> devices;
        if (options.devicesFile().isPresent()) {
            List<AliyunDeviceIdentity> all = DeviceRoster.readCsv(options.devicesFile().get());
            if (all.size() < options.devices()) {
                throw new BenchRefusedException(
                        "--devices "
                                + options.devices()
                                + " but "
                                + options.devicesFile().get()
                                + " holds only "
                                + all.size()
                                + " devices");
            }
            devices = DeviceRoster.slice(all.subList(0, options.devices()), options.shard());
        } else {
            devices =
                    DeviceRoster.derived(
                            options.productKey().orElseThrow(),
                            options.productSecret().orElseThrow(),
                            options.devicePrefix(),
                            options.devices(),
                            options.shard());
        }
        String host = options.host().orElseThrow();
        DownlinkSender downlinks =
                options.adminPort()
                        .map(
                                p ->
                                        (DownlinkSender)
                                                new AdminApiDownlinkSender(host, p, adminToken()))
                        .orElse(null);
        return new BenchTarget(host, options.port(), devices, downlinks, null);
    }

    /**
     * Starts the emulator on free loopback ports (MQTT and admin API), provisions a product with a
     * fresh random secret and derives this shard's devices from it.
     */
    private static BenchTarget embedded(BenchOptions options) {
        byte[] random = new byte[16];
        new SecureRandom().nextBytes(random);
        String productSecret = HexFormat.of().formatHex(random);
        String pk = BenchOptions.EMBEDDED_PRODUCT_KEY;
        AliyunPlatformEmulator emulator =
                AliyunPlatformEmulator.start(
                        EmulatorOptions.builder()
                                .host(LOOPBACK)
                                .port(0)
                                .adminHost(LOOPBACK)
                                .adminPort(0)
                                .product(pk, productSecret)
                                .wsPort(options.webSocket() ? 0 : null)
                                .build());
        try {
            List<AliyunDeviceIdentity> devices =
                    DeviceRoster.derived(
                            pk,
                            productSecret,
                            options.devicePrefix(),
                            options.devices(),
                            options.shard());
            int adminPort = emulator.adminAddress().orElseThrow().getPort();
            return new BenchTarget(
                    LOOPBACK,
                    options.webSocket()
                            ? emulator.wsAddress().orElseThrow().getPort()
                            : emulator.mqttAddress().getPort(),
                    devices,
                    new AdminApiDownlinkSender(LOOPBACK, adminPort, null),
                    emulator);
        } catch (RuntimeException e) {
            emulator.close();
            throw e;
        }
    }

    /**
     * The admin API token from {@value #ADMIN_TOKEN_ENV}, if set (kept out of the command line and
     * its history).
     */
    static String adminToken() {
        String t = System.getenv(ADMIN_TOKEN_ENV);
        return t == null || t.isBlank() ? null : t;
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    /** The devices this shard simulates, in connect order. */
    public List<AliyunDeviceIdentity> devices() {
        return devices;
    }

    /** How property sets are sent, when the run sends any. */
    public Optional<DownlinkSender> downlinks() {
        return Optional.ofNullable(downlinks);
    }

    /** Stops the emulator if this target started one. */
    @Override
    public void close() {
        if (resource != null) {
            try {
                resource.close();
            } catch (Exception e) {
                // stopping the emulator at the end of a run: nothing left to protect
            }
        }
    }
}
