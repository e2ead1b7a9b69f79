package io.thingflux.netty.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.thingflux.link.LinkMessage;
import io.thingflux.mqtt.MqttQos;
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
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

class MqttClientQosTest extends ClientTestSupport {

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void qos0PublishCompletesOnWriteWithoutAnyAcknowledgement() throws Exception {
        MqttClient client = client(options());
        ScriptedBroker.Connection c = connect(client, false);
        StepVerifier.create(client.publish("t/0", bytes("zero"), MqttQos.AT_MOST_ONCE))
                .assertNext(r -> assertThat(r.isSuccess()).isTrue())
                .expectComplete()
                .verify(WAIT);
        Publish p = c.expect(Publish.class);
        assertThat(p.qos()).isEqualTo(MqttQos.AT_MOST_ONCE);
        assertThat(p.packetId()).isZero();
    }

    @Test
    void qos1PublishCompletesOnlyOnPubAck() throws Exception {
        MqttClient client = client(options());
        ScriptedBroker.Connection c = connect(client, false);
        List<PublishResult> results = new CopyOnWriteArrayList<>();
        client.publish("t/1", bytes("one"), MqttQos.AT_LEAST_ONCE).subscribe(results::add);
        Publish p = c.expect(Publish.class);
        assertThat(p.qos()).isEqualTo(MqttQos.AT_LEAST_ONCE);
        assertThat(p.dup()).isFalse();
        // a PUBREL is answered with a PUBCOMP once read: the client has handled everything sent
        // before it
        c.send(new PubRel(40_000));
        assertThat(c.expect(PubComp.class).packetId()).isEqualTo(40_000);
        c.expectNothingFor(Duration.ofMillis(100));
        assertThat(results).as("not complete after the write").isEmpty();
        c.send(
                new PubAck(p.packetId() == 1 ? 2 : 1),
                new PubRel(40_001)); // someone else's id: ignored
        assertThat(c.expect(PubComp.class).packetId()).isEqualTo(40_001);
        c.expectNothingFor(Duration.ofMillis(100));
        assertThat(results).as("not complete after a PUBACK with another packet id").isEmpty();
        c.send(new PubAck(p.packetId()));
        await(() -> results.size() == 1, "QoS 1 result");
        assertThat(results.get(0).isSuccess()).isTrue();
        assertThat(results.get(0).message().topic()).isEqualTo("t/1");
    }

    @Test
    void qos2PublishRunsPubRecPubRelPubCompAndCompletesOnPubComp() throws Exception {
        MqttClient client = client(options());
        ScriptedBroker.Connection c = connect(client, false);
        List<PublishResult> results = new CopyOnWriteArrayList<>();
        client.publish("t/2", bytes("two"), MqttQos.EXACTLY_ONCE).subscribe(results::add);
        Publish p = c.expect(Publish.class);
        assertThat(p.qos()).isEqualTo(MqttQos.EXACTLY_ONCE);
        c.send(new PubRec(p.packetId()));
        assertThat(c.expect(PubRel.class).packetId()).isEqualTo(p.packetId());
        c.expectNothingFor(Duration.ofMillis(100));
        assertThat(results).as("not complete before PUBCOMP").isEmpty();
        c.send(new PubComp(p.packetId()));
        await(() -> results.size() == 1, "QoS 2 result");
        assertThat(results.get(0).isSuccess()).isTrue();
    }

    @Test
    void inFlightWindowHoldsFurtherQos1PublishesUntilAnAckFreesRoom() throws Exception {
        MqttClient client = client(options().maxInFlight(2));
        ScriptedBroker.Connection c = connect(client, false);
        List<PublishResult> results = new CopyOnWriteArrayList<>();
        client.publish(
                        Flux.range(0, 3)
                                .map(
                                        i ->
                                                new LinkMessage(
                                                        "w/" + i,
                                                        bytes("x"),
                                                        MqttQos.AT_LEAST_ONCE,
                                                        false)))
                .subscribe(results::add);
        Publish first = c.expect(Publish.class);
        Publish second = c.expect(Publish.class);
        assertThat(second.packetId()).isNotEqualTo(first.packetId());
        c.expectNothingFor(Duration.ofMillis(200));
        c.send(new PubAck(first.packetId()));
        Publish third = c.expect(Publish.class);
        assertThat(third.topic()).isEqualTo("w/2");
        c.send(new PubAck(second.packetId()), new PubAck(third.packetId()));
        await(() -> results.size() == 3, "three results");
        assertThat(results)
                .extracting(r -> r.message().topic())
                .containsExactly("w/0", "w/1", "w/2");
    }

