package io.thingflux.bench;

/**
 * Refuses, before anything starts, a device count this process cannot hold: every simulated device
 * needs one open file for its socket (two when the emulator runs in the same process, which holds
 * the other end) and one ephemeral port per source address. Running out half way shows up as {@code
 * EMFILE}/{@code EADDRNOTAVAIL} failures that look like a slow broker, the most common trap of load
 * tools (emqtt-bench #24, #46, #221), so the bench says so up front instead.
 */
public final class DeviceCapacity {

    /**
     * Open files kept aside for the JVM itself: jars, epoll and pipe descriptors, listening
     * sockets, reports.
     */
    public static final int RESERVED_FILES = 256;

    private DeviceCapacity() {}

    /** Open files one simulated device costs this process. */
    public static int filesPerDevice(BenchOptions options) {
        return options.embedded() ? 2 : 1;
    }

    /** Open files this process needs for {@code options}. */
    public static long filesNeeded(BenchOptions options) {
        return (long) options.shardDevices() * filesPerDevice(options) + RESERVED_FILES;
    }

    /** Connections the busiest source address makes. */
    public static int connectionsPerSourceAddress(BenchOptions options) {
        int sources = Math.max(1, options.sourceAddresses().size());
        return (options.shardDevices() + sources - 1) / sources;
    }

    /**
     * A warning when the busiest source address makes more connections than half its ephemeral port
     * range, else {@code null}. Linux hands {@code connect()} the even ports of the range first and
     * leaves the odd ones to {@code bind()}; once the even ones are taken every further {@code
     * connect()} searches the range, on the thread that connects. Measured on loopback (2026-11-23,
     * 18,000 devices at 2,000/s from 127.0.0.1): connects stalled for about 3 s at 14,112 and the
     * post p99 was 2.4-4.3 s; over {@code --source-ips 127.0.0.1,127.0.0.2} the ramp held 2,000/s
     * and the post p99 was 72 ms.
     */
    public static String portSearchWarning(BenchOptions options, SystemLimits limits) {
        int perSource = connectionsPerSourceAddress(options);
        int half = limits.ephemeralPorts() / 2;
        if (perSource <= half) {
            return null;
        }
        int sources = Math.max(1, options.sourceAddresses().size());
        int neededSources = (options.shardDevices() + half - 1) / half;
        return String.format(
                "%d connections from one source address are more than half of the ephemeral port range "
                        + "%d-%d (%d): past the even ports Linux searches the range on every connect(), which stalls the "
                        + "ramp for seconds. Spread them over at least %d addresses with --source-ips (every 127.0.0.x "
                        + "works on loopback)%s.",
                perSource,
                limits.portRangeLow(),
                limits.portRangeHigh(),
                half,
                neededSources,
                sources == 1 ? "" : " or give more of them");
    }

    /**
     * Checks {@code options} against {@code limits}.
     *
     * @throws BenchRefusedException saying which limit is short, by how much, and what to do about
     *     it
     */
    public static void check(BenchOptions options, SystemLimits limits) {
        int devices = options.shardDevices();
        long needed = filesNeeded(options);
        if (needed > limits.maxOpenFiles()) {
            long fit =
                    Math.max(0, (limits.maxOpenFiles() - RESERVED_FILES) / filesPerDevice(options));
            throw new BenchRefusedException(
                    String.format(
                            "%d devices need about %d open files (%d per device%s, plus %d for the JVM) but the open-file limit "
                                    + "of this process is %d (ulimit -n): at most %d devices fit. %s",
                            devices,
                            needed,
                            filesPerDevice(options),
                            options.embedded() ? " with the emulator in the same process" : "",
                            RESERVED_FILES,
                            limits.maxOpenFiles(),
                            fit,
                            options.embedded()
                                    ? "Lower --devices, raise ulimit -n, run the emulator in its own process and give --host, "
                                            + "or split the run with --shard i/n over several processes."
                                    : "Lower --devices, raise ulimit -n, or split the run with --shard i/n over several processes."));
        }
        int perSource = connectionsPerSourceAddress(options);
        if (perSource > limits.ephemeralPorts()) {
            int sources = Math.max(1, options.sourceAddresses().size());
            int neededSources = (devices + limits.ephemeralPorts() - 1) / limits.ephemeralPorts();
            throw new BenchRefusedException(
                    String.format(
                            "%d devices over %d source address%s make %d connections from one address, but the ephemeral port "
                                    + "range %d-%d (net.ipv4.ip_local_port_range) gives only %d per address. Give at least %d "
                                    + "addresses with --source-ips (every 127.0.0.x works on loopback, e.g. "
                                    + "--source-ips 127.0.0.1,127.0.0.2), widen the port range, or split the run with --shard i/n.",
                            devices,
                            sources,
                            sources == 1 ? "" : "es",
                            perSource,
                            limits.portRangeLow(),
                            limits.portRangeHigh(),
                            limits.ephemeralPorts(),
                            neededSources));
        }
    }
}
