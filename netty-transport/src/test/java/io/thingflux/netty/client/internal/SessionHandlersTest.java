package io.thingflux.netty.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import io.thingflux.link.LinkMessage;
import io.thingflux.link.SubscriptionRefusedException;
import io.thingflux.mqtt.ConnAck;
import io.thingflux.mqtt.MqttProtocolException;
import io.thingflux.mqtt.MqttQos;
import io.thingflux.mqtt.PubAck;
import io.thingflux.mqtt.PubComp;
import io.thingflux.mqtt.PubRec;
import io.thingflux.mqtt.PubRel;
import io.thingflux.mqtt.Publish;
import io.thingflux.mqtt.SubAck;
import io.thingflux.mqtt.SubAckReturnCode;
import io.thingflux.mqtt.Subscribe;
import io.thingflux.mqtt.Subscription;
import io.thingflux.netty.client.MqttClientOptions;
import io.thingflux.netty.client.MqttClientResources;
import io.thingflux.netty.client.PublishResult;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.BaseSubscriber;

/**
 * The session-bound handlers (incoming QoS, the reactive bridge with outgoing QoS and subscription
 * dispatch) on an EmbeddedChannel, with a session whose event loop is the channel's.
 */
class SessionHandlersTest {

    private final EmbeddedChannel ch = new EmbeddedChannel();
    private final ClientSession session =
            new ClientSession(
                    MqttClientOptions.builder("127.0.0.1", 1883)
                            .clientId("h")
                            .maxInFlight(1)
                            .build(),
                    MqttClientResources.of(ch.eventLoop(), EmbeddedChannel.class));

    SessionHandlersTest() {
        ch.pipeline()
                .addLast(
                        MqttIncomingQosHandler.NAME,
                        new MqttIncomingQosHandler(session.qos2Received()));
        ch.pipeline().addLast(MqttReactiveBridge.NAME, new MqttReactiveBridge(session));
        session.adoptConnected(ch, ConnAck.accepted(false));
    }

    @Test
    void outgoingQos2IsReleasedOnPubRecAndCompletedOnPubCompWhileTheWindowHoldsTheNext() {
        List<PublishResult> results = new ArrayList<>();
        session.publish(new LinkMessage("a", new byte[1], MqttQos.EXACTLY_ONCE, false))
                .subscribe(results::add);
        session.publish(new LinkMessage("b", new byte[1], MqttQos.AT_LEAST_ONCE, false))
                .subscribe(results::add);
        ch.runPendingTasks();
        Publish first = ch.readOutbound();
        assertThat((Object) ch.readOutbound()).as("window of one").isNull();
        ch.writeInbound(new PubRec(first.packetId()));
        assertThat((Object) ch.readOutbound()).isEqualTo(new PubRel(first.packetId()));
        assertThat(results).isEmpty();
        ch.writeInbound(new PubComp(first.packetId()));
        assertThat(results).hasSize(1);
        Publish second = ch.readOutbound();
        assertThat(second.topic()).isEqualTo("b");
        ch.writeInbound(new PubAck(second.packetId()));
        assertThat(results).hasSize(2);
        assertThat((Object) ch.readInbound()).as("acknowledgements are consumed").isNull();
    }

    @Test
    void qos0PublishesWaitWhileTheChannelIsNotWritableAndLeaveWhenItIs() {
        List<PublishResult> results = new ArrayList<>();
        ch.unsafe().outboundBuffer().setUserDefinedWritability(1, false);
        assertThat(ch.isWritable()).isFalse();
        session.publish(new LinkMessage("slow", new byte[1], MqttQos.AT_MOST_ONCE, false))
                .subscribe(results::add);
        ch.runPendingTasks();
        assertThat((Object) ch.readOutbound()).as("held in the outbox").isNull();
        assertThat(results).isEmpty();
        ch.unsafe().outboundBuffer().setUserDefinedWritability(1, true);
        ch.runPendingTasks();
        Publish p = ch.readOutbound();
        assertThat(p.topic()).isEqualTo("slow");
        assertThat(results).hasSize(1);
    }

