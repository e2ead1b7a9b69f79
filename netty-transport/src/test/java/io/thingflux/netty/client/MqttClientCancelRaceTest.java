package io.thingflux.netty.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.thingflux.link.LinkMessage;
import io.thingflux.mqtt.MqttQos;
import io.thingflux.mqtt.PubAck;
import io.thingflux.mqtt.Publish;
import io.thingflux.mqtt.SubAck;
import io.thingflux.mqtt.SubAckReturnCode;
import io.thingflux.mqtt.Subscribe;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.test.util.RaceTestUtils;

/**
 * A subscriber's cancel racing the emission of messages it asked for (the demand and queue code of
 * the internal {@code IncomingSubscription}, and the hand-off to a scheduler): whichever wins,
 * every QoS 1 message is acknowledged exactly once, in order, and the subscriber never gets more
 * than it asked for. Request and cancel themselves are called one after the other, as Reactive
 * Streams §2.7 asks of a subscriber.
 */
class MqttClientCancelRaceTest extends ClientTestSupport {

    private static final int ROUNDS = 100;

    private static Publish qos1(int id) {
        return new Publish(
                "race/" + id,
                MqttQos.AT_LEAST_ONCE,
                false,
                false,
                id,
                ("m" + id).getBytes(StandardCharsets.UTF_8));
    }

    @ParameterizedTest(name = "with a scheduler: {0}")
    @ValueSource(booleans = {false, true})
    void cancelRacingEmissionReleasesEveryAcknowledgementOnce(boolean withScheduler)
            throws Exception {
        Scheduler scheduler = withScheduler ? Schedulers.newParallel("user-signals", 2) : null;
        try {
            MqttClient client = client(options().scheduler(scheduler));
            ScriptedBroker.Connection c = connect(client, false);
            List<LinkMessage> witnessed = new CopyOnWriteArrayList<>();
            client.subscribe("race/#", MqttQos.AT_LEAST_ONCE)
                    .subscribe(witnessed::add); // keeps the filter
            c.send(SubAck.of(c.expect(Subscribe.class).packetId(), SubAckReturnCode.GRANTED_QOS_1));
            for (int round = 0; round < ROUNDS; round++) {
                MqttClientBackpressureTest.ManualSubscriber racer =
                        new MqttClientBackpressureTest.ManualSubscriber();
                client.subscribe("race/#", MqttQos.AT_LEAST_ONCE).subscribe(racer);
                c.send(
                        SubAck.of(
                                c.expect(Subscribe.class).packetId(),
                                SubAckReturnCode.GRANTED_QOS_1));
                racer.request(1);
                int first = 2 * round + 1;

                RaceTestUtils.race(() -> c.send(qos1(first), qos1(first + 1)), racer::cancel);

                int seen = 2 * (round + 1);
                await(() -> witnessed.size() == seen, "the witness took both messages");
                assertThat(c.expect(PubAck.class).packetId()).isEqualTo(first);
                assertThat(c.expect(PubAck.class).packetId()).isEqualTo(first + 1);
                assertThat(racer.received).hasSizeLessThanOrEqualTo(1);
            }
        } finally {
            if (scheduler != null) {
                scheduler.dispose();
            }
        }
    }
}
