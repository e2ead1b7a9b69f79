package io.thingflux.emulator.platform;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.message.publish.Mqtt3Publish;
import com.hivemq.client.mqtt.mqtt3.message.subscribe.suback.Mqtt3SubAckReturnCode;
import io.thingflux.mqtt.ConnAck;
import io.thingflux.mqtt.Connect;
import io.thingflux.mqtt.Will;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * With auth NONE the emulator is a plain MQTT 3.1.1 broker: any client, QoS 0..2, will and retain.
 */
class PlainBrokerModeTest {

    private AliyunPlatformEmulator broker;

    @BeforeEach
    void start() {
        broker =
                AliyunPlatformEmulator.start(
                        EmulatorOptions.builder().port(0).authMode(AuthMode.NONE).build());
    }

    @AfterEach
    void stop() {
        broker.close();
    }

    private Mqtt3BlockingClient connected(String id) {
        Mqtt3BlockingClient c =
                MqttClient.builder()
                        .useMqttVersion3()
                        .identifier(id)
                        .serverHost("127.0.0.1")
                        .serverPort(broker.mqttAddress().getPort())
                        .buildBlocking();
        c.connect();
        return c;
    }

    @Test
    void qos2TravelsBothWaysAndSubscriptionsAreGrantedWhatTheyAsked() throws Exception {
        Mqtt3BlockingClient sub = connected("sub");
        Mqtt3BlockingClient pub = connected("pub");
        try (Mqtt3BlockingClient.Mqtt3Publishes publishes =
                sub.publishes(MqttGlobalPublishFilter.ALL)) {
            var ack =
                    sub.subscribeWith()
                            .topicFilter("sensors/+/temp")
                            .qos(MqttQos.EXACTLY_ONCE)
                            .send();
            assertThat(ack.getReturnCodes())
                    .containsExactly(Mqtt3SubAckReturnCode.SUCCESS_MAXIMUM_QOS_2);
            for (MqttQos qos : MqttQos.values()) {
                pub.publishWith()
                        .topic("sensors/a/temp")
                        .qos(qos)
                        .payload(qos.name().getBytes(StandardCharsets.UTF_8))
                        .send();
                Optional<Mqtt3Publish> got = publishes.receive(10, TimeUnit.SECONDS);
                assertThat(got).isPresent();
                assertThat(got.get().getQos()).isEqualTo(qos);
                assertThat(new String(got.get().getPayloadAsBytes(), StandardCharsets.UTF_8))
                        .isEqualTo(qos.name());
            }
            pub.publishWith().topic("sensors/a/humidity").payload(new byte[] {1}).send();
            assertThat(publishes.receive(300, TimeUnit.MILLISECONDS)).isEmpty();
        } finally {
            sub.disconnect();
            pub.disconnect();
        }
    }

    @Test
    void aRetainedMessageReachesLaterSubscribersUntilCleared() throws Exception {
        Mqtt3BlockingClient pub = connected("pub");
        pub.publishWith()
                .topic("state/door")
                .qos(MqttQos.AT_LEAST_ONCE)
                .retain(true)
                .payload("open".getBytes(StandardCharsets.UTF_8))
                .send();
        Mqtt3BlockingClient sub = connected("sub");
        try (Mqtt3BlockingClient.Mqtt3Publishes publishes =
                sub.publishes(MqttGlobalPublishFilter.ALL)) {
            sub.subscribeWith().topicFilter("state/#").qos(MqttQos.AT_LEAST_ONCE).send();
            Mqtt3Publish retained = publishes.receive(10, TimeUnit.SECONDS).orElseThrow();
            assertThat(retained.isRetain()).isTrue();
            assertThat(new String(retained.getPayloadAsBytes(), StandardCharsets.UTF_8))
                    .isEqualTo("open");
        } finally {
            sub.disconnect();
        }
        pub.publishWith().topic("state/door").retain(true).payload(new byte[0]).send();
        Mqtt3BlockingClient late = connected("late");
        try (Mqtt3BlockingClient.Mqtt3Publishes publishes =
                late.publishes(MqttGlobalPublishFilter.ALL)) {
            late.subscribeWith().topicFilter("state/#").send();
            assertThat(publishes.receive(300, TimeUnit.MILLISECONDS)).isEmpty();
        } finally {
            late.disconnect();
            pub.disconnect();
        }
    }

