package io.thingflux.aliyun;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.thingflux.mqtt.Connect;
import io.thingflux.mqtt.MqttQos;
import io.thingflux.mqtt.Will;
import org.junit.jupiter.api.Test;

class AliyunLimitsTest {

    @Test
    void keepaliveMustBeWithin30And1200Seconds() {
        assertThat(AliyunLimits.requireKeepAlive(30)).isEqualTo(30);
        assertThat(AliyunLimits.requireKeepAlive(1200)).isEqualTo(1200);
        assertThatThrownBy(() -> AliyunLimits.requireKeepAlive(29))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("30..1200");
        assertThatThrownBy(() -> AliyunLimits.requireKeepAlive(1201))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AliyunLimits.requireKeepAlive(0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void clampMovesKeepaliveIntoTheAcceptedRange() {
        assertThat(AliyunLimits.clampKeepAlive(0)).isEqualTo(30);
        assertThat(AliyunLimits.clampKeepAlive(300)).isEqualTo(300);
        assertThat(AliyunLimits.clampKeepAlive(65535)).isEqualTo(1200);
    }

    @Test
    void qos2IsRefusedQos0And1Pass() {
        assertThat(AliyunLimits.requireQos(MqttQos.AT_MOST_ONCE)).isEqualTo(MqttQos.AT_MOST_ONCE);
        assertThat(AliyunLimits.requireQos(MqttQos.AT_LEAST_ONCE)).isEqualTo(MqttQos.AT_LEAST_ONCE);
        assertThatThrownBy(() -> AliyunLimits.requireQos(MqttQos.EXACTLY_ONCE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("QoS 2");
    }

    @Test
    void willAndRetainAreRefused() {
        assertThatThrownBy(() -> AliyunLimits.requireNoRetain(true))
                .isInstanceOf(IllegalArgumentException.class);
        AliyunLimits.requireNoRetain(false);
        Connect withWill =
                new Connect(
                        Connect.MQTT_3_1_1,
                        "c",
                        true,
                        300,
                        new Will("t", new byte[] {1}, MqttQos.AT_MOST_ONCE, false),
                        null,
                        null);
        assertThatThrownBy(() -> AliyunLimits.requireConnectAllowed(withWill))
                .hasMessageContaining("will");
        assertThatThrownBy(() -> AliyunLimits.requireConnectAllowed(Connect.of("c", true, 10)))
                .hasMessageContaining("keepalive");
        Connect ok = Connect.of("c", true, 300);
        assertThat(AliyunLimits.requireConnectAllowed(ok)).isSameAs(ok);
    }
}
