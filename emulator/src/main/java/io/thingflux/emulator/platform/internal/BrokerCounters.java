package io.thingflux.emulator.platform.internal;

import io.thingflux.emulator.platform.BrokerStats;
import io.thingflux.mqtt.ConnectReturnCode;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** The broker's counters, updated from every event loop without locking. */
final class BrokerCounters {

    final LongAdder openConnections = new LongAdder();
    final LongAdder onlineSessions = new LongAdder();
    final LongAdder connectsAccepted = new LongAdder();
    final RateMeter connectRate = new RateMeter();
    final LongAdder[] refused = new LongAdder[6];
    final LongAdder connectTimeouts = new LongAdder();
    final LongAdder keepAliveTimeouts = new LongAdder();
    final LongAdder protocolErrors = new LongAdder();
    final LongAdder aclViolations = new LongAdder();
    final LongAdder publishesReceived = new LongAdder();
    final LongAdder publishesDelivered = new LongAdder();
    final LongAdder offlineDropped = new LongAdder();
    final LongAdder slowConsumerDrops = new LongAdder();
    final LongAdder recordingDrops = new LongAdder();

    BrokerCounters() {
        for (int i = 0; i < refused.length; i++) {
            refused[i] = new LongAdder();
        }
    }

    void accepted() {
        connectsAccepted.increment();
        connectRate.record();
    }

    void refused(ConnectReturnCode code) {
        refused[code.code()].increment();
    }

    BrokerStats snapshot() {
        Map<Integer, Long> byCode = new HashMap<>();
        for (int i = 1; i < refused.length; i++) {
            long n = refused[i].sum();
            if (n > 0) {
                byCode.put(i, n);
            }
        }
        return new BrokerStats(
                openConnections.sum(),
                onlineSessions.sum(),
                connectsAccepted.sum(),
                connectRate.lastSecond(),
                byCode,
                connectTimeouts.sum(),
                keepAliveTimeouts.sum(),
                protocolErrors.sum(),
                aclViolations.sum(),
                publishesReceived.sum(),
                publishesDelivered.sum(),
                offlineDropped.sum(),
                slowConsumerDrops.sum(),
                recordingDrops.sum());
    }
}
