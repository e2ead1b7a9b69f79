package io.thingflux.emulator.platform;

import java.util.Objects;

/**
 * A request to the emulator (from Java or the admin API) that it cannot carry out, with an error
 * code in the style of the platform's OpenAPI (e.g. {@code iot.device.NotExistedDevice}).
 */
public final class EmulatorRequestException extends RuntimeException {

    /** The device is not known to the emulator. */
    public static final String DEVICE_NOT_FOUND = "iot.device.NotExistedDevice";

    /** The device is known but not connected. */
    public static final String DEVICE_OFFLINE = "iot.device.DeviceOffline";

    /** A parameter is missing or malformed. */
    public static final String INVALID_PARAMETER = "iot.common.InvalidParameter";

    private final String code;

    public EmulatorRequestException(String code, String message) {
        super(message);
        this.code = Objects.requireNonNull(code, "code");
    }

    /** The OpenAPI-style error code. */
    public String code() {
        return code;
    }
}
