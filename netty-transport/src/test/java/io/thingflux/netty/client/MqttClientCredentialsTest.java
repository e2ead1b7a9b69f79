package io.thingflux.netty.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.thingflux.aliyun.AliyunDeviceIdentity;
import io.thingflux.aliyun.AliyunSigner;
import io.thingflux.aliyun.MqttCredentials;
import io.thingflux.link.LinkState;
import io.thingflux.link.ReconnectPolicy;
import io.thingflux.mqtt.Connect;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

/** Credentials made per connect attempt: a supplier, and an Aliyun identity signed afresh. */
class MqttClientCredentialsTest extends ClientTestSupport {

    private static final ReconnectPolicy FAST =
            ReconnectPolicy.exponential().withDelays(Duration.ofMillis(10), Duration.ofMillis(20));

    @Test
    void theSupplierIsCalledForEveryConnectAttemptAndNothingOfItIsKept() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        MqttClient client =
                client(
                        options()
                                .reconnect(FAST)
                                .credentials(
                                        () -> {
                                            int n = calls.incrementAndGet();
                                            return new MqttCredentials(
                                                    "dev|ts=" + n + "|", "user", "token-" + n);
                                        }));
        assertThat(calls).hasValue(0); // nothing is asked at build time
        assertThat(client.options().clientId()).isNull();
        assertThat(client.options().hasPassword()).isTrue();
        assertThat(client.options().toString()).doesNotContain("token-").contains("<redacted>");

        client.connect().subscribe(a -> {}, e -> {});
        ScriptedBroker.Connection first = broker.awaitConnection();
        Connect c1 = first.expect(Connect.class);
        assertThat(c1.clientId()).isEqualTo("dev|ts=1|");
        assertThat(c1.username()).isEqualTo("user");
        assertThat(new String(c1.password(), StandardCharsets.UTF_8)).isEqualTo("token-1");
        first.send(io.thingflux.mqtt.ConnAck.accepted(false));
        awaitState(client, LinkState.CONNECTED);

        first.close(); // lost: the reconnect asks the supplier again
        ScriptedBroker.Connection second = broker.awaitConnection();
        Connect c2 = second.expect(Connect.class);
        assertThat(c2.clientId()).isEqualTo("dev|ts=2|");
        assertThat(new String(c2.password(), StandardCharsets.UTF_8)).isEqualTo("token-2");
        second.send(io.thingflux.mqtt.ConnAck.accepted(false));
        awaitState(client, LinkState.CONNECTED);
        assertThat(calls).hasValue(2);
    }

    @Test
    void aFailingSupplierFailsThatAttemptWithAClearErrorAndTheNextAttemptCallsItAgain()
            throws Exception {
        AtomicInteger calls = new AtomicInteger();
        MqttClient client =
                client(
                        options()
                                .firstConnect(FAST.withMaxAttempts(3))
                                .credentials(
                                        () -> {
                                            if (calls.incrementAndGet() < 3) {
                                                throw new IllegalStateException(
                                                        "token service unavailable");
                                            }
                                            return new MqttCredentials(
                                                    "dev-1", "user", "s3cret-token");
                                        }));
        StepVerifier.create(client.connect())
                .then(
                        () -> {
                            try {
                                ScriptedBroker.Connection c = broker.awaitConnection();
                                assertThat(c.expect(Connect.class).clientId()).isEqualTo("dev-1");
                                c.send(io.thingflux.mqtt.ConnAck.accepted(false));
                            } catch (InterruptedException e) {
                                throw new AssertionError(e);
                            }
                        })
                .expectNextCount(1)
                .expectComplete()
                .verify(WAIT);
        assertThat(calls).hasValue(3); // two failed attempts opened no socket, the third connected
    }

    @Test
    void whenTheSupplierKeepsFailingConnectFailsWithMqttCredentialsExceptionNamingNoSecret() {
        MqttClient client =
                client(
                        options()
                                .credentials(
                                        () -> {
                                            throw new IllegalStateException(
                                                    "token service unavailable");
                                        }));
        StepVerifier.create(client.connect())
                .expectErrorSatisfies(
                        e ->
                                assertThat(e)
                                        .isInstanceOf(MqttCredentialsException.class)
                                        .hasMessageContaining("credentials supplier")
                                        .hasRootCauseMessage("token service unavailable"))
                .verify(WAIT);
        assertThat(client.state()).isEqualTo(LinkState.DISCONNECTED);

        MqttClient nulls = client(options().credentials(() -> null));
        StepVerifier.create(nulls.connect())
                .expectErrorSatisfies(
                        e ->
                                assertThat(e)
                                        .isInstanceOf(MqttCredentialsException.class)
                                        .hasMessageContaining("returned null"))
                .verify(WAIT);

        MqttClient invalid =
                client(
                        options()
                                .cleanSession(false)
                                .credentials(
                                        () -> new MqttCredentials("", "user", "s3cret-token")));
        StepVerifier.create(invalid.connect())
                .expectErrorSatisfies(
                        e ->
                                assertThat(e)
                                        .isInstanceOf(MqttCredentialsException.class)
                                        .hasMessageContaining("MQTT-3.1.3-7")
                                        .hasMessageNotContaining("s3cret-token"))
                .verify(WAIT);
    }

    @Test
    void anAliyunIdentityIsSignedPerAttemptAndTheOptionsKeepNoSignedCopy() throws Exception {
        AliyunDeviceIdentity device = new AliyunDeviceIdentity("a1pk", "dev1", "devSecret123");
        MqttClient client =
                client(options().reconnect(FAST).aliyun(device, AliyunSigner.defaults()));
        MqttCredentials signed = AliyunSigner.defaults().sign(device);
        assertThat(client.options().name()).isEqualTo("a1pk.dev1");
        assertThat(client.options().clientId()).isEqualTo(signed.clientId());
        assertThat(client.options().username()).isEqualTo("dev1&a1pk");
        assertThat(client.options().toString())
                .doesNotContain(signed.password())
                .doesNotContain("devSecret123");

        ScriptedBroker.Connection c = connect(client, false);
        c.close();
        ScriptedBroker.Connection again = broker.awaitConnection();
        Connect connect = again.expect(Connect.class);
        assertThat(connect.clientId()).isEqualTo(signed.clientId());
        assertThat(new String(connect.password(), StandardCharsets.UTF_8))
                .isEqualTo(signed.password());
    }

    @Test
    void mutateKeepsTheSupplierAndStaticCredentialsReplaceNothingOfIt() {
        MqttClientOptions o =
                MqttClientOptions.builder("b", 1883)
                        .credentials(() -> new MqttCredentials("x", "u", "p"))
                        .keepAliveSeconds(30)
                        .build();
        MqttClientOptions copy = o.mutate().build();
        assertThat(copy.connectPacket().clientId()).isEqualTo("x");
        assertThat(copy.keepAliveSeconds()).isEqualTo(30);
        MqttClientOptions back =
                o.mutate()
                        .clientId("c")
                        .credentials("u2", "p2")
                        .aliyun(new AliyunDeviceIdentity("pk", "dn", "s"), AliyunSigner.defaults())
                        .credentials(() -> new MqttCredentials("y", "u", "p"))
                        .build();
        assertThat(back.connectPacket().clientId()).isEqualTo("y");
    }
}
