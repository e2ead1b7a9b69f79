package io.thingflux.serial;

import static org.assertj.core.api.Assertions.assertThat;

import io.thingflux.aliyun.AliyunDeviceIdentity;
import io.thingflux.link.ReconnectPolicy;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Defaults, derived values and mutate() of the driver options. */
class Ec600sOptionsTest {

    private static final AliyunDeviceIdentity DEVICE =
            new AliyunDeviceIdentity("a1Pk", "dev1", "secret");

    @Test
    void defaultsAreTheNamedConstants() {
        Ec600sOptions o = Ec600sOptions.builder().aliyunDevice(DEVICE).build();
        assertThat(o.port()).isEqualTo(Ec600sOptions.DEFAULT_PORT);
        assertThat(o.clientIndex()).isEqualTo(Ec600sOptions.DEFAULT_CLIENT_INDEX);
        assertThat(o.keepAlive()).isEqualTo(Ec600sOptions.DEFAULT_KEEP_ALIVE);
        assertThat(o.cleanSession()).isEqualTo(Ec600sOptions.DEFAULT_CLEAN_SESSION);
        assertThat(o.subscriptionBuffer()).isEqualTo(Ec600sOptions.DEFAULT_SUBSCRIPTION_BUFFER);
        assertThat(o.reconnectPolicy()).isEqualTo(Ec600sOptions.DEFAULT_RECONNECT_POLICY);
        // the delays of the former reconnectDelay(1 s, 60 s) default
        assertThat(o.reconnectPolicy().initialDelay()).isEqualTo(Duration.ofSeconds(1));
        assertThat(o.reconnectPolicy().maxDelay()).isEqualTo(Duration.ofSeconds(60));
        assertThat(o.reconnectPolicy().maxAttempts()).isEqualTo(ReconnectPolicy.UNLIMITED);
        assertThat(o.host()).isEqualTo("a1Pk.iot-as-mqtt.cn-shanghai.aliyuncs.com");
        assertThat(o.clientId()).isEqualTo("a1Pk.dev1");
    }

    @Test
    void mutateCopiesEverySettingAndLeavesTheOriginalAlone() {
        ReconnectPolicy policy = ReconnectPolicy.exponential().withMaxAttempts(3);
        Ec600sOptions o =
                Ec600sOptions.builder()
                        .broker("b.example", 8883)
                        .clientId("c")
                        .credentials("u", "p")
                        .clientIndex(2)
                        .keepAlive(Duration.ofSeconds(30))
                        .cleanSession(false)
                        .packetTimeout(Duration.ofSeconds(7), 2)
                        .publishDialect(PublishDialect.QMTPUB)
                        .maxPayload(100)
                        .apn("apn", "au", "ap", 1)
                        .registrationTimeout(Duration.ofSeconds(9))
                        .openTimeout(Duration.ofSeconds(8))
                        .pdpTimeout(Duration.ofSeconds(11))
                        .reconnectPolicy(policy)
                        .subscriptionBuffer(5)
                        .urcPort("uart1")
                        .build();
        Ec600sOptions copy = o.mutate().build();
        assertThat(copy).usingRecursiveComparison().isEqualTo(o);
        assertThat(copy.toString()).isEqualTo(o.toString());

        Ec600sOptions changed =
                o.mutate().clientIndex(3).reconnectPolicy(ReconnectPolicy.none()).build();
        assertThat(changed.clientIndex()).isEqualTo(3);
        assertThat(changed.reconnectPolicy()).isEqualTo(ReconnectPolicy.none());
        assertThat(o.clientIndex()).isEqualTo(2);
        assertThat(o.reconnectPolicy()).isEqualTo(policy);
    }

    @Test
    void derivedHostAndClientIdFollowTheDeviceOfTheCopy() {
        Ec600sOptions o = Ec600sOptions.builder().aliyunDevice(DEVICE).build();
        Ec600sOptions other =
                o.mutate().aliyunDevice(new AliyunDeviceIdentity("a2Pk", "dev2", "s")).build();
        assertThat(other.host()).startsWith("a2Pk.");
        assertThat(other.clientId()).isEqualTo("a2Pk.dev2");
        assertThat(o.clientId()).isEqualTo("a1Pk.dev1");
    }
}
