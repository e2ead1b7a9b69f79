package io.thingflux.netty.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.thingflux.link.ReconnectPolicy;
import io.thingflux.link.outbox.OverflowPolicy;
import io.thingflux.mqtt.Connect;
import io.thingflux.mqtt.MqttQos;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

class MqttClientOptionsTest {

    @Test
    void defaultsAreTheDocumentedConstants() {
        MqttClientOptions o = MqttClientOptions.builder("broker", 1883).build();
        assertThat(o.keepAliveSeconds()).isEqualTo(MqttClientOptions.DEFAULT_KEEP_ALIVE_SECONDS);
        assertThat(o.pingTimeout()).isEqualTo(MqttClientOptions.DEFAULT_PING_TIMEOUT);
        assertThat(o.maxInFlight()).isEqualTo(MqttClientOptions.DEFAULT_MAX_IN_FLIGHT);
        assertThat(o.outboxCapacity()).isEqualTo(MqttClientOptions.DEFAULT_OUTBOX_CAPACITY);
        assertThat(o.outboxPolicy()).isEqualTo(OverflowPolicy.FAIL);
        assertThat(o.outboxStorage()).isSameAs(io.thingflux.link.outbox.OutboxStorage.memory());
        assertThat(o.publishAttempts()).isEqualTo(MqttClientOptions.DEFAULT_PUBLISH_ATTEMPTS);
        assertThat(o.qos0BufferSize()).isEqualTo(MqttClientOptions.DEFAULT_QOS0_BUFFER);
        assertThat(o.cleanSession()).isTrue();
        assertThat(o.resubscribe()).isTrue();
        assertThat(o.republish()).isTrue();
        assertThat(o.scheduler()).as("signals on the event loop").isNull();
        assertThat(o.firstConnectPolicy().maxAttempts()).isZero();
        assertThat(o.reconnectPolicy().maxAttempts()).isEqualTo(ReconnectPolicy.UNLIMITED);
        assertThat(o.clientId()).startsWith("thingflux-");
        assertThat(o.aliyunLimits()).isFalse();
        assertThat(
                        MqttClientOptions.builder("a1.iot-as-mqtt.cn-shanghai.aliyuncs.com", 1883)
                                .build()
                                .aliyunLimits())
                .isTrue();
    }

    @Test
    void passwordNeverAppearsInToStringAndMutateKeepsIt() {
        MqttClientOptions o =
                MqttClientOptions.builder("broker", 1883)
                        .clientId("c")
                        .credentials("u", "hunter2")
                        .build();
        assertThat(o.toString()).doesNotContain("hunter2").contains("<redacted>");
        Connect connect = o.mutate().clientId("d").build().connectPacket();
        assertThat(connect.clientId()).isEqualTo("d");
        assertThat(connect.password()).isEqualTo("hunter2".getBytes(StandardCharsets.UTF_8));
        assertThat(connect.toString()).doesNotContain("hunter2");
    }

    @Test
    void mutateCopiesEverySettingAndChangesNothingOfTheOriginal() {
        Scheduler scheduler = Schedulers.immediate();
        MqttTlsOptions tls =
                MqttTlsOptions.builder().hostnameVerification(false).sniHost("sni").build();
        MqttClientOptions o =
                MqttClientOptions.builder("broker", 8883)
                        .tls(tls)
                        .keepAliveSeconds(30)
                        .pingTimeout(Duration.ofSeconds(3))
                        .cleanSession(false)
                        .connectTimeout(Duration.ofSeconds(4))
                        .localAddress(new InetSocketAddress("127.0.0.2", 0))
                        .connAckTimeout(Duration.ofSeconds(5))
                        .maxPacketSize(4096)
                        .maxInFlight(7)
                        .outbox(9, OverflowPolicy.DROP_OLDEST)
                        .qos0BufferSize(11)
                        .reconnect(ReconnectPolicy.none())
                        .firstConnect(ReconnectPolicy.exponential())
                        .resubscribe(false)
                        .republish(false)
                        .scheduler(scheduler)
                        .aliyunLimits(true)
                        .build();
        MqttClientOptions copy = o.mutate().build();
        assertThat(copy)
                .usingRecursiveComparison()
                .withComparatorForType((a, b) -> a == b ? 0 : 1, MqttTlsOptions.class)
                .isEqualTo(o);
        assertThat(copy.clientId()).as("the generated id is kept").isEqualTo(o.clientId());

        MqttClientOptions changed = o.mutate().maxInFlight(8).scheduler(null).build();
        assertThat(changed.maxInFlight()).isEqualTo(8);
        assertThat(changed.scheduler()).isNull();
        assertThat(o.maxInFlight()).isEqualTo(7);
        assertThat(o.scheduler()).isSameAs(scheduler);

        MqttTlsOptions otherTls = tls.mutate().sniHost("other").build();
        assertThat(otherTls.sniHost()).isEqualTo("other");
        assertThat(otherTls.hostnameVerification()).isFalse();
        assertThat(tls.sniHost()).isEqualTo("sni");
    }

    @Test
    void contradictorySettingsAreRefusedAtBuild() {
        assertThatThrownBy(
                        () ->
                                MqttClientOptions.builder("b", 1883)
                                        .clientId("")
                                        .cleanSession(false)
                                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("MQTT-3.1.3-7");
        assertThatThrownBy(() -> MqttClientOptions.builder("b", 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MqttClientOptions.builder("b", 1883).maxInFlight(0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(
                        () ->
                                MqttClientOptions.builder("b", 1883)
                                        .aliyunLimits(true)
                                        .keepAliveSeconds(1200)
                                        .build()
                                        .checkSubscribeAllowed(MqttQos.EXACTLY_ONCE))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
