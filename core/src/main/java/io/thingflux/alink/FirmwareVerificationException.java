package io.thingflux.alink;

/**
 * A downloaded firmware or configuration file does not match what the platform announced (size, MD5
 * or SHA-256); OTA reports step -3 for it.
 */
public final class FirmwareVerificationException extends AlinkException {

    public FirmwareVerificationException(String message) {
        super(message);
    }
}
