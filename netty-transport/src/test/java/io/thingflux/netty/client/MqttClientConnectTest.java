package io.thingflux.netty.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.thingflux.aliyun.AliyunDeviceIdentity;
import io.thingflux.aliyun.AliyunSignVectors;
import io.thingflux.aliyun.AliyunSignVectors.SignCase;
import io.thingflux.aliyun.AliyunSigner;
import io.thingflux.aliyun.SignMethod;
import io.thingflux.link.ConnectRefusedException;
import io.thingflux.link.LinkState;
import io.thingflux.link.ReconnectPolicy;
import io.thingflux.mqtt.ConnAck;
import io.thingflux.mqtt.Connect;
import io.thingflux.mqtt.ConnectReturnCode;
import io.thingflux.mqtt.Disconnect;
import io.thingflux.mqtt.MqttProtocolException;
import io.thingflux.mqtt.MqttQos;
import io.thingflux.mqtt.PubAck;
import io.thingflux.mqtt.Publish;
import io.thingflux.mqtt.SubAck;
import io.thingflux.mqtt.SubAckReturnCode;
import io.thingflux.mqtt.Subscribe;
import io.thingflux.mqtt.Will;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

class MqttClientConnectTest extends ClientTestSupport {

    @Test
    void connectSendsTheConfiguredConnectAndCompletesWithTheConnAck() throws Exception {
        MqttClient client =
                client(
                        options()
                                .keepAliveSeconds(45)
                                .cleanSession(false)
                                .credentials("user", "s3cret")
                                .will(
                                        new Will(
                                                "last/will",
                                                new byte[] {1},
                                                MqttQos.AT_LEAST_ONCE,
                                                false)));
        List<LinkState> states = new CopyOnWriteArrayList<>();
        client.states().subscribe(states::add);
        StepVerifier.create(client.connect())
                .then(
                        () ->
                                NettyMqttLinkTest.await(
                                        () -> {
                                            ScriptedBroker.Connection c = broker.awaitConnection();
                                            Connect connect = c.expect(Connect.class);
                                            assertThat(connect.clientId()).isEqualTo("test-client");
                                            assertThat(connect.keepAliveSeconds()).isEqualTo(45);
                                            assertThat(connect.cleanSession()).isFalse();
                                            assertThat(connect.username()).isEqualTo("user");
                                            assertThat(connect.password())
                                                    .isEqualTo(
                                                            "s3cret"
                                                                    .getBytes(
                                                                            StandardCharsets
                                                                                    .UTF_8));
                                            assertThat(connect.will().topic())
                                                    .isEqualTo("last/will");
                                            c.send(ConnAck.accepted(true));
                                            return c;
                                        }))
                .assertNext(ack -> assertThat(ack.sessionPresent()).isTrue())
                .expectComplete()
                .verify(WAIT);
        await(() -> states.contains(LinkState.CONNECTED), "CONNECTED state");
        assertThat(states)
                .startsWith(LinkState.DISCONNECTED, LinkState.CONNECTING, LinkState.CONNECTED);
    }

    /**
     * By default signals arrive on the event loop: the connect completes inside the CONNACK's
     * handling, before the session has resumed on the connection: a subscribe or publish made right
     * there must go out once, not once on its own and again with the session's resubscription and
     * resend (and a QoS 1 publish must not be failed as one the broker lost with the session).
     */
    @Test
    void aSubscribeAndPublishMadeAsTheConnectCompletesOnTheEventLoopAreEachSentOnce()
            throws Exception {
        MqttClient client = client(options());
        List<PublishResult> published = new CopyOnWriteArrayList<>();
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        List<SubAckReturnCode> granted = new CopyOnWriteArrayList<>();
        client.connect()
                .subscribe(
                        ack -> {
                            client.subscribe("a/#", MqttQos.AT_LEAST_ONCE)
                                    .doOnSubAck(granted::addAll)
                                    .subscribe(m -> {}, errors::add);
                            client.publish("t/1", new byte[] {7}, MqttQos.AT_LEAST_ONCE)
                                    .subscribe(published::add, errors::add);
                        },
                        errors::add);
        ScriptedBroker.Connection c = broker.awaitConnection();
        c.expect(Connect.class);
        c.send(ConnAck.accepted(false));
        Subscribe subscribe = c.expect(Subscribe.class);
        Publish publish = c.expect(Publish.class);
        assertThat(publish.dup()).isFalse();
        c.send(
                SubAck.of(subscribe.packetId(), SubAckReturnCode.GRANTED_QOS_1),
                new PubAck(publish.packetId()));
        await(() -> published.size() == 1 && granted.size() == 1, "PUBACK and SUBACK handled");
        c.expectNothingFor(Duration.ofMillis(500)); // no second SUBSCRIBE or PUBLISH
        assertThat(errors).isEmpty();
        assertThat(published).hasSize(1);
    }

