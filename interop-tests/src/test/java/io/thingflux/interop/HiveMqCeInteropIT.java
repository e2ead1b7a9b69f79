package io.thingflux.interop;

/**
 * The interop matrix against HiveMQ Community Edition embedded in the test JVM (in-memory
 * persistence, usage statistics off, a free loopback port), one broker for the class.
 */
class HiveMqCeInteropIT extends BrokerInteropMatrix {

    @Override
    TestBroker startBroker() {
        return HiveMqCeBroker.start();
    }
}
