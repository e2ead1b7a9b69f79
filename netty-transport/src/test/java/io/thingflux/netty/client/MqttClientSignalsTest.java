package io.thingflux.netty.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.util.concurrent.FastThreadLocalThread;
import io.thingflux.mqtt.MqttQos;
import io.thingflux.mqtt.PubAck;
import io.thingflux.mqtt.Publish;
import io.thingflux.mqtt.SubAck;
import io.thingflux.mqtt.SubAckReturnCode;
import io.thingflux.mqtt.Subscribe;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Where signals reach user code, and what the client measures. */
class MqttClientSignalsTest extends ClientTestSupport {

    private static boolean onEventLoop() {
        return Thread.currentThread() instanceof FastThreadLocalThread
                && Thread.currentThread().getName().startsWith("thingflux-mqtt");
    }

    private List<Boolean> signalThreads(boolean deliverOnEventLoop) throws Exception {
        MqttClient client = client(options().deliverOnEventLoop(deliverOnEventLoop));
        List<Boolean> onLoop = new CopyOnWriteArrayList<>();
        client.connect().subscribe(a -> onLoop.add(onEventLoop()));
        ScriptedBroker.Connection c = acceptNext(client, false);
        client.subscribe("sig/#", MqttQos.AT_MOST_ONCE).subscribe(m -> onLoop.add(onEventLoop()));
        c.send(SubAck.of(c.expect(Subscribe.class).packetId(), SubAckReturnCode.GRANTED_QOS_0),
                Publish.qos0("sig/1", "x"));
        client.publish("sig/out", new byte[1], MqttQos.AT_LEAST_ONCE).subscribe(r -> onLoop.add(onEventLoop()));
        c.send(new PubAck(c.expect(Publish.class).packetId()));
        await(() -> onLoop.size() == 3, "three signals");
        return onLoop;
    }

    @Test
    void signalsLeaveTheEventLoopByDefault() throws Exception {
        assertThat(signalThreads(false)).containsOnly(false);
    }

    @Test
    void signalsStayOnTheEventLoopWhenTheUserOptsIn() throws Exception {
        assertThat(signalThreads(true)).containsOnly(true);
    }

    @Test
    void micrometerMetersCountConnectsInFlightLatencyAndDrops() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        MqttClient client = client(options().qos0BufferSize(1)
                .metrics(MicrometerClientMetrics.create(registry, "app", "test")));
        ScriptedBroker.Connection c = connect(client, false);
        assertThat(registry.get("thingflux.mqtt.client.connects").counter().count()).isEqualTo(1.0);

        List<PublishResult> results = new CopyOnWriteArrayList<>();
        client.publish("m/1", new byte[1], MqttQos.AT_LEAST_ONCE).subscribe(results::add);
        Publish p = c.expect(Publish.class);
        await(() -> registry.get("thingflux.mqtt.client.inflight").gauge().value() == 1.0, "one in flight");
        c.send(new PubAck(p.packetId()));
        await(() -> results.size() == 1, "result");
        assertThat(registry.get("thingflux.mqtt.client.inflight").gauge().value()).isZero();
        assertThat(registry.get("thingflux.mqtt.client.publish.latency").tag("qos", "1").timer().count()).isEqualTo(1);

        MqttClientBackpressureTest.ManualSubscriber idle = new MqttClientBackpressureTest.ManualSubscriber();
        client.subscribe("d/#", MqttQos.AT_MOST_ONCE).subscribe(idle);
        c.send(SubAck.of(c.expect(Subscribe.class).packetId(), SubAckReturnCode.GRANTED_QOS_0),
                Publish.qos0("d/1", "a"), Publish.qos0("d/2", "b"));
        await(() -> client.droppedMessages() == 1, "one drop");
        assertThat(registry.get("thingflux.mqtt.client.dropped").tag("reason", "qos0-overflow").counter().count())
                .isEqualTo(1.0);
    }
}
