package io.thingflux.netty.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.FastThreadLocalThread;
import io.thingflux.link.LinkMessage;
import io.thingflux.link.LinkState;
import io.thingflux.link.ReconnectPolicy;
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
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.blockhound.BlockHound;

/**
 * Proves with BlockHound that the client never blocks an event loop (or a Reactor non-blocking
 * thread): the event-loop threads are declared non-blocking and every blocking call on them is
 * recorded.
 */
class MqttClientNonBlockingTest extends ClientTestSupport {

    private static final List<String> BLOCKING_CALLS = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void installBlockHound() {
        BlockHound.builder()
                .nonBlockingThreadPredicate(
                        p ->
                                p.or(
                                        t ->
                                                t instanceof FastThreadLocalThread
                                                        && t.getName()
                                                                .startsWith("thingflux-mqtt")))
                // test logging (console appender) is not the client's doing
                .allowBlockingCallsInside("ch.qos.logback.core.OutputStreamAppender", "writeBytes")
                .allowBlockingCallsInside("ch.qos.logback.core.OutputStreamAppender", "subAppend")
                .blockingMethodCallback(
                        m -> BLOCKING_CALLS.add(m + " on " + Thread.currentThread().getName()))
                .install();
    }

    @BeforeEach
    void forgetEarlierCalls() {
        BLOCKING_CALLS.clear();
    }

    @Test
    void blockingCallOnAClientEventLoopIsDetected() throws Exception {
        resources
                .eventLoopGroup()
                .next()
                .submit(
                        () -> {
                            Thread.sleep(1);
                            return null;
                        })
                .get(10, TimeUnit.SECONDS);
        assertThat(BLOCKING_CALLS).as("the detector works").isNotEmpty();
    }

    @Test
    void connectPublishSubscribeReconnectAndDisconnectNeverBlockAnEventLoop() throws Exception {
        MqttClient client =
                client(
                        options()
                                .keepAliveSeconds(1)
                                .reconnect(
                                        ReconnectPolicy.exponential()
                                                .withDelays(
                                                        java.time.Duration.ofMillis(20),
                                                        java.time.Duration.ofMillis(50))));
        ScriptedBroker.Connection c = connect(client, false);
        List<Object> seen = new CopyOnWriteArrayList<>();
        client.subscribe("nb/#", MqttQos.EXACTLY_ONCE).doOnSubAck(seen::add).subscribe(seen::add);
        c.send(SubAck.of(c.expect(Subscribe.class).packetId(), SubAckReturnCode.GRANTED_QOS_2));
        c.send(
                new Publish(
                        "nb/1",
                        MqttQos.EXACTLY_ONCE,
                        false,
                        false,
                        1,
                        "in".getBytes(StandardCharsets.UTF_8)));
        c.expect(PubRec.class);
        c.send(new PubRel(1));
        c.expect(PubComp.class);

        client.publish(new LinkMessage("nb/out", new byte[3], MqttQos.AT_LEAST_ONCE, false))
                .subscribe(seen::add);
        c.send(new PubAck(c.expect(Publish.class).packetId()));
        await(() -> seen.size() == 3, "suback, message and publish result");

        c.close();
        ScriptedBroker.Connection again = acceptNext(client, false);
        again.expect(Subscribe.class);
        client.disconnect().subscribe();
        awaitState(client, LinkState.CLOSED);
        Set<String> ours = eventLoopThreadNames();
        // only this test's event loops count: an earlier test's group may still be parking while it
        // shuts down
        assertThat(BLOCKING_CALLS)
                .filteredOn(call -> ours.contains(call.substring(call.lastIndexOf(" on ") + 4)))
                .isEmpty();
    }

    private Set<String> eventLoopThreadNames() throws Exception {
        Set<String> names = new HashSet<>();
        for (EventExecutor loop : resources.eventLoopGroup()) {
            names.add(
                    loop.submit(() -> Thread.currentThread().getName()).get(10, TimeUnit.SECONDS));
        }
        return names;
    }
}
