package io.thingflux.interop;

/**
 * The interop matrix against Mosquitto, the reference C broker, run by the test in the foreground on a free
 * loopback port; skipped with the reason when no mosquitto binary is found (see {@link RequiresMosquitto}).
 */
@RequiresMosquitto
class MosquittoInteropIT extends BrokerInteropMatrix {

    private MosquittoBroker broker;

    @Override
    void startBroker() {
        broker = MosquittoBroker.start();
    }

    @Override
    void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @Override
    String host() {
        return broker.host();
    }

    @Override
    int port() {
        return broker.port();
    }
}