    @Test
    void badCredentialsFailWithTheTypedRefusalAndStopRetrying() throws Exception {
        MqttClient client =
                client(
                        options()
                                .firstConnect(
                                        ReconnectPolicy.exponential()
                                                .withDelays(
                                                        Duration.ofMillis(10),
                                                        Duration.ofMillis(50))));
        StepVerifier.create(client.connect())
                .then(
                        () ->
                                NettyMqttLinkTest.await(
                                        () -> {
                                            ScriptedBroker.Connection c = broker.awaitConnection();
                                            c.expect(Connect.class);
                                            c.send(
                                                    ConnAck.refused(
                                                            ConnectReturnCode
                                                                    .BAD_USERNAME_OR_PASSWORD));
                                            return c;
                                        }))
                .expectErrorSatisfies(
                        e -> {
                            assertThat(e).isInstanceOf(ConnectRefusedException.class);
                            assertThat(((ConnectRefusedException) e).returnCode())
                                    .isEqualTo(ConnectReturnCode.BAD_USERNAME_OR_PASSWORD);
                            assertThat(((ConnectRefusedException) e).isFatal()).isTrue();
                        })
                .verify(WAIT);
        assertThat(client.state()).isEqualTo(LinkState.CLOSED);
        assertThat(broker.connectionWithin(Duration.ofMillis(500)))
                .as("no retry after a fatal refusal")
                .isFalse();
        StepVerifier.create(client.connect()).expectError(MqttClosedException.class).verify(WAIT);
    }

    @Test
    void serverUnavailableIsRetriedByTheFirstConnectPolicy() throws Exception {
        MqttClient client =
                client(
                        options()
                                .firstConnect(
                                        ReconnectPolicy.exponential()
                                                .withDelays(
                                                        Duration.ofMillis(10),
                                                        Duration.ofMillis(50))));
        StepVerifier.create(client.connect())
                .then(
                        () ->
                                NettyMqttLinkTest.await(
                                        () -> {
                                            ScriptedBroker.Connection first =
                                                    broker.awaitConnection();
                                            first.expect(Connect.class);
                                            first.send(
                                                    ConnAck.refused(
                                                            ConnectReturnCode.SERVER_UNAVAILABLE));
                                            ScriptedBroker.Connection second =
                                                    broker.awaitConnection();
                                            second.expect(Connect.class);
                                            second.send(ConnAck.accepted(false));
                                            return second;
                                        }))
                .expectNextCount(1)
                .expectComplete()
                .verify(WAIT);
    }

    @Test
    void missingConnAckFailsWithConnectTimeout() throws Exception {
        MqttClient client = client(options().connAckTimeout(Duration.ofMillis(300)));
        StepVerifier.create(client.connect())
                .then(
                        () ->
                                NettyMqttLinkTest.await(
                                        () -> broker.awaitConnection().expect(Connect.class)))
                .expectError(MqttConnectTimeoutException.class)
                .verify(WAIT);
        assertThat(client.state()).isEqualTo(LinkState.DISCONNECTED);
    }

    @Test
    void unreachableBrokerFailsWithTransportError() {
        int port = broker.port();
        broker.close();
        MqttClient client =
                MqttClient.create(MqttClientOptions.builder("127.0.0.1", port).build(), resources);
        StepVerifier.create(client.connect())
                .expectError(MqttTransportException.class)
                .verify(WAIT);
    }

