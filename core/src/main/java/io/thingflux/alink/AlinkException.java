package io.thingflux.alink;

/**
 * A thing-model operation failed: the platform answered with an error code, no answer came in time,
 * too many requests were waiting, or a message could not be read. Messages never contain secrets or
 * payloads.
 */
public class AlinkException extends RuntimeException {

    public AlinkException(String message) {
        super(message);
    }

    public AlinkException(String message, Throwable cause) {
        super(message, cause);
    }
}
