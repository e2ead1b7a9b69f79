package io.thingflux.netty.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.thingflux.emulator.platform.AliyunPlatformEmulator;
import io.thingflux.emulator.platform.AuthMode;
import io.thingflux.emulator.platform.EmulatorOptions;
import io.thingflux.link.LinkState;
import io.thingflux.link.ReconnectPolicy;
import io.thingflux.netty.client.MqttClient;
import io.thingflux.netty.client.MqttClientOptions;
import io.thingflux.netty.client.MqttClientResources;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

/**
 * 2,000 devices lose their broker at once (it crashes and is started again on the same port) and
 * come back with jitter instead of all in the same instant.
 *
 * <p>The bound: with initial delay B and jitter j, a device's first retry falls uniformly in
 * [B·(1−j), B·(1+j)], a window 2·j·B wide, so N devices arrive at N / (2·j·B) per second on
 * average. Here N = 2,000, B = 2 s, j = 0.5: 1,000 per second. The CONNECTs the broker accepts in
 * any one-second window must stay under 1.5 × that = 1,500: the margin covers the randomness (a
 * one-second window holds on average 1,000 of the draws, standard deviation near 22) and a broker
 * stalled for up to half a second on a busy machine that then accepts its backlog in a burst.
 * Without jitter all 2,000 would land within a few milliseconds. A slow machine otherwise spreads
 * arrivals further, which only lowers the peak. Nobody may come back before B·(1−j) = 1 s after the
 * crash.
 */
class ReconnectStormIT {

    private static final int DEVICES = 2_000;
    private static final Duration INITIAL_DELAY = Duration.ofSeconds(2);
    private static final double JITTER = 0.5;
    private static final Duration WAIT = Duration.ofSeconds(120);

    @Test
    void twoThousandDevicesLosingTheBrokerAtOnceReconnectSpreadByJitterUnderTheStatedRate() {
        long expectedPerSecond =
                Math.round(DEVICES / (2 * JITTER * INITIAL_DELAY.toMillis() / 1000.0));
        long bound = Math.round(1.5 * expectedPerSecond);
        MqttClientResources resources = MqttClientResources.create(2);
        AliyunPlatformEmulator first =
                AliyunPlatformEmulator.start(
                        EmulatorOptions.builder()
                                .port(0)
                                .authMode(AuthMode.NONE)
                                .eventLoopThreads(2)
                                .build());
        int port = first.mqttAddress().getPort();
        AliyunPlatformEmulator second = null;
        List<MqttClient> devices = new ArrayList<>();
        try {
            ReconnectPolicy policy =
                    ReconnectPolicy.exponential()
                            .withDelays(INITIAL_DELAY, Duration.ofSeconds(30))
                            .withJitter(JITTER);
            for (int i = 0; i < DEVICES; i++) {
                devices.add(
                        MqttClient.create(
                                MqttClientOptions.builder("127.0.0.1", port)
                                        .clientId("storm-" + i)
                                        .keepAliveSeconds(300)
                                        .reconnect(policy)
                                        .build(),
                                resources));
            }
            Flux.fromIterable(devices).flatMap(MqttClient::connect, 100).blockLast(WAIT);
            assertThat(first.stats().onlineSessions()).isEqualTo(DEVICES);

            long crash = System.nanoTime();
            first.close(); // every device loses the broker at once
            second =
                    AliyunPlatformEmulator.start(
                            EmulatorOptions.builder()
                                    .port(port)
                                    .authMode(AuthMode.NONE)
                                    .eventLoopThreads(2)
                                    .build());
            AliyunPlatformEmulator restarted = second;
            long peak;
            long firstBackMillis;
            try (ConnectRateProbe probe =
                    new ConnectRateProbe(() -> restarted.stats().connectsAccepted(), 10)) {
                Deadline.await(
                        WAIT,
                        () -> restarted.stats().onlineSessions() == DEVICES,
                        () -> "back online: " + restarted.stats().onlineSessions());
                probe.close();
                peak = probe.peakIncreaseWithin(1_000);
                firstBackMillis = (probe.firstIncreaseNanos() - crash) / 1_000_000;
            }
            long allBackMillis = (System.nanoTime() - crash) / 1_000_000;
            System.out.printf(
                    "reconnect storm: %d devices, B=%d ms, jitter ±%.0f %%: peak %d CONNECTs in any 1 s"
                            + " (expected mean %d/s, bound %d/s), first back after %d ms, all back after %d ms%n",
                    DEVICES,
                    INITIAL_DELAY.toMillis(),
                    JITTER * 100,
                    peak,
                    expectedPerSecond,
                    bound,
                    firstBackMillis,
                    allBackMillis);
            assertThat(peak)
                    .as("CONNECTs accepted in the busiest second")
                    .isLessThanOrEqualTo(bound);
            assertThat(firstBackMillis)
                    .as("nobody came back before the shortest jittered delay")
                    .isGreaterThanOrEqualTo((long) (INITIAL_DELAY.toMillis() * (1 - JITTER)));
            assertThat(devices)
                    .allSatisfy(d -> assertThat(d.state()).isEqualTo(LinkState.CONNECTED));
            Flux.fromIterable(devices).flatMap(MqttClient::disconnect, 200).blockLast(WAIT);
        } finally {
            first.close();
            if (second != null) {
                second.close();
            }
            resources.disposeLater().block(Duration.ofSeconds(30));
        }
    }
}
