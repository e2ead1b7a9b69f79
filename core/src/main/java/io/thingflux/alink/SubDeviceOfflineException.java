package io.thingflux.alink;

/**
 * A sub-device's request failed because the sub-device is not logged in now: the gateway's link
 * dropped (the sub-device is logged in again when it comes back), or it was logged out.
 */
public final class SubDeviceOfflineException extends AlinkException {

    public SubDeviceOfflineException(String message) {
        super(message);
    }
}
