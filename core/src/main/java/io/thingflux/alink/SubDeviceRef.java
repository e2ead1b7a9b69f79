package io.thingflux.alink;

import java.util.Objects;

/**
 * A sub-device (or any device) named by product key and device name, as the gateway and session
 * messages list them.
 */
public record SubDeviceRef(String productKey, String deviceName) {

    public SubDeviceRef {
        Objects.requireNonNull(productKey, "productKey");
        Objects.requireNonNull(deviceName, "deviceName");
    }

    /** {@code pk/dn}: the key a gateway routes by. */
    public String key() {
        return productKey + "/" + deviceName;
    }

    @Override
    public String toString() {
        return productKey + "/" + deviceName;
    }
}
