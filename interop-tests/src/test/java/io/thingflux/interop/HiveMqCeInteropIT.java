package io.thingflux.interop;

/**
 * The interop matrix against HiveMQ Community Edition embedded in the test JVM (in-memory persistence, usage
 * statistics off, a free loopback port), one broker for the class.
 */
class HiveMqCeInteropIT extends BrokerInteropMatrix {

    private HiveMqCeBroker broker;

    @Override
    void startBroker() {
        broker = HiveMqCeBroker.start();
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
