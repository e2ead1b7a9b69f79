package io.thingflux.netty.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.thingflux.link.LinkMessage;
import io.thingflux.link.LinkState;
import io.thingflux.link.ReconnectPolicy;
import io.thingflux.link.outbox.OverflowPolicy;
import io.thingflux.mqtt.MqttQos;
import io.thingflux.mqtt.PingReq;
import io.thingflux.mqtt.PingResp;
import io.thingflux.mqtt.PubAck;
import io.thingflux.mqtt.PubComp;
import io.thingflux.mqtt.PubRec;
import io.thingflux.mqtt.PubRel;
import io.thingflux.mqtt.Publish;
import io.thingflux.mqtt.SubAck;
import io.thingflux.mqtt.SubAckReturnCode;
import io.thingflux.mqtt.Subscribe;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class MqttClientReconnectTest extends ClientTestSupport {

    private static final ReconnectPolicy FAST =
            ReconnectPolicy.exponential().withDelays(Duration.ofMillis(20), Duration.ofMillis(100));

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void unacknowledgedQos1IsResentWithDupAfterReconnectEvenWhenTheBrokerLostTheSession()
            throws Exception {
        MqttClient client = client(options().reconnect(FAST));
        ScriptedBroker.Connection first = connect(client, false);
        List<PublishResult> results = new CopyOnWriteArrayList<>();
        client.publish("r/1", bytes("again"), MqttQos.AT_LEAST_ONCE).subscribe(results::add);
        Publish original = first.expect(Publish.class);
        assertThat(original.dup()).isFalse();
        first.close();

        ScriptedBroker.Connection second = acceptNext(client, false);
        Publish resent = second.expect(Publish.class);
        assertThat(resent.dup()).isTrue();
        assertThat(resent.packetId()).isEqualTo(original.packetId());
        assertThat(resent.payloadAsString()).isEqualTo("again");
        assertThat(results).isEmpty();
        second.send(new PubAck(resent.packetId()));
        await(() -> results.size() == 1, "publish result");
        assertThat(results.get(0).isSuccess()).isTrue();
    }

    @Test
    void qos2PastPubRecResumesWithPubRelAfterReconnect() throws Exception {
        MqttClient client = client(options().reconnect(FAST).cleanSession(false));
        ScriptedBroker.Connection first = connect(client, false);
        List<PublishResult> results = new CopyOnWriteArrayList<>();
        client.publish("r/2", bytes("two"), MqttQos.EXACTLY_ONCE).subscribe(results::add);
        Publish p = first.expect(Publish.class);
        first.send(new PubRec(p.packetId()));
        first.expect(PubRel.class);
        first.close();

        ScriptedBroker.Connection second = acceptNext(client, true);
        assertThat(second.expect(PubRel.class).packetId()).isEqualTo(p.packetId());
        second.send(new PubComp(p.packetId()));
        await(() -> results.size() == 1, "QoS 2 result");
    }

    @Test
    void republishOffFailsInFlightPublishesWhenTheBrokerLostTheSession() throws Exception {
        MqttClient client = client(options().reconnect(FAST).republish(false));
        ScriptedBroker.Connection first = connect(client, false);
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        client.publish("r/3", bytes("x"), MqttQos.AT_LEAST_ONCE).subscribe(r -> {}, errors::add);
        first.expect(Publish.class);
        first.close();
        ScriptedBroker.Connection second = acceptNext(client, false);
        await(() -> errors.size() == 1, "publish failure");
        assertThat(errors.get(0))
                .isInstanceOf(MqttClosedException.class)
                .hasMessageContaining("session");
        second.expectNothingFor(Duration.ofMillis(200));
    }

    @Test
    void subscriptionsAreRenewedWhenTheBrokerHasNoSessionAndKeptWhenItHasOne() throws Exception {
        MqttClient client = client(options().reconnect(FAST).cleanSession(false));
        ScriptedBroker.Connection first = connect(client, false);
        List<LinkMessage> got = new CopyOnWriteArrayList<>();
        client.subscribe("s/#", MqttQos.AT_LEAST_ONCE).subscribe(got::add);
        Subscribe original = first.expect(Subscribe.class);
        first.send(SubAck.of(original.packetId(), SubAckReturnCode.GRANTED_QOS_1));
        first.close();

        ScriptedBroker.Connection second = acceptNext(client, false); // session lost
        Subscribe again = second.expect(Subscribe.class);
        assertThat(again.subscriptions()).isEqualTo(original.subscriptions());
        second.send(SubAck.of(again.packetId(), SubAckReturnCode.GRANTED_QOS_1));
        second.send(new Publish("s/x", MqttQos.AT_LEAST_ONCE, false, false, 3, bytes("after")));
        second.expect(PubAck.class);
        await(() -> got.size() == 1, "message after resubscribe");
        second.close();

        ScriptedBroker.Connection third = acceptNext(client, true); // session kept
        third.expectNothingFor(Duration.ofMillis(300));
    }

    @Test
    void publishesMadeWhileOfflineGoOutAfterReconnect() throws Exception {
        MqttClient client =
                client(
                        options()
                                .reconnect(
                                        FAST.withDelays(
                                                        Duration.ofMillis(300),
                                                        Duration.ofMillis(300))
                                                .withJitter(0)));
        ScriptedBroker.Connection first = connect(client, false);
        first.close();
        awaitState(client, LinkState.RECONNECTING);
        List<PublishResult> results = new CopyOnWriteArrayList<>();
        client.publish("off/1", bytes("a"), MqttQos.AT_LEAST_ONCE).subscribe(results::add);
        client.publish("off/2", bytes("b"), MqttQos.AT_MOST_ONCE).subscribe(results::add);
        ScriptedBroker.Connection second = acceptNext(client, false);
        Publish a = second.expect(Publish.class);
        Publish b = second.expect(Publish.class);
        assertThat(List.of(a.topic(), b.topic())).containsExactly("off/1", "off/2");
        second.send(new PubAck(a.packetId()));
        await(() -> results.size() == 2, "both results");
    }

    @Test
    void aPublishCancelledWhileOfflineIsNeverSent() throws Exception {
        MqttClient client = client(options());
        reactor.core.Disposable cancelled =
                client.publish("gone/1", bytes("x"), MqttQos.AT_LEAST_ONCE).subscribe();
        List<PublishResult> kept = new CopyOnWriteArrayList<>();
        client.publish("kept/1", bytes("y"), MqttQos.AT_MOST_ONCE).subscribe(kept::add);
        cancelled.dispose();
        ScriptedBroker.Connection c = connect(client, false);
        assertThat(c.expect(Publish.class).topic()).isEqualTo("kept/1");
        c.expectNothingFor(Duration.ofMillis(200));
        await(() -> kept.size() == 1, "the kept publish");
    }

    @Test
    void fullOutboxRefusesNewPublishesWithFailPolicy() throws Exception {
        MqttClient client = client(options().outbox(2, OverflowPolicy.FAIL));
        List<String> outcome = new CopyOnWriteArrayList<>();
        for (int i = 0; i < 3; i++) {
            String topic = "ob/" + i;
            client.publish(topic, bytes("x"), MqttQos.AT_MOST_ONCE)
                    .subscribe(
                            r -> outcome.add(topic + " ok"),
                            e -> outcome.add(topic + " " + e.getClass().getSimpleName()));
        }
        await(() -> outcome.size() == 1, "the refusal");
        assertThat(outcome).containsExactly("ob/2 OutboxFullException");
        ScriptedBroker.Connection c = connect(client, false);
        assertThat(c.expect(Publish.class).topic()).isEqualTo("ob/0");
        assertThat(c.expect(Publish.class).topic()).isEqualTo("ob/1");
        await(() -> outcome.size() == 3, "all outcomes");
    }

    @Test
    void fullOutboxEvictsTheOldestWithDropOldestPolicy() throws Exception {
        MqttClient client = client(options().outbox(2, OverflowPolicy.DROP_OLDEST));
        List<String> outcome = new CopyOnWriteArrayList<>();
        for (int i = 0; i < 3; i++) {
            String topic = "ob/" + i;
            client.publish(topic, bytes("x"), MqttQos.AT_MOST_ONCE)
                    .subscribe(
                            r -> outcome.add(topic + " ok"),
                            e -> outcome.add(topic + " " + e.getClass().getSimpleName()));
        }
        await(() -> outcome.size() == 1, "the eviction");
        assertThat(outcome).containsExactly("ob/0 OutboxFullException");
        ScriptedBroker.Connection c = connect(client, false);
        assertThat(c.expect(Publish.class).topic()).isEqualTo("ob/1");
        assertThat(c.expect(Publish.class).topic()).isEqualTo("ob/2");
    }

    @Test
    void silentBrokerIsDetectedByThePingTimeoutAndTheClientReconnects() throws Exception {
        MqttClient client =
                client(
                        options()
                                .keepAliveSeconds(1)
                                .pingTimeout(Duration.ofMillis(500))
                                .reconnect(FAST));
        List<LinkState> states = new CopyOnWriteArrayList<>();
        client.states().subscribe(states::add);
        ScriptedBroker.Connection halfOpen = connect(client, false);
        halfOpen.expect(PingReq.class); // not answered: the connection is half-open
        assertThat(halfOpen.awaitClosed(WAIT))
                .as("client closes the half-open connection")
                .isTrue();
        ScriptedBroker.Connection next = acceptNext(client, false);
        assertThat(states).contains(LinkState.RECONNECTING);
        next.expect(PingReq.class);
        next.send(PingResp.INSTANCE);
        next.expect(PingReq.class); // answered pings keep the connection
        next.send(PingResp.INSTANCE);
        assertThat(next.channel.isActive()).isTrue();
        assertThat(client.state()).isEqualTo(LinkState.CONNECTED);
    }

    @Test
    void reconnectGivesUpAfterItsAttemptsAndFailsWaitingWork() throws Exception {
        MqttClient client = client(options().reconnect(FAST.withMaxAttempts(2)));
        ScriptedBroker.Connection c = connect(client, false);
        List<Throwable> subscriptionErrors = new CopyOnWriteArrayList<>();
        client.subscribe("g/#", MqttQos.AT_MOST_ONCE).subscribe(m -> {}, subscriptionErrors::add);
        c.send(SubAck.of(c.expect(Subscribe.class).packetId(), SubAckReturnCode.GRANTED_QOS_0));
        broker.close();
        awaitState(client, LinkState.DISCONNECTED);
        await(() -> subscriptionErrors.size() == 1, "subscription error");
        assertThat(subscriptionErrors.get(0))
                .isInstanceOf(MqttClosedException.class)
                .hasCauseInstanceOf(MqttTransportException.class);
    }
}
