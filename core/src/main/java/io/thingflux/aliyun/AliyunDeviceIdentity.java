package io.thingflux.aliyun;

import java.util.Objects;

/**
 * The device triple the platform knows a device by (one-device-one-secret). The secret never
 * appears in {@link #toString()}.
 */
public record AliyunDeviceIdentity(String productKey, String deviceName, String deviceSecret) {

    public AliyunDeviceIdentity {
        requireText(productKey, "productKey");
        requireText(deviceName, "deviceName");
        requireText(deviceSecret, "deviceSecret");
        if (productKey.indexOf('/') >= 0 || productKey.indexOf('&') >= 0) {
            throw new IllegalArgumentException("productKey must not contain '/' or '&'");
        }
        if (deviceName.indexOf('/') >= 0 || deviceName.indexOf('&') >= 0) {
            throw new IllegalArgumentException("deviceName must not contain '/' or '&'");
        }
    }

    /** The MQTT user name: {@code deviceName&productKey}. */
    public String username() {
        return deviceName + "&" + productKey;
    }

    private static void requireText(String value, String what) {
        Objects.requireNonNull(value, what);
        if (value.isBlank()) {
            throw new IllegalArgumentException(what + " must not be blank");
        }
    }

    /** Shows the product key and device name only. */
    @Override
    public String toString() {
        return "AliyunDeviceIdentity["
                + productKey
                + "/"
                + deviceName
                + ", deviceSecret=<redacted>]";
    }
}
