package io.thingflux.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class BenchOptionsTest {

    private static BenchOptions.Builder remote() {
        return BenchOptions.builder().host("127.0.0.1").product("a1PK", "productSecretValue");
    }

    @Test
    void defaultsRunTheEmbeddedEmulatorWithTheThingfluxClient() {
        BenchOptions o = BenchOptions.builder().build();
        assertThat(o.embedded()).isTrue();
        assertThat(o.client()).isEqualTo(BenchClientKind.THINGFLUX);
        assertThat(o.devices()).isEqualTo(BenchOptions.DEFAULT_DEVICES);
        assertThat(o.shardDevices()).isEqualTo(BenchOptions.DEFAULT_DEVICES);
    }

    @Test
    void refusesBadValuesNamingTheOption() {
        assertRefused(BenchOptions.builder().devices(0), "--devices must be at least 1");
        assertRefused(BenchOptions.builder().connectRate(0), "--connect-rate must be a positive");
        assertRefused(
                BenchOptions.builder().interval(Duration.ZERO), "--interval must be at least 1us");
        assertRefused(
                BenchOptions.builder().payloadBytes(10), "--payload-bytes must be 112..262144");
        assertRefused(
                BenchOptions.builder().payloadBytes(300_000),
                "--payload-bytes must be 112..262144");
        assertRefused(BenchOptions.builder().inflight(0), "--inflight must be 1..1024");
        assertRefused(BenchOptions.builder().downlinkRate(-1), "--downlink-rate must be 0");
        assertThatThrownBy(() -> BenchOptions.builder().qos(2))
                .isInstanceOf(BenchRefusedException.class)
                .hasMessageContaining("--qos must be 0 or 1");
    }

    @Test
    void refusesOptionsThatOnlyMakeSenseWithAHost() {
        assertRefused(
                BenchOptions.builder().product("a1PK", "s"),
                "--devices-file and --product need --host");
        assertRefused(
                BenchOptions.builder().devicesFile(Path.of("d.csv")),
                "--devices-file and --product need --host");
        assertRefused(BenchOptions.builder().adminPort(8080), "--admin-port needs --host");
        assertRefused(BenchOptions.builder().tls(true), "--tls needs --host");
    }

    @Test
    void aHostNeedsDevicesAndDownlinksNeedTheAdminPort() {
        assertRefused(
                BenchOptions.builder().host("broker"), "give the devices: --devices-file FILE");
        assertRefused(
                remote().devicesFile(Path.of("d.csv")),
                "either --devices-file or --product, not both");
        assertRefused(remote().downlinkRate(5), "--downlink-rate with --host needs --admin-port");
        assertThat(remote().downlinkRate(5).adminPort(9090).build().adminPort()).contains(9090);
    }

    @Test
    void sourceAddressesWorkWithBothClients() throws Exception {
        var sources = java.util.List.of(java.net.InetAddress.getByName("127.0.0.2"));
        assertThat(BenchOptions.builder().sourceAddresses(sources).build().sourceAddresses())
                .isEqualTo(sources);
        assertThat(
                        BenchOptions.builder()
                                .sourceAddresses(sources)
                                .client(BenchClientKind.HIVEMQ)
                                .build()
                                .sourceAddresses())
                .isEqualTo(sources);
    }

    @Test
    void anOutboxDirectoryKeepsEachDevicesOutboxInAFileLogForTheThingfluxClientOnly() {
        assertThat(BenchOptions.builder().build().outbox()).isEmpty();
        BenchOptions o =
                BenchOptions.builder()
                        .outbox(Path.of("ob"), io.thingflux.link.outbox.FsyncPolicy.never())
                        .build();
        assertThat(o.outbox()).get().extracting(f -> f.directory()).isEqualTo(Path.of("ob"));
        assertThat(o.outbox().get().fsync().isNever()).isTrue();
        assertThat(o.toString()).contains("outbox=ob fsync never");
        assertRefused(
                BenchOptions.builder()
                        .outbox(Path.of("ob"), io.thingflux.link.outbox.FsyncPolicy.never())
                        .client(BenchClientKind.HIVEMQ),
                "--outbox works with the thingflux client only");
    }

    @Test
    void aShardSimulatesItsSliceOfTheDevices() {
        BenchOptions o = BenchOptions.builder().devices(10).shard(new Shard(2, 3)).build();
        assertThat(o.devices()).isEqualTo(10);
        assertThat(o.shardDevices()).isEqualTo(4); // 6..9
    }

    @Test
    void toStringNeverShowsTheProductSecret() {
        assertThat(remote().build().toString())
                .contains("a1PK")
                .doesNotContain("productSecretValue");
    }

    private static void assertRefused(BenchOptions.Builder builder, String message) {
        assertThatThrownBy(builder::build)
                .isInstanceOf(BenchRefusedException.class)
                .hasMessageContaining(message);
    }
}