    @Test
    void theWillIsPublishedWhenAClientVanishesWithoutDisconnect() throws Exception {
        Mqtt3BlockingClient watcher = connected("watcher");
        try (Mqtt3BlockingClient.Mqtt3Publishes publishes =
                watcher.publishes(MqttGlobalPublishFilter.ALL)) {
            watcher.subscribeWith().topicFilter("status/#").send();
            try (TestSocket vanishing = new TestSocket(broker.mqttAddress())) {
                vanishing.send(
                        new Connect(
                                Connect.MQTT_3_1_1,
                                "vanishing",
                                true,
                                60,
                                new Will(
                                        "status/vanishing",
                                        "gone".getBytes(StandardCharsets.UTF_8),
                                        io.thingflux.mqtt.MqttQos.AT_MOST_ONCE,
                                        false),
                                null,
                                null));
                assertThat(vanishing.read()).isEqualTo(ConnAck.accepted(false));
            } // closed without DISCONNECT
            Mqtt3Publish will = publishes.receive(10, TimeUnit.SECONDS).orElseThrow();
            assertThat(will.getTopic().toString()).isEqualTo("status/vanishing");
            assertThat(new String(will.getPayloadAsBytes(), StandardCharsets.UTF_8))
                    .isEqualTo("gone");

            try (TestSocket polite = new TestSocket(broker.mqttAddress())) {
                polite.send(
                        new Connect(
                                Connect.MQTT_3_1_1,
                                "polite",
                                true,
                                60,
                                new Will(
                                        "status/polite",
                                        "gone".getBytes(StandardCharsets.UTF_8),
                                        io.thingflux.mqtt.MqttQos.AT_MOST_ONCE,
                                        false),
                                null,
                                null));
                polite.read();
                polite.sendRaw(HexFormat.of().parseHex("e000"));
                assertThat(polite.awaitClosed()).isTrue();
            }
            assertThat(publishes.receive(300, TimeUnit.MILLISECONDS)).isEmpty();
        } finally {
            watcher.disconnect();
        }
    }

    @Test
    void anEmptyClientIdIsAcceptedOnlyWithACleanSession() {
        try (TestSocket s = new TestSocket(broker.mqttAddress())) {
            s.send(Connect.of("", true, 30));
            assertThat(s.read()).isEqualTo(ConnAck.accepted(false));
        }
        try (TestSocket s = new TestSocket(broker.mqttAddress())) {
            s.send(Connect.of("", false, 30));
            assertThat(HexFormat.of().formatHex(s.readFrame())).isEqualTo("20020002");
        }
    }

    @Test
    void mqtt31ClientsAreServed() {
        try (TestSocket s = new TestSocket(broker.mqttAddress())) {
            s.send(new Connect(Connect.MQTT_3_1, "old-client", true, 30, null, null, null));
            assertThat(s.read()).isEqualTo(ConnAck.accepted(false));
        }
    }

    @Test
    void theBrokerRunsOnACallerOwnedEpollGroupAndLeavesItRunning() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(
                io.netty.channel.epoll.Epoll.isAvailable(), "epoll not available");
        io.netty.channel.EventLoopGroup group =
                new io.netty.channel.MultiThreadIoEventLoopGroup(
                        1, io.netty.channel.epoll.EpollIoHandler.newFactory());
        try {
            try (AliyunPlatformEmulator onEpoll =
                            AliyunPlatformEmulator.start(
                                    EmulatorOptions.builder()
                                            .port(0)
                                            .authMode(AuthMode.NONE)
                                            .eventLoopGroup(group)
                                            .build());
                    TestSocket s = new TestSocket(onEpoll.mqttAddress())) {
                s.send(Connect.of("epoll-client", true, 30));
                assertThat(s.read()).isEqualTo(ConnAck.accepted(false));
            }
            assertThat(group.isShuttingDown()).isFalse();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    @Test
    void aSessionHoldsAtMostMaxSubscriptionsFilters() {
        try (AliyunPlatformEmulator small =
                        AliyunPlatformEmulator.start(
                                EmulatorOptions.builder()
                                        .port(0)
                                        .authMode(AuthMode.NONE)
                                        .maxSubscriptions(2)
                                        .build());
                TestSocket s = new TestSocket(small.mqttAddress())) {
            s.send(Connect.of("greedy", true, 30));
            s.read();
            s.send(
                    new io.thingflux.mqtt.Subscribe(
                            1,
                            java.util.List.of(
                                    new io.thingflux.mqtt.Subscription(
                                            "a", io.thingflux.mqtt.MqttQos.AT_MOST_ONCE),
                                    new io.thingflux.mqtt.Subscription(
                                            "b", io.thingflux.mqtt.MqttQos.AT_MOST_ONCE),
                                    new io.thingflux.mqtt.Subscription(
                                            "c", io.thingflux.mqtt.MqttQos.AT_MOST_ONCE),
                                    new io.thingflux.mqtt.Subscription(
                                            "a", io.thingflux.mqtt.MqttQos.AT_LEAST_ONCE))));
            assertThat(HexFormat.of().formatHex(s.readFrame())).isEqualTo("900600010000" + "8001");
        }
    }
}
