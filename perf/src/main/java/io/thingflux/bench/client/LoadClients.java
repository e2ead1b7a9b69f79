package io.thingflux.bench.client;

import io.thingflux.bench.BenchClientKind;
import io.thingflux.bench.LoadClient;
import io.thingflux.bench.LoadClientConfig;

/** Makes the {@link LoadClient} a run asked for. */
public final class LoadClients {

    private LoadClients() {}

    /**
     * The client of {@code kind} for {@code config}.
     *
     * @param inflight posts of one device awaiting their reply at most
     */
    public static LoadClient create(BenchClientKind kind, LoadClientConfig config, int inflight) {
        switch (kind) {
            case HIVEMQ:
                return new HiveMqLoadClient(config);
            case NETTY_CODEC:
                return new CodecFloorLoadClient(config);
            case THINGFLUX:
            default:
                return new ThingfluxLoadClient(config, inflight);
        }
    }
}
