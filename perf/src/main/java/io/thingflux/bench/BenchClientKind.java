package io.thingflux.bench;

import java.util.Locale;

/** Which MQTT client drives the simulated devices. */
public enum BenchClientKind {
    /** thingflux's own device API over its Netty client. */
    THINGFLUX,
    /** The HiveMQ MQTT Client 1.4.x (async API): the reference for side-by-side comparison. */
    HIVEMQ,
    /**
     * A bare Netty channel with only thingflux's codec and one small handler: the floor a client
     * library adds its cost to (no reconnect, backpressure or offline queue; plain TCP only).
     */
    NETTY_CODEC;

    /**
     * The name on the command line and in results: {@code thingflux}, {@code hivemq} or {@code
     * netty-codec}.
     */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * The kind named {@code name} on the command line.
     *
     * @throws BenchRefusedException listing the accepted names
     */
    public static BenchClientKind fromCliName(String name) {
        for (BenchClientKind k : values()) {
            if (k.cliName().equalsIgnoreCase(name)) {
                return k;
            }
        }
        throw new BenchRefusedException(
                "--client must be thingflux, hivemq or netty-codec, was '" + name + "'");
    }
}