    @Test
    void incomingQos2IsDeliveredExactlyOnceAndCompletedWithPubComp() throws Exception {
        MqttClient client = client(options());
        ScriptedBroker.Connection c = connect(client, false);
        List<LinkMessage> got = new CopyOnWriteArrayList<>();
        Disposable sub = client.subscribe("in/#", MqttQos.EXACTLY_ONCE).subscribe(got::add);
        Subscribe s = c.expect(Subscribe.class);
        c.send(SubAck.of(s.packetId(), SubAckReturnCode.GRANTED_QOS_2));
        c.send(new Publish("in/a", MqttQos.EXACTLY_ONCE, false, false, 7, bytes("once")));
        assertThat(c.expect(PubRec.class).packetId()).isEqualTo(7);
        c.send(
                new Publish(
                        "in/a",
                        MqttQos.EXACTLY_ONCE,
                        true,
                        false,
                        7,
                        bytes("once"))); // broker resends
        assertThat(c.expect(PubRec.class).packetId()).isEqualTo(7);
        c.send(new PubRel(7));
        assertThat(c.expect(PubComp.class).packetId()).isEqualTo(7);
        c.send(
                new Publish(
                        "in/a",
                        MqttQos.EXACTLY_ONCE,
                        false,
                        false,
                        7,
                        bytes("next"))); // id reused after PUBREL
        assertThat(c.expect(PubRec.class).packetId()).isEqualTo(7);
        await(() -> got.size() == 2, "two deliveries");
        c.expectNothingFor(Duration.ofMillis(100));
        assertThat(got).extracting(LinkMessage::payloadAsString).containsExactly("once", "next");
        sub.dispose();
    }

    @Test
    void incomingQos1AcknowledgementsFollowArrivalOrder() throws Exception {
        MqttClient client = client(options());
        ScriptedBroker.Connection c = connect(client, false);
        client.subscribe("o/#", MqttQos.AT_LEAST_ONCE).subscribe();
        Subscribe s = c.expect(Subscribe.class);
        c.send(SubAck.of(s.packetId(), SubAckReturnCode.GRANTED_QOS_1));
        c.send(
                new Publish("o/1", MqttQos.AT_LEAST_ONCE, false, false, 30, bytes("a")),
                new Publish("o/2", MqttQos.AT_LEAST_ONCE, false, false, 10, bytes("b")),
                new Publish("o/3", MqttQos.AT_LEAST_ONCE, false, false, 20, bytes("c")));
        assertThat(c.expect(PubAck.class).packetId()).isEqualTo(30);
        assertThat(c.expect(PubAck.class).packetId()).isEqualTo(10);
        assertThat(c.expect(PubAck.class).packetId()).isEqualTo(20);
    }

    @Test
    void cancellingTheOnlySubscriberSendsUnsubscribe() throws Exception {
        MqttClient client = client(options());
        ScriptedBroker.Connection c = connect(client, false);
        Disposable first = client.subscribe("u/#", MqttQos.AT_MOST_ONCE).subscribe();
        Disposable second = client.subscribe("u/#", MqttQos.AT_MOST_ONCE).subscribe();
        c.send(SubAck.of(c.expect(Subscribe.class).packetId(), SubAckReturnCode.GRANTED_QOS_0));
        c.send(SubAck.of(c.expect(Subscribe.class).packetId(), SubAckReturnCode.GRANTED_QOS_0));
        first.dispose();
        c.expectNothingFor(
                Duration.ofMillis(200)); // the filter is still used by the second subscriber
        second.dispose();
        io.thingflux.mqtt.Unsubscribe u = c.expect(io.thingflux.mqtt.Unsubscribe.class);
        assertThat(u.filters()).containsExactly("u/#");
        c.send(new io.thingflux.mqtt.UnsubAck(u.packetId()));
    }

    @Test
    void subAckCodesReachTheSubscriberBeforeTheFirstMessage() throws Exception {
        MqttClient client = client(options());
        ScriptedBroker.Connection c = connect(client, false);
        List<Object> events = new CopyOnWriteArrayList<>();
        client.subscribe(
                        new io.thingflux.mqtt.Subscription("a/#", MqttQos.AT_LEAST_ONCE),
                        new io.thingflux.mqtt.Subscription("b/#", MqttQos.AT_LEAST_ONCE))
                .doOnSubAck(events::add)
                .subscribe(m -> events.add(m.topic()));
        Subscribe s = c.expect(Subscribe.class);
        assertThat(s.subscriptions()).hasSize(2);
        c.send(
                SubAck.of(s.packetId(), SubAckReturnCode.GRANTED_QOS_1, SubAckReturnCode.FAILURE),
                Publish.qos0("a/1", "x"));
        await(() -> events.size() == 2, "suback and message");
        assertThat(events)
                .containsExactly(
                        List.of(SubAckReturnCode.GRANTED_QOS_1, SubAckReturnCode.FAILURE), "a/1");
    }

    @Test
    void unmatchedMessagesGoToUnsolicited() throws Exception {
        MqttClient client = client(options());
        ScriptedBroker.Connection c = connect(client, false);
        StepVerifier.create(client.unsolicited().take(1))
                .then(() -> c.send(Publish.qos0("/ext/register", "{}")))
                .assertNext(m -> assertThat(m.topic()).isEqualTo("/ext/register"))
                .expectComplete()
                .verify(WAIT);
    }
}
