package io.thingflux.netty.client;

import io.thingflux.link.ReconnectPolicy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.thingflux.mqtt.Connect;
import io.thingflux.mqtt.MqttQos;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class MqttClientOptionsTest {

    @Test
    void defaultsAreTheDocumentedConstants() {
        MqttClientOptions o = MqttClientOptions.builder("broker", 1883).build();
        assertThat(o.keepAliveSeconds()).isEqualTo(MqttClientOptions.DEFAULT_KEEP_ALIVE_SECONDS);
        assertThat(o.pingTimeout()).isEqualTo(MqttClientOptions.DEFAULT_PING_TIMEOUT);
        assertThat(o.maxInFlight()).isEqualTo(MqttClientOptions.DEFAULT_MAX_IN_FLIGHT);
        assertThat(o.outboxCapacity()).isEqualTo(MqttClientOptions.DEFAULT_OUTBOX_CAPACITY);
        assertThat(o.outboxPolicy()).isEqualTo(OfflineBufferPolicy.FAIL);
        assertThat(o.qos0BufferSize()).isEqualTo(MqttClientOptions.DEFAULT_QOS0_BUFFER);
        assertThat(o.cleanSession()).isTrue();
        assertThat(o.resubscribe()).isTrue();
        assertThat(o.republish()).isTrue();
        assertThat(o.deliverOnEventLoop()).isFalse();
        assertThat(o.firstConnectPolicy().maxAttempts()).isZero();
        assertThat(o.reconnectPolicy().maxAttempts()).isEqualTo(ReconnectPolicy.UNLIMITED);
        assertThat(o.clientId()).startsWith("thingflux-");
        assertThat(o.aliyunLimits()).isFalse();
        assertThat(MqttClientOptions.builder("a1.iot-as-mqtt.cn-shanghai.aliyuncs.com", 1883).build().aliyunLimits())
                .isTrue();
    }

    @Test
    void passwordNeverAppearsInToStringAndMutateKeepsIt() {
        MqttClientOptions o = MqttClientOptions.builder("broker", 1883).clientId("c").credentials("u", "hunter2")
                .build();
        assertThat(o.toString()).doesNotContain("hunter2").contains("<redacted>");
        Connect connect = o.mutate().clientId("d").build().connectPacket();
        assertThat(connect.clientId()).isEqualTo("d");
        assertThat(connect.password()).isEqualTo("hunter2".getBytes(StandardCharsets.UTF_8));
        assertThat(connect.toString()).doesNotContain("hunter2");
    }

    @Test
    void contradictorySettingsAreRefusedAtBuild() {
        assertThatThrownBy(() -> MqttClientOptions.builder("b", 1883).clientId("").cleanSession(false).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("MQTT-3.1.3-7");
        assertThatThrownBy(() -> MqttClientOptions.builder("b", 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MqttClientOptions.builder("b", 1883).maxInFlight(0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MqttClientOptions.builder("b", 1883).aliyunLimits(true).keepAliveSeconds(1200).build()
                .checkSubscribeAllowed(MqttQos.EXACTLY_ONCE)).isInstanceOf(IllegalArgumentException.class);
    }
}
