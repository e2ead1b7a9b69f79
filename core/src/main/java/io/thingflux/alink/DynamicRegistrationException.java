package io.thingflux.alink;

/**
 * A dynamic registration did not produce a secret or token (refused, no result in time, a result
 * without one).
 */
public final class DynamicRegistrationException extends AlinkException {

    public DynamicRegistrationException(String message) {
        super(message);
    }

    public DynamicRegistrationException(String message, Throwable cause) {
        super(message, cause);
    }
}
