package io.thingflux.netty.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.thingflux.mqtt.MqttQos;
import io.thingflux.mqtt.PubAck;
import io.thingflux.mqtt.Publish;
import io.thingflux.mqtt.SubAck;
import io.thingflux.mqtt.SubAckReturnCode;
import io.thingflux.mqtt.Subscribe;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/** Where signals reach user code, and what the client measures. */
class MqttClientSignalsTest extends ClientTestSupport {

    /**
     * The threads connect, a subscriber's onNext and a publish result were signalled on, in that
     * order.
     */
    private List<String> signalThreads(MqttClientOptions.Builder options) throws Exception {
        MqttClient client = client(options);
        List<String> threads = new CopyOnWriteArrayList<>();
        client.connect().subscribe(a -> threads.add(Thread.currentThread().getName()));
        ScriptedBroker.Connection c = acceptNext(client, false);
        await(() -> threads.size() == 1, "connect signalled");
        client.subscribe("sig/#", MqttQos.AT_MOST_ONCE)
                .subscribe(m -> threads.add(Thread.currentThread().getName()));
        c.send(
                SubAck.of(c.expect(Subscribe.class).packetId(), SubAckReturnCode.GRANTED_QOS_0),
                Publish.qos0("sig/1", "x"));
        await(() -> threads.size() == 2, "message signalled");
        client.publish("sig/out", new byte[1], MqttQos.AT_LEAST_ONCE)
                .subscribe(r -> threads.add(Thread.currentThread().getName()));
        c.send(new PubAck(c.expect(Publish.class).packetId()));
        await(() -> threads.size() == 3, "three signals");
        return threads;
    }

    @Test
    void byDefaultEverySignalArrivesOnTheClientsEventLoop() throws Exception {
        assertThat(signalThreads(options()))
                .allSatisfy(t -> assertThat(t).startsWith("thingflux-mqtt"));
    }

    @Test
    void withASchedulerEverySignalArrivesOnIt() throws Exception {
        Scheduler scheduler = Schedulers.newSingle("user-signals");
        try {
            assertThat(signalThreads(options().scheduler(scheduler)))
                    .allSatisfy(t -> assertThat(t).startsWith("user-signals"));
        } finally {
            scheduler.dispose();
        }
    }

    @Test
    void micrometerMetersCountConnectsInFlightLatencyAndDrops() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        MqttClient client =
                client(
                        options()
                                .qos0BufferSize(1)
                                .metrics(MicrometerClientMetrics.create(registry, "app", "test")));
        ScriptedBroker.Connection c = connect(client, false);
        assertThat(registry.get("thingflux.mqtt.client.connects").counter().count()).isEqualTo(1.0);

        List<PublishResult> results = new CopyOnWriteArrayList<>();
        client.publish("m/1", new byte[1], MqttQos.AT_LEAST_ONCE).subscribe(results::add);
        Publish p = c.expect(Publish.class);
        await(
                () -> registry.get("thingflux.mqtt.client.inflight").gauge().value() == 1.0,
                "one in flight");
        c.send(new PubAck(p.packetId()));
        await(() -> results.size() == 1, "result");
        assertThat(registry.get("thingflux.mqtt.client.inflight").gauge().value()).isZero();
        assertThat(
                        registry.get("thingflux.mqtt.client.publish.latency")
                                .tag("qos", "1")
                                .timer()
                                .count())
                .isEqualTo(1);

        MqttClientBackpressureTest.ManualSubscriber idle =
                new MqttClientBackpressureTest.ManualSubscriber();
        client.subscribe("d/#", MqttQos.AT_MOST_ONCE).subscribe(idle);
        c.send(
                SubAck.of(c.expect(Subscribe.class).packetId(), SubAckReturnCode.GRANTED_QOS_0),
                Publish.qos0("d/1", "a"),
                Publish.qos0("d/2", "b"));
        await(() -> client.droppedMessages() == 1, "one drop");
        assertThat(
                        registry.get("thingflux.mqtt.client.dropped")
                                .tag("reason", "qos0-overflow")
                                .counter()
                                .count())
                .isEqualTo(1.0);
    }
}
