package io.thingflux.netty.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.thingflux.emulator.platform.AliyunPlatformEmulator;
import io.thingflux.emulator.platform.AuthMode;
import io.thingflux.emulator.platform.BrokerStats;
import io.thingflux.emulator.platform.EmulatorOptions;
import io.thingflux.link.LinkMessage;
import io.thingflux.mqtt.MqttQos;
import io.thingflux.mqtt.Subscribe;
import io.thingflux.mqtt.Subscription;
import io.thingflux.netty.client.MqttClient;
import io.thingflux.netty.client.MqttClientOptions;
import io.thingflux.netty.client.MqttClientResources;
import io.thingflux.netty.client.PublishResult;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;

/**
 * The emulator broker under abuse (random bytes, impossible remaining lengths, connections that
 * never send CONNECT, 1,000 idle sessions, a subscribe storm) while a well-behaved device keeps
 * echoing QoS 1 messages through it: every abuser is cut off, the device's echoes keep flowing, and
 * the heap after GC grows by less than {@value #HEAP_GROWTH_LIMIT_MIB} MiB with the idle sessions
 * held, with the storm's sessions held (each session keeps at most {@link
 * EmulatorOptions#DEFAULT_MAX_SUBSCRIPTIONS} filters; the storm asks for ten times that) and once
 * the abusers are gone. How long the device's round trips take is checked in {@link BrokerAbuseIT},
 * which runs the same {@link #abuse} scenario.
 */
class BrokerAbuseTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Duration CONNECT_TIMEOUT =
            Duration.ofSeconds(3); // a cold broker on a busy machine needs a moment
    private static final long HEAP_GROWTH_LIMIT_MIB = 64;
    private static final int IDLE_SESSIONS = 1_000;
    private static final int RANDOM_BYTE_CONNECTIONS = 200;
    private static final int OVERSIZED_LENGTH_CONNECTIONS = 100;
    private static final int SILENT_CONNECTIONS = 100;
    private static final int STORM_CONNECTIONS = 10;
    private static final int STORM_SUBSCRIBES = 1_000;
    private static final int STORM_FILTERS_PER_SUBSCRIBE = 10;

    private final MqttClientResources resources = MqttClientResources.create(1);

    /**
     * One echo of the well-behaved device: its round trip, and whether a stop-the-world GC fell
     * into it.
     */
    record Echo(long roundTripNanos, boolean overlappedGc) {}

    /** What one run of the {@link #abuse} scenario saw. */
    record AbuseRun(
            int cutOff,
            int stillOpen,
            BrokerStats during,
            BrokerStats after,
            List<Echo> echoes,
            int echoesBefore,
            List<PublishResult> failedPosts,
            long heapBefore,
            long heapIdle,
            long heapStorm,
            long heapAfter) {}

    @AfterEach
    void disposeResources() {
        resources.disposeLater().block(Duration.ofSeconds(10));
    }

    @Test
    void abusiveConnectionsAreCutOffWhileAWellBehavedDeviceIsServedAndMemoryStaysBounded()
            throws Exception {
        AbuseRun run = abuse(resources);
        assertThat(run.during().onlineSessions())
                .as("idle and storm sessions are kept")
                .isGreaterThanOrEqualTo(IDLE_SESSIONS + 1);
        assertThat(run.stillOpen()).as("abusive connections left open").isZero();
        assertThat(run.after().protocolErrors())
                .as("random bytes and impossible lengths are protocol errors")
                .isGreaterThanOrEqualTo(OVERSIZED_LENGTH_CONNECTIONS);
        assertThat(run.after().connectTimeouts())
                .as("silent connections time out")
                .isGreaterThanOrEqualTo(SILENT_CONNECTIONS);
        assertThat(run.failedPosts()).as("the device's posts").isEmpty();
        assertThat(run.echoes().size() - run.echoesBefore())
                .as("echoes during the abuse")
                .isPositive();
        assertThat(run.heapIdle() - run.heapBefore())
                .as("heap growth with %d idle sessions held", IDLE_SESSIONS)
                .isLessThan(HEAP_GROWTH_LIMIT_MIB << 20);
        assertThat(run.heapStorm() - run.heapBefore())
                .as("heap growth with the storm's sessions held")
                .isLessThan(HEAP_GROWTH_LIMIT_MIB << 20);
        assertThat(run.heapAfter() - run.heapBefore())
                .as("heap growth after the abuse")
                .isLessThan(HEAP_GROWTH_LIMIT_MIB << 20);
    }

    /**
     * Runs the abuse beside a well-behaved device that posts a QoS 1 message to itself every 100
     * ms, and reports what happened; it asserts nothing but that each phase is reached.
     */
    static AbuseRun abuse(MqttClientResources resources) throws Exception {
        try (AliyunPlatformEmulator broker =
                AliyunPlatformEmulator.start(
                        EmulatorOptions.builder()
                                .port(0)
                                .authMode(AuthMode.NONE)
                                .connectTimeout(CONNECT_TIMEOUT)
                                .build())) {
            InetSocketAddress address = broker.mqttAddress();
            MqttClient good =
                    MqttClient.create(
                            MqttClientOptions.builder("127.0.0.1", address.getPort())
                                    .clientId("well-behaved")
                                    .keepAliveSeconds(30)
                                    .build(),
                            resources);
            good.connect().block(WAIT);
            List<Echo> echoed = new CopyOnWriteArrayList<>();
            List<PublishResult> failedPosts = new CopyOnWriteArrayList<>();
            AtomicLong posted = new AtomicLong();
            Disposable echoes =
                    good.subscribe("good/echo", MqttQos.AT_LEAST_ONCE)
                            .subscribe(m -> echoed.add(echo(m)));
            Disposable posting =
                    Flux.interval(Duration.ofMillis(100))
                            .flatMap(
                                    i -> {
                                        posted.incrementAndGet();
                                        return good.publish(
                                                "good/echo",
                                                nanoTimePayload(),
                                                MqttQos.AT_LEAST_ONCE);
                                    })
                            .subscribe(
                                    r -> {
                                        if (!r.isSuccess()) {
                                            failedPosts.add(r);
                                        }
                                    });
            Deadline.await(WAIT, () -> echoed.size() >= 10, "the device's echoes flow");
            long heapBefore = HeapProbe.usedAfterGc();
            int echoesBefore = echoed.size();

            List<RawConnection> idle = new ArrayList<>();
            for (int i = 0; i < IDLE_SESSIONS; i++) {
                RawConnection c = new RawConnection(address);
                c.send(RawConnection.connect("idle-" + i, 600));
                idle.add(c);
            }
            Deadline.await(
                    WAIT,
                    () -> broker.stats().onlineSessions() >= IDLE_SESSIONS + 1,
                    () -> "idle sessions online: " + broker.stats().onlineSessions());
            long heapIdle = HeapProbe.usedAfterGc();

            List<RawConnection> cutOff = new ArrayList<>();
            Random random = new Random(20261122);
            for (int i = 0; i < RANDOM_BYTE_CONNECTIONS; i++) {
                RawConnection c = new RawConnection(address);
                byte[] junk = new byte[512 + random.nextInt(4096)];
                random.nextBytes(junk);
                c.send(junk);
                cutOff.add(c);
            }
            for (int i = 0; i < OVERSIZED_LENGTH_CONNECTIONS; i++) {
                RawConnection c = new RawConnection(address);
                ByteArrayOutputStream frame = new ByteArrayOutputStream();
                if (i % 2 == 0) { // after a proper CONNECT: a PUBLISH announcing 268,435,455 bytes
                    frame.writeBytes(RawConnection.connect("oversized-" + i, 60));
                    frame.writeBytes(
                            new byte[] {0x30, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x7F});
                } else { // a CONNECT whose remaining length runs to a fifth byte (§2.2.3 allows
                    // four)
                    frame.writeBytes(
                            new byte[] {
                                0x10, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x01
                            });
                }
                c.send(frame.toByteArray());
                cutOff.add(c);
            }
            for (int i = 0; i < SILENT_CONNECTIONS; i++) {
                cutOff.add(new RawConnection(address)); // never sends CONNECT
            }

            List<Thread> readers = new ArrayList<>();
            List<RawConnection> storm = new ArrayList<>();
            for (int c = 0; c < STORM_CONNECTIONS; c++) {
                RawConnection s = new RawConnection(address);
                storm.add(s);
                Thread reader = new Thread(s::drain, "storm-reader-" + c);
                reader.setDaemon(true);
                reader.start();
                readers.add(reader);
                s.send(RawConnection.connect("storm-" + c, 600));
            }
            for (int n = 0; n < STORM_SUBSCRIBES; n++) {
                for (int c = 0; c < STORM_CONNECTIONS; c++) {
                    List<Subscription> filters = new ArrayList<>();
                    for (int f = 0; f < STORM_FILTERS_PER_SUBSCRIBE; f++) {
                        filters.add(
                                new Subscription(
                                        "storm/" + c + "/" + n + "/" + f + "/+",
                                        MqttQos.AT_LEAST_ONCE));
                    }
                    storm.get(c).send(RawConnection.encode(new Subscribe(1 + n % 65_535, filters)));
                }
            }

            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            int stillOpen = 0;
            for (RawConnection c : cutOff) {
                if (!c.closedByPeerWithin(
                        Duration.ofNanos(Math.max(1, deadline - System.nanoTime())))) {
                    stillOpen++;
                }
            }
            BrokerStats during = broker.stats();
            long heapStorm = HeapProbe.usedAfterGc();

            storm.forEach(RawConnection::close);
            idle.forEach(RawConnection::close);
            cutOff.forEach(RawConnection::close);
            for (Thread reader : readers) {
                reader.join(10_000);
            }
            Deadline.await(
                    WAIT,
                    () -> broker.stats().openConnections() == 1,
                    () -> "connections still open: " + broker.stats().openConnections());
            int echoesAfterAbuse = echoed.size();
            Deadline.await(
                    WAIT, () -> echoed.size() >= echoesAfterAbuse + 5, "echoes keep flowing");
            posting.dispose();
            echoes.dispose();
            long heapAfter = HeapProbe.usedAfterGc();
            BrokerStats after = broker.stats();

            System.out.printf(
                    "abuse: %d cut-off connections (%d still open), protocol errors %d, connect timeouts %d,"
                            + " %d idle sessions, %d subscribe filters stormed; well-behaved device %d echoes;"
                            + " heap after GC %s before, %s with the idle sessions, %s with the stormed filters,"
                            + " %s after%n",
                    cutOff.size(),
                    stillOpen,
                    after.protocolErrors(),
                    after.connectTimeouts(),
                    IDLE_SESSIONS,
                    STORM_CONNECTIONS * STORM_SUBSCRIBES * STORM_FILTERS_PER_SUBSCRIBE,
                    echoed.size(),
                    HeapProbe.mib(heapBefore),
                    HeapProbe.mib(heapIdle),
                    HeapProbe.mib(heapStorm),
                    HeapProbe.mib(heapAfter));
            good.disconnect().block(WAIT);
            return new AbuseRun(
                    cutOff.size(),
                    stillOpen,
                    during,
                    after,
                    List.copyOf(echoed),
                    echoesBefore,
                    List.copyOf(failedPosts),
                    heapBefore,
                    heapIdle,
                    heapStorm,
                    heapAfter);
        }
    }

    /** The send time and the count of pausing collections so far, for {@link #echo}. */
    private static byte[] nanoTimePayload() {
        return ByteBuffer.allocate(2 * Long.BYTES)
                .putLong(System.nanoTime())
                .putLong(GcPauses.count())
                .array();
    }

    private static Echo echo(LinkMessage m) {
        long now = System.nanoTime();
        ByteBuffer sent = ByteBuffer.wrap(m.payloadUnsafe());
        long sentAt = sent.getLong();
        return new Echo(now - sentAt, GcPauses.count() != sent.getLong());
    }
}
