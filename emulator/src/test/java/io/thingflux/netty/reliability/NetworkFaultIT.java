package io.thingflux.netty.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.thingflux.emulator.platform.AliyunPlatformEmulator;
import io.thingflux.emulator.platform.AuthMode;
import io.thingflux.emulator.platform.EmulatorOptions;
import io.thingflux.link.LinkState;
import io.thingflux.link.ReconnectPolicy;
import io.thingflux.mqtt.MqttQos;
import io.thingflux.netty.client.MqttClient;
import io.thingflux.netty.client.MqttClientOptions;
import io.thingflux.netty.client.MqttClientResources;
import io.thingflux.netty.testing.FaultInjectingProxy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * How soon a half-open link is found, on the wall clock, over several samples.
 *
 * <p>Keepalive K = 2 s with a ping timeout of K/2. The device posts at QoS 1 (its last write), then
 * the proxy drops everything both ways. The client sends PINGREQ once nothing was written for K and
 * gives up K/2 later; the broker gives up after 1.5 × K without a packet (MQTT-3.1.2-24). So both
 * sides notice the dead link 1.5 × K after the post, never sooner: the lower bound holds for every
 * sample (a timer cannot fire early). The upper bound is checked on the median of the samples, each
 * with the stop-the-world GC time that fell into it subtracted, plus {@value
 * #SCHEDULING_SLACK_MILLIS} ms for timers that run late on a busy machine. {@link NetworkFaultTest}
 * checks the same behaviour without the clock.
 */
class NetworkFaultIT {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final int KEEPALIVE_SECONDS = 2;
    private static final Duration PING_TIMEOUT = Duration.ofMillis(KEEPALIVE_SECONDS * 500L);
    private static final int SAMPLES = 5;
    private static final long SCHEDULING_SLACK_MILLIS = 500;

    @Test
    void halfOpenLinkIsDetectedByBothSidesNotBeforeButWithinOneAndAHalfKeepalives()
            throws InterruptedException {
        long boundNanos =
                TimeUnit.SECONDS.toNanos(KEEPALIVE_SECONDS) + PING_TIMEOUT.toNanos(); // 1.5 × K
        MqttClientResources resources = MqttClientResources.create(1);
        try (AliyunPlatformEmulator broker =
                        AliyunPlatformEmulator.start(
                                EmulatorOptions.builder().port(0).authMode(AuthMode.NONE).build());
                FaultInjectingProxy proxy = FaultInjectingProxy.start(broker.mqttAddress())) {
            MqttClient client =
                    MqttClient.create(
                            MqttClientOptions.builder("127.0.0.1", proxy.port())
                                    .clientId("half-open")
                                    .keepAliveSeconds(KEEPALIVE_SECONDS)
                                    .pingTimeout(PING_TIMEOUT)
                                    .reconnect(
                                            ReconnectPolicy.exponential()
                                                    .withDelays(
                                                            Duration.ofMillis(100),
                                                            Duration.ofMillis(500)))
                                    .build(),
                            resources);
            AtomicLong lostAt =
                    new AtomicLong(); // when the client left CONNECTED, 0 while it has not
            client.states()
                    .subscribe(
                            s -> {
                                if (s != LinkState.CONNECTED) {
                                    lostAt.compareAndSet(0, System.nanoTime());
                                }
                            });
            client.connect().block(WAIT);

            List<Long> clientMillis = new ArrayList<>();
            List<Long> brokerMillis = new ArrayList<>();
            for (int i = 0; i < SAMPLES; i++) {
                Deadline.await(
                        WAIT, () -> client.state() == LinkState.CONNECTED, "client connected");
                long timeoutsBefore = broker.stats().keepAliveTimeouts();
                long gcBefore = GcPauses.millis();
                long postedAt = System.nanoTime();
                client.publish(
                                "devices/d1/telemetry",
                                "before".getBytes(StandardCharsets.UTF_8),
                                MqttQos.AT_LEAST_ONCE)
                        .block(WAIT); // the last write before the link dies
                lostAt.set(0);
                long deadAt = System.nanoTime();
                proxy.blackhole();
                long brokerAt =
                        awaitBoth(
                                lostAt, () -> broker.stats().keepAliveTimeouts() > timeoutsBefore);
                long gcMillis = GcPauses.millis() - gcBefore;
                proxy.pass();

                long clientSincePost = lostAt.get() - postedAt;
                long brokerSincePost = brokerAt - postedAt;
                assertThat(clientSincePost)
                        .as("sample %d: client detection after the last write, ns", i)
                        .isGreaterThanOrEqualTo(boundNanos);
                assertThat(brokerSincePost)
                        .as("sample %d: broker detection after the last packet, ns", i)
                        .isGreaterThanOrEqualTo(boundNanos);
                clientMillis.add(TimeUnit.NANOSECONDS.toMillis(lostAt.get() - deadAt) - gcMillis);
                brokerMillis.add(TimeUnit.NANOSECONDS.toMillis(brokerAt - deadAt) - gcMillis);
            }
            clientMillis.sort(null);
            brokerMillis.sort(null);
            long bound = TimeUnit.NANOSECONDS.toMillis(boundNanos);
            System.out.printf(
                    "half-open: keepalive %d s, ping timeout %d ms, bound %d ms; detection after the"
                            + " link died, GC pauses subtracted: client %s ms, broker %s ms%n",
                    KEEPALIVE_SECONDS, PING_TIMEOUT.toMillis(), bound, clientMillis, brokerMillis);
            assertThat(GcPauses.percentile(clientMillis, 50))
                    .as("median client detection, ms")
                    .isLessThanOrEqualTo(bound + SCHEDULING_SLACK_MILLIS);
            assertThat(GcPauses.percentile(brokerMillis, 50))
                    .as("median broker detection, ms")
                    .isLessThanOrEqualTo(bound + SCHEDULING_SLACK_MILLIS);
            client.disconnect().block(WAIT);
        } finally {
            resources.disposeLater().block(Duration.ofSeconds(10));
        }
    }

    /**
     * Polls until the client has left CONNECTED ({@code lostAt} set by its state listener) and the
     * broker has dropped it, watching both at once so neither time waits for the other; returns
     * when the broker's drop was first seen.
     */
    private static long awaitBoth(AtomicLong lostAt, BooleanSupplier brokerDropped)
            throws InterruptedException {
        long end = System.nanoTime() + WAIT.toNanos();
        long brokerAt = 0;
        while (lostAt.get() == 0 || brokerAt == 0) {
            if (brokerAt == 0 && brokerDropped.getAsBoolean()) {
                brokerAt = System.nanoTime();
            }
            if (System.nanoTime() > end) {
                throw new AssertionError(
                        "not reached within "
                                + WAIT
                                + ": client noticed "
                                + (lostAt.get() != 0)
                                + ", broker dropped the client "
                                + (brokerAt != 0));
            }
            Thread.sleep(5);
        }
        return brokerAt;
    }
}
