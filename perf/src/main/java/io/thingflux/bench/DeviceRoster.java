package io.thingflux.bench;

import io.thingflux.aliyun.AliyunDeviceIdentity;
import io.thingflux.aliyun.AliyunProducts;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The device triples a shard simulates: read from a CSV file ({@code
 * productKey,deviceName,deviceSecret} per line) or derived from a product secret as the emulator
 * derives them ({@link AliyunProducts#deriveDeviceSecret}), named {@code prefix + index} over the
 * whole run so that shards never share a device.
 */
public final class DeviceRoster {

    private DeviceRoster() {}

    /**
     * Devices {@code [first, end)} of the run derived from the product: names {@code prefix +
     * index}.
     */
    public static List<AliyunDeviceIdentity> derived(
            String productKey, String productSecret, String prefix, int first, int end) {
        List<AliyunDeviceIdentity> out = new ArrayList<>(Math.max(0, end - first));
        for (int i = first; i < end; i++) {
            out.add(AliyunProducts.deriveDevice(productKey, productSecret, prefix + i));
        }
        return out;
    }

    /** The devices of {@code shard} out of {@code total} derived from the product. */
    public static List<AliyunDeviceIdentity> derived(
            String productKey, String productSecret, String prefix, int total, Shard shard) {
        return derived(productKey, productSecret, prefix, shard.first(total), shard.end(total));
    }

    /**
     * Reads the triples of a CSV file: one {@code productKey,deviceName,deviceSecret} per line;
     * blank lines, lines starting with {@code #} and a header line naming the columns are skipped.
     *
     * @throws BenchRefusedException naming the file and line of a malformed entry (never echoing a
     *     secret)
     */
    public static List<AliyunDeviceIdentity> readCsv(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new BenchRefusedException(
                    "cannot read --devices-file " + file + ": " + e.getMessage());
        }
        List<AliyunDeviceIdentity> out = new ArrayList<>(lines.size());
        for (int n = 0; n < lines.size(); n++) {
            String line = lines.get(n).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] cols = line.split(",", -1);
            if (out.isEmpty()
                    && cols.length == 3
                    && cols[2].strip().toLowerCase().contains("secret")) {
                continue; // header
            }
            if (cols.length != 3) {
                throw new BenchRefusedException(
                        file
                                + " line "
                                + (n + 1)
                                + ": expected productKey,deviceName,deviceSecret"
                                + " (3 columns), found "
                                + cols.length);
            }
            try {
                out.add(
                        new AliyunDeviceIdentity(
                                cols[0].strip(), cols[1].strip(), cols[2].strip()));
            } catch (IllegalArgumentException e) {
                throw new BenchRefusedException(file + " line " + (n + 1) + ": " + e.getMessage());
            }
        }
        return out;
    }

    /** The slice of {@code all} that {@code shard} simulates. */
    public static List<AliyunDeviceIdentity> slice(List<AliyunDeviceIdentity> all, Shard shard) {
        return List.copyOf(all.subList(shard.first(all.size()), shard.end(all.size())));
    }
}
