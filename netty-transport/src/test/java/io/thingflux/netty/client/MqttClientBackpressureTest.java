package io.thingflux.netty.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.thingflux.link.LinkMessage;
import io.thingflux.mqtt.MqttQos;
import io.thingflux.mqtt.PingReq;
import io.thingflux.mqtt.PingResp;
import io.thingflux.mqtt.PubAck;
import io.thingflux.mqtt.Publish;
import io.thingflux.mqtt.SubAck;
import io.thingflux.mqtt.SubAckReturnCode;
import io.thingflux.mqtt.Subscribe;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

class MqttClientBackpressureTest extends ClientTestSupport {

    /** Requests nothing until told to. */
    static final class ManualSubscriber extends BaseSubscriber<LinkMessage> {
        final List<LinkMessage> received = new CopyOnWriteArrayList<>();

        @Override
        protected void hookOnSubscribe(org.reactivestreams.Subscription subscription) {}

        @Override
        protected void hookOnNext(LinkMessage value) {
            received.add(value);
        }
    }

    private static Publish qos1(int id) {
        return new Publish(
                "bp/" + id,
                MqttQos.AT_LEAST_ONCE,
                false,
                false,
                id,
                ("m" + id).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aSubscriberRequestingOneAtATimePacesThePubAcksOnTheWire() throws Exception {
        pacesThePubAcks(options());
    }

    /** The hand-off to a scheduler takes no message ahead of the subscriber's demand. */
    @Test
    void aSubscriberOnASchedulerPacesThePubAcksTheSameWay() throws Exception {
        Scheduler scheduler = Schedulers.newSingle("user-signals");
        try {
            pacesThePubAcks(options().scheduler(scheduler));
        } finally {
            scheduler.dispose();
        }
    }

    private void pacesThePubAcks(MqttClientOptions.Builder options) throws Exception {
        MqttClient client = client(options.keepAliveSeconds(1).pingTimeout(Duration.ofSeconds(5)));
        ScriptedBroker.Connection c = connect(client, false);
        ManualSubscriber slow = new ManualSubscriber();
        client.subscribe("bp/#", MqttQos.AT_LEAST_ONCE).subscribe(slow);
        c.send(SubAck.of(c.expect(Subscribe.class).packetId(), SubAckReturnCode.GRANTED_QOS_1));
        c.send(qos1(1), qos1(2), qos1(3));

        // nothing taken, nothing acknowledged; the socket is still read (PINGREQ/PINGRESP go on)
        assertThat(c.expect(PingReq.class)).isSameAs(PingReq.INSTANCE);
        c.send(PingResp.INSTANCE);
        assertThat(slow.received).isEmpty();

        slow.request(1);
        assertThat(c.expect(PubAck.class).packetId()).isEqualTo(1);
        await(() -> slow.received.size() == 1, "first message");
        c.expectNothingFor(Duration.ofMillis(300)); // no PUBACK for 2 before it is taken

        slow.request(1);
        assertThat(c.expect(PubAck.class).packetId()).isEqualTo(2);
        slow.request(1);
        assertThat(c.expect(PubAck.class).packetId()).isEqualTo(3);
        await(() -> slow.received.size() == 3, "all messages");
        assertThat(slow.received)
                .extracting(LinkMessage::topic)
                .containsExactly("bp/1", "bp/2", "bp/3");
        assertThat(client.droppedMessages()).isZero();
    }

    @Test
    void qos1MessageMatchingTwoSubscribersIsAcknowledgedWhenBothTookIt() throws Exception {
        MqttClient client = client(options());
        ScriptedBroker.Connection c = connect(client, false);
        ManualSubscriber a = new ManualSubscriber();
        ManualSubscriber b = new ManualSubscriber();
        client.subscribe("bp/#", MqttQos.AT_LEAST_ONCE).subscribe(a);
        client.subscribe("bp/+", MqttQos.AT_LEAST_ONCE).subscribe(b);
        c.send(SubAck.of(c.expect(Subscribe.class).packetId(), SubAckReturnCode.GRANTED_QOS_1));
        c.send(SubAck.of(c.expect(Subscribe.class).packetId(), SubAckReturnCode.GRANTED_QOS_1));
        c.send(qos1(9));
        a.request(1);
        await(() -> a.received.size() == 1, "first subscriber");
        c.expectNothingFor(Duration.ofMillis(200));
        b.request(1);
        assertThat(c.expect(PubAck.class).packetId()).isEqualTo(9);
    }

    @Test
    void qos0BeyondTheBufferDropsTheOldestAndCountsIt() throws Exception {
        dropsTheOldestQos0(options());
    }

    @Test
    void qos0BeyondTheBufferDropsTheOldestOnASchedulerToo() throws Exception {
        Scheduler scheduler = Schedulers.newSingle("user-signals");
        try {
            dropsTheOldestQos0(options().scheduler(scheduler));
        } finally {
            scheduler.dispose();
        }
    }

    private void dropsTheOldestQos0(MqttClientOptions.Builder options) throws Exception {
        MqttClient client = client(options.qos0BufferSize(2));
        ScriptedBroker.Connection c = connect(client, false);
        ManualSubscriber slow = new ManualSubscriber();
        client.subscribe("q0/#", MqttQos.AT_MOST_ONCE).subscribe(slow);
        c.send(SubAck.of(c.expect(Subscribe.class).packetId(), SubAckReturnCode.GRANTED_QOS_0));
        for (int i = 1; i <= 5; i++) {
            c.send(Publish.qos0("q0/" + i, "m"));
        }
        await(() -> client.droppedMessages() == 3, "three drops");
        slow.request(10);
        await(() -> slow.received.size() == 2, "the two newest");
        assertThat(slow.received).extracting(LinkMessage::topic).containsExactly("q0/4", "q0/5");
    }

    @Test
    void cancellingASubscriberReleasesTheAcknowledgementsItHeld() throws Exception {
        MqttClient client = client(options());
        ScriptedBroker.Connection c = connect(client, false);
        ManualSubscriber slow = new ManualSubscriber();
        client.subscribe("bp/#", MqttQos.AT_LEAST_ONCE).subscribe(slow);
        c.send(SubAck.of(c.expect(Subscribe.class).packetId(), SubAckReturnCode.GRANTED_QOS_1));
        c.send(qos1(4), qos1(5));
        c.expectNothingFor(Duration.ofMillis(200));
        slow.cancel();
        assertThat(c.expect(PubAck.class).packetId()).isEqualTo(4);
        assertThat(c.expect(PubAck.class).packetId()).isEqualTo(5);
        c.expect(io.thingflux.mqtt.Unsubscribe.class);
    }
}