    @Test
    void aPacketOtherThanConnAckFirstIsAProtocolViolation() throws Exception {
        MqttClient client = client(options());
        StepVerifier.create(client.connect())
                .then(
                        () ->
                                NettyMqttLinkTest.await(
                                        () -> {
                                            ScriptedBroker.Connection c = broker.awaitConnection();
                                            c.expect(Connect.class);
                                            c.send(new PubAck(1));
                                            return c;
                                        }))
                .expectErrorSatisfies(
                        e ->
                                assertThat(e)
                                        .isInstanceOf(MqttProtocolException.class)
                                        .extracting(x -> ((MqttProtocolException) x).reason())
                                        .isEqualTo(MqttProtocolException.Reason.UNEXPECTED_PACKET))
                .verify(WAIT);
    }

    @Test
    void disconnectSendsDisconnectAndClosesForGood() throws Exception {
        MqttClient client = client(options());
        ScriptedBroker.Connection c = connect(client, false);
        StepVerifier.create(client.disconnect()).expectComplete().verify(WAIT);
        assertThat(c.expect(Disconnect.class)).isSameAs(Disconnect.INSTANCE);
        assertThat(c.awaitClosed(WAIT)).isTrue();
        StepVerifier.create(client.states())
                .expectNext(LinkState.CLOSED)
                .expectComplete()
                .verify(WAIT);
        StepVerifier.create(client.publish("a/b", new byte[0], MqttQos.AT_MOST_ONCE))
                .expectError(MqttClosedException.class)
                .verify(WAIT);
    }

    @Test
    void aliyunIdentitySignsTheConnectAndAliyunLimitsAreEnforcedBeforeSending() throws Exception {
        SignCase vector =
                AliyunSignVectors.all().stream()
                        .filter(v -> v.name().equals("seed-tcp-hmacsha1"))
                        .findFirst()
                        .orElseThrow();
        AliyunDeviceIdentity device =
                new AliyunDeviceIdentity(
                        vector.get("productKey"),
                        vector.get("deviceName"),
                        vector.get("deviceSecret"));
        AliyunSigner signer =
                AliyunSigner.builder()
                        .method(SignMethod.HMACSHA1)
                        .secureMode(AliyunSigner.SECURE_MODE_TCP)
                        .clientId(vector.get("clientId"))
                        .build();
        MqttClientOptions.Builder b =
                options().aliyun(device, signer).aliyunLimits(true).keepAliveSeconds(60);
        MqttClient client = client(b);
        client.connect().subscribe(a -> {}, e -> {});
        ScriptedBroker.Connection c = broker.awaitConnection();
        Connect connect = c.expect(Connect.class);
        assertThat(connect.clientId()).isEqualTo(vector.get("mqttClientId"));
        assertThat(connect.username()).isEqualTo(vector.get("username"));
        assertThat(new String(connect.password(), StandardCharsets.UTF_8))
                .isEqualTo(vector.get("password"));
        c.send(ConnAck.accepted(false));
        awaitState(client, LinkState.CONNECTED);

        StepVerifier.create(
                        client.publish(
                                "/a1wFylTxYeD/co_0001/user/x", new byte[1], MqttQos.EXACTLY_ONCE))
                .expectErrorSatisfies(
                        e ->
                                assertThat(e)
                                        .isInstanceOf(IllegalArgumentException.class)
                                        .hasMessageContaining("QoS 2"))
                .verify(WAIT);
        c.expectNothingFor(Duration.ofMillis(200));
        assertThat(client.options().toString())
                .doesNotContain(vector.get("password"))
                .doesNotContain(vector.get("deviceSecret"));
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () ->
                                options()
                                        .aliyun(device, signer)
                                        .aliyunLimits(true)
                                        .keepAliveSeconds(10)
                                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("30..1200");
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () ->
                                MqttClientOptions.builder(
                                                "a1pk.iot-as-mqtt.cn-shanghai.aliyuncs.com", 1883)
                                        .will(
                                                new Will(
                                                        "w",
                                                        new byte[0],
                                                        MqttQos.AT_MOST_ONCE,
                                                        false))
                                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("will");
    }
}
