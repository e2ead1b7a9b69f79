package io.thingflux.interop;

/**
 * The interop matrix against Mosquitto, the reference C broker, run by the test in the foreground
 * on a free loopback port; skipped with the reason when no mosquitto binary is found (see {@link
 * RequiresMosquitto}).
 */
@RequiresMosquitto
class MosquittoInteropIT extends BrokerInteropMatrix {

    @Override
    TestBroker startBroker() {
        return MosquittoBroker.start();
    }
}
