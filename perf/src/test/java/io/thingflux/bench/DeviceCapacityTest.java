package io.thingflux.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.management.UnixOperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeviceCapacityTest {

    /** The CI box: ulimit -n 20000, default port range. */
    private static final SystemLimits CI_BOX = new SystemLimits(20_000, 32768, 60999);

    private static BenchOptions remote(int devices) {
        return BenchOptions.builder()
                .devices(devices)
                .host("127.0.0.1")
                .product("a1PK", "ps")
                .build();
    }

    @Test
    void theEmbeddedEmulatorCostsTwoFilesPerDeviceSoNineThousandFitAndTenThousandDoNot() {
        assertThatCode(
                        () ->
                                DeviceCapacity.check(
                                        BenchOptions.builder().devices(9_000).build(), CI_BOX))
                .doesNotThrowAnyException();
        assertThatThrownBy(
                        () ->
                                DeviceCapacity.check(
                                        BenchOptions.builder().devices(10_000).build(), CI_BOX))
                .isInstanceOf(BenchRefusedException.class)
                .hasMessageContaining("10000 devices need about 20256 open files")
                .hasMessageContaining("open-file limit of this process is 20000 (ulimit -n)")
                .hasMessageContaining("at most 9872 devices fit")
                .hasMessageContaining("--host")
                .hasMessageContaining("--shard");
    }

    @Test
    void aRemoteBrokerCostsOneFilePerDevice() {
        assertThatCode(() -> DeviceCapacity.check(remote(19_000).withShard(Shard.WHOLE), CI_BOX))
                .doesNotThrowAnyException();
        assertThatThrownBy(() -> DeviceCapacity.check(remote(19_800), CI_BOX))
                .hasMessageContaining(
                        "19800 devices need about 20056 open files (1 per device, plus 256 for the JVM)");
    }

    @Test
    void aShardIsCheckedForItsOwnSlice() {
        assertThatCode(
                        () ->
                                DeviceCapacity.check(
                                        remote(60_000).withShard(new Shard(0, 4)), CI_BOX))
                .doesNotThrowAnyException();
    }

    @Test
    void moreConnectionsFromOneAddressThanThePortRangeAreRefusedUnlessSourceAddressesSpreadThem()
            throws Exception {
        SystemLimits manyFiles = new SystemLimits(1_000_000, 32768, 60999);
        assertThatThrownBy(() -> DeviceCapacity.check(remote(30_000), manyFiles))
                .isInstanceOf(BenchRefusedException.class)
                .hasMessageContaining(
                        "30000 devices over 1 source address make 30000 connections from one address")
                .hasMessageContaining("port range 32768-60999")
                .hasMessageContaining("only 28232 per address")
                .hasMessageContaining("at least 2 addresses with --source-ips");
        BenchOptions spread =
                remote(30_000)
                        .mutate()
                        .client(BenchClientKind.HIVEMQ)
                        .sourceAddresses(
                                List.of(
                                        InetAddress.getByName("127.0.0.1"),
                                        InetAddress.getByName("127.0.0.2")))
                        .build();
        assertThat(DeviceCapacity.connectionsPerSourceAddress(spread)).isEqualTo(15_000);
        assertThatCode(() -> DeviceCapacity.check(spread, manyFiles)).doesNotThrowAnyException();
    }

    @Test
    void
            connectionsPastHalfThePortRangeFromOneAddressAreWarnedAboutUnlessSourceAddressesSpreadThem()
                    throws Exception {
        assertThat(DeviceCapacity.portSearchWarning(remote(14_116), CI_BOX)).isNull();
        assertThat(DeviceCapacity.portSearchWarning(remote(18_000), CI_BOX))
                .contains("18000 connections from one source address")
                .contains("32768-60999 (14116)")
                .contains("at least 2 addresses with --source-ips");
        assertThatCode(() -> DeviceCapacity.check(remote(18_000), CI_BOX))
                .doesNotThrowAnyException(); // a warning only
        BenchOptions spread =
                remote(18_000)
                        .mutate()
                        .sourceAddresses(
                                List.of(
                                        InetAddress.getByName("127.0.0.1"),
                                        InetAddress.getByName("127.0.0.2")))
                        .build();
        assertThat(DeviceCapacity.portSearchWarning(spread, CI_BOX)).isNull();
    }

    @Test
    void currentLimitsComeFromTheOperatingSystem(@TempDir Path dir) throws Exception {
        Path fake = dir.resolve("range");
        Files.writeString(fake, "40000 40999\n");
        assertThat(SystemLimits.readPortRange(fake)).containsExactly(40000, 40999);
        SystemLimits now = SystemLimits.current();
        var os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof UnixOperatingSystemMXBean unix) {
            assertThat(now.maxOpenFiles()).isEqualTo(unix.getMaxFileDescriptorCount());
        }
        if (Files.isReadable(SystemLimits.PORT_RANGE_FILE)) {
            String[] range =
                    Files.readAllLines(SystemLimits.PORT_RANGE_FILE).get(0).trim().split("\\s+");
            assertThat(now.portRangeLow()).isEqualTo(Integer.parseInt(range[0]));
            assertThat(now.portRangeHigh()).isEqualTo(Integer.parseInt(range[1]));
        }
    }

    @Test
    void aPortRangeFileIsReadAndAMissingOneMeansTheKernelDefault(@TempDir Path dir)
            throws Exception {
        Path f = dir.resolve("range");
        Files.writeString(f, "1025\t65000\n");
        assertThat(SystemLimits.readPortRange(f)).containsExactly(1025, 65000);
        assertThat(SystemLimits.readPortRange(dir.resolve("absent"))).containsExactly(32768, 60999);
    }
}
