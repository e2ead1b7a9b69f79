package io.thingflux.netty.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.thingflux.link.LinkState;
import io.thingflux.mqtt.ConnAck;
import io.thingflux.mqtt.Connect;
import io.thingflux.netty.NativeTransport;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * {@link MqttClient#states()} on the client's scheduler: every change reaches a subscriber in order
 * even when the scheduler runs behind the event loop (the replay sink behind it keeps only the
 * latest state).
 */
class MqttClientStatesTest {

    /**
     * Runs nothing until {@link #release()}: the client's scheduler falls behind the event loop at
     * will.
     */
    static final class HeldExecutor implements Executor {
        private final ConcurrentLinkedQueue<Runnable> held = new ConcurrentLinkedQueue<>();
        private volatile boolean released;

        @Override
        public void execute(Runnable task) {
            if (released) {
                task.run();
            } else {
                held.add(task);
            }
        }

        void release() {
            released = true;
            for (Runnable r = held.poll(); r != null; r = held.poll()) {
                r.run();
            }
        }
    }

    private final HeldExecutor delivery = new HeldExecutor();
    private MultiThreadIoEventLoopGroup group;
    private Scheduler scheduler;
    private MqttClientResources resources;
    private ScriptedBroker broker;

    @BeforeEach
    void start() {
        group = new MultiThreadIoEventLoopGroup(1, NativeTransport.ioHandlerFactory());
        scheduler = Schedulers.fromExecutor(delivery);
        resources = MqttClientResources.of(group, NativeTransport.socketChannelType());
        broker = ScriptedBroker.start();
    }

    @AfterEach
    void stop() {
        delivery.release();
        broker.close();
        resources.dispose();
        group.shutdownGracefully();
    }

    @Test
    void aSubscriberBehindTheEventLoopSeesEveryStateInOrder() throws Exception {
        MqttClient client =
                MqttClient.create(
                        MqttClientOptions.builder("127.0.0.1", broker.port())
                                .clientId("states")
                                .scheduler(scheduler)
                                .build(),
                        resources);
        List<LinkState> seen = new CopyOnWriteArrayList<>();
        client.states().subscribe(seen::add);
        client.connect().subscribe(ack -> {}, e -> {});
        ScriptedBroker.Connection c = broker.awaitConnection();
        c.expect(Connect.class);
        c.send(ConnAck.accepted(false));
        ClientTestSupport.awaitState(client, LinkState.CONNECTED);
        assertThat(seen).as("nothing delivered while the scheduler is held").isEmpty();

        delivery.release();

        assertThat(seen)
                .containsExactly(LinkState.DISCONNECTED, LinkState.CONNECTING, LinkState.CONNECTED);
    }
}
