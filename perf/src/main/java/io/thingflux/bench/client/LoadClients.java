package io.thingflux.bench.client;

import io.thingflux.bench.BenchClientKind;
import io.thingflux.bench.BenchRefusedException;
import io.thingflux.bench.LoadClient;
import io.thingflux.bench.LoadClientConfig;

/** Makes the {@link LoadClient} a run asked for. */
public final class LoadClients {

    private LoadClients() {
    }

    public static LoadClient create(BenchClientKind kind, LoadClientConfig config) {
        switch (kind) {
            case HIVEMQ:
                return new HiveMqLoadClient(config);
            case THINGFLUX:
            default:
                throw new BenchRefusedException("--client thingflux is not available in this build yet; use --client hivemq");
        }
    }
}