    @Test
    void subscriptionDispatchSendsSubscribeAndDeliversMatchingMessagesOnly() {
        List<String> topics = new ArrayList<>();
        BaseSubscriber<LinkMessage> sub =
                new BaseSubscriber<>() {
                    @Override
                    protected void hookOnNext(LinkMessage value) {
                        topics.add(value.topic());
                    }
                };
        session.subscribe(List.of(new Subscription("x/+", MqttQos.AT_LEAST_ONCE)), sub, null, null);
        ch.runPendingTasks();
        Subscribe s = ch.readOutbound();
        ch.writeInbound(SubAck.of(s.packetId(), SubAckReturnCode.GRANTED_QOS_1));
        ch.writeInbound(
                Publish.qos0("x/1", "a"), Publish.qos0("y/1", "b"), Publish.qos0("x/2", "c"));
        assertThat(topics).containsExactly("x/1", "x/2");
        assertThat(session.droppedMessages()).as("y/1 matched nobody").isEqualTo(1);
    }

    @Test
    void aSubscriptionOfSeveralFiltersMatchesEachExactlyAndResubscribesWithAllOfThemInOrder() {
        List<String> topics = new ArrayList<>();
        List<String> refused = new ArrayList<>();
        BaseSubscriber<LinkMessage> sub =
                new BaseSubscriber<>() {
                    @Override
                    protected void hookOnNext(LinkMessage value) {
                        topics.add(value.topic());
                    }
                };
        List<Subscription> filters =
                List.of(
                        new Subscription("a/b", MqttQos.AT_LEAST_ONCE),
                        new Subscription("a/b/c", MqttQos.AT_MOST_ONCE),
                        new Subscription("d/+/f", MqttQos.AT_LEAST_ONCE),
                        new Subscription("g/#", MqttQos.AT_LEAST_ONCE),
                        new Subscription("+", MqttQos.AT_LEAST_ONCE));
        session.subscribe(filters, sub, null, refused::add);
        ch.runPendingTasks();
        Subscribe s = ch.readOutbound();
        assertThat(s.subscriptions())
                .as("every filter with its own QoS, in order")
                .isEqualTo(filters);
        ch.writeInbound(
                SubAck.of(
                        s.packetId(),
                        SubAckReturnCode.GRANTED_QOS_1,
                        SubAckReturnCode.FAILURE,
                        SubAckReturnCode.GRANTED_QOS_1,
                        SubAckReturnCode.GRANTED_QOS_1,
                        SubAckReturnCode.FAILURE));
        assertThat(refused).containsExactly("a/b/c", "+");
        ch.writeInbound(
                Publish.qos0("a/b", "1"),
                Publish.qos0("a/bc", "2"),
                Publish.qos0("a/b/c", "3"),
                Publish.qos0("a", "4"),
                Publish.qos0("d/e/f", "5"),
                Publish.qos0("d/e/f/g", "6"),
                Publish.qos0("g", "7"),
                Publish.qos0("g/h/i", "8"),
                Publish.qos0("$SYS", "9"),
                Publish.qos0("b/", "10"));
        assertThat(topics).containsExactly("a/b", "a/b/c", "a", "d/e/f", "g", "g/h/i");
    }

    @Test
    void refusedSubscribeFailsTheSubscriber() {
        List<Throwable> errors = new ArrayList<>();
        session.subscribe(
                List.of(new Subscription("no/#", MqttQos.AT_LEAST_ONCE)),
                new BaseSubscriber<>() {
                    @Override
                    protected void hookOnError(Throwable throwable) {
                        errors.add(throwable);
                    }
                },
                null,
                null);
        ch.runPendingTasks();
        Subscribe s = ch.readOutbound();
        ch.writeInbound(SubAck.of(s.packetId(), SubAckReturnCode.FAILURE));
        assertThat(errors).singleElement().isInstanceOf(SubscriptionRefusedException.class);
    }

    @Test
    void bridgeClosesOnAPacketAServerMustNotSendAndRecordsWhy() {
        ch.writeInbound(new Subscribe(1, List.of(new Subscription("a", MqttQos.AT_MOST_ONCE))));
        assertThat(ch.isOpen()).isFalse();
        assertThat(ch.attr(MqttReactiveBridge.CLOSE_CAUSE).get())
                .isInstanceOfSatisfying(
                        MqttProtocolException.class,
                        e ->
                                assertThat(e.reason())
                                        .isEqualTo(MqttProtocolException.Reason.UNEXPECTED_PACKET));
    }
}
