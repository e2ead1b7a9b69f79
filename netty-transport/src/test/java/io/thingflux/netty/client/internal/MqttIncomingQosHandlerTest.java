package io.thingflux.netty.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import io.thingflux.mqtt.MqttQos;
import io.thingflux.mqtt.PubAck;
import io.thingflux.mqtt.PubComp;
import io.thingflux.mqtt.PubRec;
import io.thingflux.mqtt.PubRel;
import io.thingflux.mqtt.Publish;
import org.junit.jupiter.api.Test;

class MqttIncomingQosHandlerTest {

    private final Qos2ReceivedIds qos2 = new Qos2ReceivedIds();

    private EmbeddedChannel channel() {
        return new EmbeddedChannel(new MqttIncomingQosHandler(qos2));
    }

    private static Publish publish(MqttQos qos, int id, boolean dup) {
        return new Publish("t", qos, dup, false, id, new byte[] {(byte) id});
    }

    @Test
    void acknowledgementsAreWithheldUntilTakenAndSentInArrivalOrder() {
        EmbeddedChannel ch = channel();
        ch.writeInbound(
                publish(MqttQos.AT_LEAST_ONCE, 5, false), publish(MqttQos.EXACTLY_ONCE, 6, false));
        Delivery first = ch.readInbound();
        Delivery second = ch.readInbound();
        first.expect(1);
        second.expect(1);
        assertThat((Object) ch.readOutbound()).as("nothing taken yet").isNull();
        second.taken();
        assertThat((Object) ch.readOutbound()).as("the second waits for the first").isNull();
        first.taken();
        ch.runPendingTasks(); // acknowledgements released outside a read are flushed by a task
        assertThat((Object) ch.readOutbound()).isEqualTo(new PubAck(5));
        assertThat((Object) ch.readOutbound()).isEqualTo(new PubRec(6));
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void qos0IsPassedOnWithoutAnyAcknowledgement() {
        EmbeddedChannel ch = channel();
        ch.writeInbound(Publish.qos0("t", "x"));
        Delivery d = ch.readInbound();
        assertThat(d.isQos0()).isTrue();
        d.expect(1);
        d.taken();
        assertThat((Object) ch.readOutbound()).isNull();
    }

    @Test
    void repeatedQos2PublishIsAcknowledgedAgainButNotDeliveredTwice() {
        EmbeddedChannel ch = channel();
        ch.writeInbound(publish(MqttQos.EXACTLY_ONCE, 9, false));
        Delivery d = ch.readInbound();
        d.expect(1);
        d.taken();
        ch.runPendingTasks();
        assertThat((Object) ch.readOutbound()).isEqualTo(new PubRec(9));
        ch.writeInbound(publish(MqttQos.EXACTLY_ONCE, 9, true));
        assertThat((Object) ch.readInbound()).as("not delivered again").isNull();
        assertThat((Object) ch.readOutbound()).isEqualTo(new PubRec(9));
        ch.writeInbound(new PubRel(9));
        assertThat((Object) ch.readOutbound()).isEqualTo(new PubComp(9));
        assertThat(qos2.size()).isZero();
        ch.writeInbound(publish(MqttQos.EXACTLY_ONCE, 9, false));
        assertThat((Object) ch.readInbound()).as("a new message after PUBREL").isNotNull();
    }

    @Test
    void theConnectionsPendingAcknowledgementsAreDroppedWhenItCloses() {
        EmbeddedChannel ch = channel();
        ch.writeInbound(publish(MqttQos.AT_LEAST_ONCE, 1, false));
        Delivery d = ch.readInbound();
        d.expect(1);
        ch.close();
        d.taken();
        assertThat((Object) ch.readOutbound()).isNull();
    }

    @Test
    void theWithheldQueueEmptiesAndFillsAgainInOrder() {
        MqttIncomingQosHandler handler = new MqttIncomingQosHandler(qos2);
        EmbeddedChannel ch = new EmbeddedChannel(handler);
        ch.writeInbound(
                publish(MqttQos.AT_LEAST_ONCE, 1, false),
                publish(MqttQos.AT_LEAST_ONCE, 2, false),
                publish(MqttQos.AT_LEAST_ONCE, 3, false));
        Delivery one = ch.readInbound();
        Delivery two = ch.readInbound();
        Delivery three = ch.readInbound();
        for (Delivery d : new Delivery[] {one, two, three}) {
            d.expect(1);
        }
        assertThat(handler.pendingAcks()).isEqualTo(3);
        three.taken();
        one.taken();
        ch.runPendingTasks();
        assertThat((Object) ch.readOutbound()).isEqualTo(new PubAck(1));
        assertThat((Object) ch.readOutbound()).as("3 waits for 2").isNull();
        assertThat(handler.pendingAcks()).isEqualTo(2);
        two.taken();
        ch.runPendingTasks();
        assertThat((Object) ch.readOutbound()).isEqualTo(new PubAck(2));
        assertThat((Object) ch.readOutbound()).isEqualTo(new PubAck(3));
        assertThat(handler.pendingAcks()).isZero();

        // after the queue ran empty, new messages queue from the start again
        ch.writeInbound(
                publish(MqttQos.AT_LEAST_ONCE, 4, false), publish(MqttQos.EXACTLY_ONCE, 5, false));
        Delivery four = ch.readInbound();
        Delivery five = ch.readInbound();
        four.expect(1);
        five.expect(1);
        five.taken();
        four.taken();
        ch.runPendingTasks();
        assertThat((Object) ch.readOutbound()).isEqualTo(new PubAck(4));
        assertThat((Object) ch.readOutbound()).isEqualTo(new PubRec(5));
        assertThat(handler.pendingAcks()).isZero();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }
}
