package io.thingflux.netty.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.thingflux.mqtt.MqttQos;
import io.thingflux.mqtt.PubAck;
import io.thingflux.mqtt.Publish;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;
import reactor.test.util.RaceTestUtils;

/** Publishes made on other threads reach the event loop in order, a burst as one task. */
class MqttClientHandOffTest extends ClientTestSupport {

    @Test
    void aBurstPublishedWhileTheLoopIsBusyIsTakenByOneTaskInPublishOrder() throws Exception {
        MqttClient client = client(options().maxInFlight(100));
        ScriptedBroker.Connection c = connect(client, false);
        io.netty.channel.EventLoop loop =
                resources.eventLoopGroup().next(); // one loop: the client's
        CountDownLatch busy = new CountDownLatch(1);
        CountDownLatch blocking = new CountDownLatch(1);
        loop.execute(
                () -> {
                    blocking.countDown();
                    try {
                        busy.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
        assertThat(blocking.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
        List<String> done = new CopyOnWriteArrayList<>();
        for (int i = 0; i < 50; i++) {
            String topic = "burst/" + i;
            client.publish(topic, new byte[0], MqttQos.AT_LEAST_ONCE)
                    .subscribe(r -> done.add(topic));
        }
        assertThat(((io.netty.util.concurrent.SingleThreadEventExecutor) loop).pendingTasks())
                .as("one hand-off task for 50 publishes")
                .isEqualTo(1);
        busy.countDown();

        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            Publish p = c.expect(Publish.class);
            sent.add(p.topic());
            c.send(new PubAck(p.packetId()));
        }
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            expected.add("burst/" + i);
        }
        assertThat(sent).isEqualTo(expected);
        await(() -> done.size() == 50, "50 results");
        assertThat(done).isEqualTo(expected);
    }

    /**
     * A publish made on the loop while other threads' publishes still wait in the hand-off stack
     * goes after them: a {@code publish(Flux)} whose source emits on the caller's thread until the
     * window is full, then on the loop when a PUBACK requests more, keeps its order (Mosquitto's
     * ten-thousand-message interop test received 0, 1, 2, 64 before this).
     */
    @Test
    void aPublishMadeOnTheLoopGoesAfterThoseStillWaitingInTheHandOffStack() throws Exception {
        MqttClient client = client(options().maxInFlight(100));
        ScriptedBroker.Connection c = connect(client, false);
        io.netty.channel.EventLoop loop = resources.eventLoopGroup().next();
        CountDownLatch busy = new CountDownLatch(1);
        CountDownLatch blocking = new CountDownLatch(1);
        loop.execute(
                () -> {
                    blocking.countDown();
                    try {
                        busy.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    // still in this task, before the hand-off task runs: a publish on the loop
                    client.publish("order/3", new byte[0], MqttQos.AT_LEAST_ONCE).subscribe();
                });
        assertThat(blocking.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
        for (int i = 0; i < 3; i++) {
            client.publish("order/" + i, new byte[0], MqttQos.AT_LEAST_ONCE).subscribe();
        }
        busy.countDown();

        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Publish p = c.expect(Publish.class);
            sent.add(p.topic());
            c.send(new PubAck(p.packetId()));
        }
        assertThat(sent).containsExactly("order/0", "order/1", "order/2", "order/3");
    }

    /**
     * Two threads publishing while the loop takes their earlier publishes: the hand-off stack
     * (pushed by any thread, taken whole by the loop) loses, repeats and reorders nothing.
     */
    @Test
    void publishesPushedWhileTheLoopTakesThemAreEachSentOnceInEachThreadsOrder() throws Exception {
        MqttClient client = client(options());
        ScriptedBroker.Connection c = connect(client, false);
        int each = 100;
        for (int round = 0; round < 20; round++) {
            String prefix = "race/" + round + "/";
            RaceTestUtils.race(
                    () -> publishRange(client, prefix + "a/", each),
                    () -> publishRange(client, prefix + "b/", each));
            List<String> a = new ArrayList<>();
            List<String> b = new ArrayList<>();
            for (int i = 0; i < 2 * each; i++) {
                String topic = c.expect(Publish.class).topic();
                (topic.startsWith(prefix + "a/") ? a : b).add(topic);
            }
            assertThat(a).isEqualTo(range(prefix + "a/", each));
            assertThat(b).isEqualTo(range(prefix + "b/", each));
        }
        c.expectNothingFor(Duration.ofMillis(100));
    }

    private static void publishRange(MqttClient client, String prefix, int count) {
        for (int i = 0; i < count; i++) {
            client.publish(prefix + i, new byte[0], MqttQos.AT_MOST_ONCE).subscribe();
        }
    }

    private static List<String> range(String prefix, int count) {
        List<String> topics = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            topics.add(prefix + i);
        }
        return topics;
    }

    /**
     * A long burst written in one event-loop turn starts leaving before the turn ends: the client
     * flushes after every 16 publishes, so the broker gets the first 32 of 40 while the loop is
     * still busy.
     */
    @Test
    void aLongBurstOnTheLoopIsFlushedEverySixteenPublishesBeforeTheTurnEnds() throws Exception {
        MqttClient client = client(options().maxInFlight(100));
        ScriptedBroker.Connection c = connect(client, false);
        io.netty.channel.EventLoop loop =
                resources.eventLoopGroup().next(); // one loop: the client's
        CountDownLatch release = new CountDownLatch(1);
        loop.execute(
                () -> {
                    for (int i = 0; i < 40; i++) {
                        client.publish("burst/" + i, new byte[0], MqttQos.AT_LEAST_ONCE)
                                .subscribe();
                    }
                    try {
                        release.await(WAIT.toMillis(), TimeUnit.MILLISECONDS); // the turn goes on
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
        try {
            for (int i = 0; i < 32; i++) {
                assertThat(c.expect(Publish.class).topic()).isEqualTo("burst/" + i);
            }
        } finally {
            release.countDown();
        }
        for (int i = 32; i < 40; i++) {
            assertThat(c.expect(Publish.class).topic())
                    .isEqualTo("burst/" + i); // the rest at the turn's end
        }
    }

    @Test
    void publishesFromManyThreadsAreAllSentOnce() throws Exception {
        MqttClient client = client(options().maxInFlight(1000));
        ScriptedBroker.Connection c = connect(client, false);
        int threads = 4;
        int each = 100;
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> started = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            Thread th =
                    new Thread(
                            () -> {
                                try {
                                    start.await();
                                } catch (InterruptedException e) {
                                    return;
                                }
                                for (int i = 0; i < each; i++) {
                                    client.publish(
                                                    "m/" + id + "/" + i,
                                                    "x".getBytes(StandardCharsets.UTF_8),
                                                    MqttQos.AT_LEAST_ONCE)
                                            .subscribe();
                                }
                            });
            th.start();
            started.add(th);
        }
        start.countDown();
        for (Thread th : started) {
            th.join(WAIT.toMillis());
        }
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < threads * each; i++) {
            Publish p = c.expect(Publish.class);
            sent.add(p.topic());
            c.send(new PubAck(p.packetId()));
        }
        assertThat(sent).doesNotHaveDuplicates().hasSize(threads * each);
        for (int t = 0;
                t < threads;
                t++) { // each thread's publishes leave in the order it made them
            String prefix = "m/" + t + "/";
            List<String> mine = sent.stream().filter(s -> s.startsWith(prefix)).toList();
            for (int i = 0; i < each; i++) {
                assertThat(mine.get(i)).isEqualTo(prefix + i);
            }
        }
    }

    @Test
    void aPublishAfterTheResourcesWereDisposedFailsWithMqttClosedException() throws Exception {
        MqttClientResources own = MqttClientResources.create(1);
        MqttClient client = MqttClient.create(options().build(), own);
        own.disposeLater().block(WAIT);
        StepVerifier.create(client.publish("t", new byte[0], MqttQos.AT_LEAST_ONCE))
                .expectError(MqttClosedException.class)
                .verify(WAIT);
    }
}
