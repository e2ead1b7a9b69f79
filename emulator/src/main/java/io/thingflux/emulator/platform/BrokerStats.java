package io.thingflux.emulator.platform;

import java.util.Map;

/**
 * A snapshot of the broker's counters, all since start.
 *
 * @param openConnections TCP/TLS connections open now (before and after CONNECT)
 * @param onlineSessions connections that completed CONNECT and are open now
 * @param connectsAccepted CONNECTs answered with CONNACK 0
 * @param connectsPerSecond CONNECTs accepted during the last whole second
 * @param refusedByReturnCode CONNECTs refused, by CONNACK return code (1..5)
 * @param connectTimeouts connections closed because no CONNECT arrived in time
 * @param keepAliveTimeouts connections closed because nothing arrived within 1.5 × keepalive
 * @param protocolErrors connections closed for a malformed frame or a protocol violation
 * @param aclViolations connections closed for a forbidden PUBLISH, plus forbidden SUBSCRIBE filters
 * @param publishesReceived PUBLISH packets received from clients
 * @param publishesDelivered PUBLISH packets written to clients
 * @param offlineMessagesDropped QoS 1 messages dropped (oldest first) from a full offline session
 *     queue
 * @param slowConsumerDrops messages dropped because a connection could not take them (QoS 0 while
 *     unwritable, or a full pending queue)
 * @param recordingDrops received publishes not recorded because the recorder's queue was full
 */
public record BrokerStats(
        long openConnections,
        long onlineSessions,
        long connectsAccepted,
        long connectsPerSecond,
        Map<Integer, Long> refusedByReturnCode,
        long connectTimeouts,
        long keepAliveTimeouts,
        long protocolErrors,
        long aclViolations,
        long publishesReceived,
        long publishesDelivered,
        long offlineMessagesDropped,
        long slowConsumerDrops,
        long recordingDrops) {

    public BrokerStats {
        refusedByReturnCode = Map.copyOf(refusedByReturnCode);
    }

    /** All refused CONNECTs. */
    public long connectsRefused() {
        return refusedByReturnCode.values().stream().mapToLong(Long::longValue).sum();
    }
}
