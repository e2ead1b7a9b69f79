package io.thingflux.emulator.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmulatorOptionsTest {

    @TempDir Path dir;

    @Test
    void aDevicesFileIsReadSkippingCommentsAndBlankLines() throws Exception {
        Path csv = dir.resolve("devices.csv");
        Files.writeString(
                csv, "# productKey,deviceName,deviceSecret\n pk1 , dn1 , s1 \n\npk1,dn2,s2\n");
        EmulatorOptions o = EmulatorOptions.builder().devicesFile(csv).build();
        assertThat(o.devices())
                .extracting(d -> d.productKey() + "/" + d.deviceName() + "/" + d.deviceSecret())
                .containsExactly("pk1/dn1/s1", "pk1/dn2/s2");
    }

    @Test
    void aMalformedDevicesFileLineIsNamedWithoutItsSecret() throws Exception {
        Path csv = dir.resolve("devices.csv");
        Files.writeString(csv, "pk1,dn1,s1\npk1,dn2,top-secret,extra\n");
        assertThatThrownBy(() -> EmulatorOptions.builder().devicesFile(csv))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("line 2")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("top-secret"));
    }

    @Test
    void secretsNeverAppearInToString() {
        EmulatorOptions o =
                EmulatorOptions.builder()
                        .device("pk1,dn1,device-secret")
                        .product("pk2,product-secret")
                        .app("tool:app-password")
                        .adminToken("admin-token")
                        .build();
        assertThat(o.toString())
                .doesNotContain("device-secret", "product-secret", "app-password", "admin-token")
                .contains("pk2", "tool");
    }

    @Test
    void aliyunModeNeedsSomeoneToAuthenticate() {
        assertThatThrownBy(() -> EmulatorOptions.builder().build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(EmulatorOptions.builder().authMode(AuthMode.NONE).build().authMode())
                .isEqualTo(AuthMode.NONE);
    }

    @Test
    void malformedProductAndAppArgumentsAreRejected() {
        assertThatThrownBy(() -> EmulatorOptions.builder().product("pk-only"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> EmulatorOptions.builder().app("no-colon"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> EmulatorOptions.builder().port(70_000))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void mutateChangesACopyAndLeavesTheOptionsAsTheyWere() {
        EmulatorOptions o =
                EmulatorOptions.builder()
                        .device("pk1,dn1,s1")
                        .product("pk2,ps2")
                        .port(0)
                        .maxInflight(4)
                        .build();
        EmulatorOptions changed =
                o.mutate()
                        .device("pk1,dn2,s2")
                        .product("pk3,ps3")
                        .app("tool:pw")
                        .port(1884)
                        .build();
        assertThat(changed.devices()).extracting(d -> d.deviceName()).containsExactly("dn1", "dn2");
        assertThat(changed.products()).containsOnlyKeys("pk2", "pk3");
        assertThat(changed.apps()).containsOnlyKeys("tool");
        assertThat(changed.port()).isEqualTo(1884);
        assertThat(changed.maxInflight()).isEqualTo(4);
        assertThat(o.devices()).extracting(d -> d.deviceName()).containsExactly("dn1");
        assertThat(o.products()).containsOnlyKeys("pk2");
        assertThat(o.apps()).isEmpty();
        assertThat(o.port()).isZero();
    }

    @Test
    void defaultsAreTheNamedConstants() {
        EmulatorOptions o = EmulatorOptions.builder().authMode(AuthMode.NONE).build();
        assertThat(o.host()).isEqualTo(EmulatorOptions.DEFAULT_HOST);
        assertThat(o.port()).isEqualTo(EmulatorOptions.DEFAULT_PORT);
        assertThat(o.adminHost()).isEqualTo(EmulatorOptions.DEFAULT_ADMIN_HOST);
        assertThat(EmulatorOptions.builder().app("a:b").build().authMode())
                .isEqualTo(EmulatorOptions.DEFAULT_AUTH_MODE);
        assertThat(o.maxPacketSize()).isEqualTo(EmulatorOptions.DEFAULT_MAX_PACKET_SIZE);
        assertThat(o.connectTimeout()).isEqualTo(EmulatorOptions.DEFAULT_CONNECT_TIMEOUT);
        assertThat(o.offlineQueueLimit()).isEqualTo(EmulatorOptions.DEFAULT_OFFLINE_QUEUE_LIMIT);
        assertThat(o.maxInflight()).isEqualTo(EmulatorOptions.DEFAULT_MAX_INFLIGHT);
        assertThat(o.pendingLimit()).isEqualTo(EmulatorOptions.DEFAULT_PENDING_LIMIT);
        assertThat(o.maxRetained()).isEqualTo(EmulatorOptions.DEFAULT_MAX_RETAINED);
        assertThat(o.maxSubscriptions()).isEqualTo(EmulatorOptions.DEFAULT_MAX_SUBSCRIPTIONS);
        assertThat(o.eventLoopThreads()).isEqualTo(EmulatorOptions.DEFAULT_EVENT_LOOP_THREADS);
    }
}
