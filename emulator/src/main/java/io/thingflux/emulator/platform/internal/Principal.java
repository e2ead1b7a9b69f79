package io.thingflux.emulator.platform.internal;

/**
 * Who an accepted connection is: a device (product key and device name), an application identity,
 * or an anonymous client of a plain broker. {@code sessionKey} names the session: one per device (a
 * second connection of the same device takes the first one's place), one per client identifier
 * otherwise.
 */
record Principal(Kind kind, String productKey, String deviceName, String sessionKey) {

    enum Kind {
        DEVICE,
        APP,
        ANONYMOUS
    }

    static Principal device(String productKey, String deviceName) {
        return new Principal(
                Kind.DEVICE, productKey, deviceName, "device:" + productKey + "/" + deviceName);
    }

    static Principal app(String clientId) {
        return new Principal(Kind.APP, null, null, "client:" + clientId);
    }

    static Principal anonymous(String clientId) {
        return new Principal(Kind.ANONYMOUS, null, null, "client:" + clientId);
    }

    boolean isDevice() {
        return kind == Kind.DEVICE;
    }
}
