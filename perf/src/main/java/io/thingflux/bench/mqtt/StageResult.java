package io.thingflux.bench.mqtt;

import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * The outcome of one scenario stage (or of that stage over several shards merged). Messages are
 * counted in the stage in which they were sent, received or found missing.
 *
 * @param name the stage's name
 * @param type ramp, hold, churn, storm or fanout
 * @param seconds its wall time (the longest shard's when merged)
 * @param connects connects that completed (CONNACK, and SUBACK for subscribers)
 * @param connectFailures connects that failed
 * @param disconnects clean disconnects the stage made (churn, storm)
 * @param sent messages published
 * @param acked publishes completed (written for QoS 0, PUBACK, PUBCOMP)
 * @param publishFailures publishes that failed
 * @param overruns publish slots that could not leave on time
 * @param received messages subscribers received, by publish QoS
 * @param lost messages subscribers found missing in a publisher's sequence, by QoS
 * @param duplicates messages subscribers received twice, by QoS
 * @param connectLatency from each connect's scheduled time to ready (µs)
 * @param ackLatency from each publish's scheduled time to its completion (µs)
 * @param e2eLatency from each publish's scheduled time to its arrival at a subscriber (µs)
 * @param cpuNanos CPU time this process used during the stage (user and system)
 * @param cpuUserNanos of which in user mode (the clients' and the bench's own code; the rest is
 *     mostly the kernel's TCP work, loopback included), 0 where the OS does not tell
 * @param errors counts by reason
 */
public record StageResult(
        String name,
        String type,
        double seconds,
        long connects,
        long connectFailures,
        long disconnects,
        long sent,
        long acked,
        long publishFailures,
        long overruns,
        long[] received,
        long[] lost,
        long[] duplicates,
        Histogram connectLatency,
        Histogram ackLatency,
        Histogram e2eLatency,
        long cpuNanos,
        long cpuUserNanos,
        Map<String, Long> errors) {

    public StageResult {
        errors = new TreeMap<>(errors);
    }

    /** All messages received, whatever their QoS. */
    public long receivedTotal() {
        return received[0] + received[1] + received[2];
    }

    /** All messages found lost. */
    public long lostTotal() {
        return lost[0] + lost[1] + lost[2];
    }

    /** All duplicates. */
    public long duplicatesTotal() {
        return duplicates[0] + duplicates[1] + duplicates[2];
    }

    /** This stage's counts added to {@code other}'s (same stage of another shard). */
    public StageResult plus(StageResult other) {
        Histogram c = connectLatency.copy();
        c.add(other.connectLatency);
        Histogram a = ackLatency.copy();
        a.add(other.ackLatency);
        Histogram e = e2eLatency.copy();
        e.add(other.e2eLatency);
        Map<String, Long> err = new TreeMap<>(errors);
        other.errors.forEach((k, v) -> err.merge(k, v, Long::sum));
        return new StageResult(
                name,
                type,
                Math.max(seconds, other.seconds),
                connects + other.connects,
                connectFailures + other.connectFailures,
                disconnects + other.disconnects,
                sent + other.sent,
                acked + other.acked,
                publishFailures + other.publishFailures,
                overruns + other.overruns,
                add(received, other.received),
                add(lost, other.lost),
                add(duplicates, other.duplicates),
                c,
                a,
                e,
                cpuNanos + other.cpuNanos,
                cpuUserNanos + other.cpuUserNanos,
                err);
    }

    private static long[] add(long[] x, long[] y) {
        return new long[] {x[0] + y[0], x[1] + y[1], x[2] + y[2]};
    }
}
