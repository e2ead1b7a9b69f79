package io.thingflux.bench;

import com.sun.management.UnixOperatingSystemMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The operating-system limits that decide how many sockets one process can hold: the open-file
 * limit ({@code ulimit -n}) and the ephemeral port range ({@code net.ipv4.ip_local_port_range}),
 * which bounds the connections from one source address to one destination.
 *
 * @param maxOpenFiles the process's open-file limit, or {@link Long#MAX_VALUE} when unknown
 * @param portRangeLow the first ephemeral port
 * @param portRangeHigh the last ephemeral port
 */
public record SystemLimits(long maxOpenFiles, int portRangeLow, int portRangeHigh) {

    /** Where Linux publishes the ephemeral port range. */
    public static final Path PORT_RANGE_FILE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");

    /** Linux's default range, used when {@link #PORT_RANGE_FILE} cannot be read. */
    public static final int DEFAULT_PORT_LOW = 32768;

    public static final int DEFAULT_PORT_HIGH = 60999;

    public SystemLimits {
        if (maxOpenFiles < 1) {
            throw new IllegalArgumentException("maxOpenFiles must be positive");
        }
        if (portRangeLow < 1 || portRangeHigh > 65535 || portRangeLow > portRangeHigh) {
            throw new IllegalArgumentException(
                    "bad port range " + portRangeLow + "-" + portRangeHigh);
        }
    }

    /** The limits of this process, read from the JVM and {@code /proc}. */
    public static SystemLimits current() {
        long maxFds = Long.MAX_VALUE;
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof UnixOperatingSystemMXBean unix) {
            maxFds = unix.getMaxFileDescriptorCount();
        }
        int[] range = readPortRange(PORT_RANGE_FILE);
        return new SystemLimits(maxFds, range[0], range[1]);
    }

    /**
     * Reads a port range file such as {@link #PORT_RANGE_FILE} ("32768\t60999"); Linux's default
     * when absent.
     */
    static int[] readPortRange(Path file) {
        try {
            // read line-wise: /proc files report size 0, and a size-based read can stop after one
            // byte
            List<String> lines = Files.readAllLines(file);
            String[] parts = lines.isEmpty() ? new String[0] : lines.get(0).trim().split("\\s+");
            if (parts.length == 2) {
                return new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1])};
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux, or unreadable: assume the kernel default
        }
        return new int[] {DEFAULT_PORT_LOW, DEFAULT_PORT_HIGH};
    }

    /** How many ports the ephemeral range holds. */
    public int ephemeralPorts() {
        return portRangeHigh - portRangeLow + 1;
    }
}
