package io.thingflux.alink;

/** A payload is not the Alink JSON it should be (not JSON, a missing or mistyped field). */
public final class MalformedAlinkException extends AlinkException {

    public MalformedAlinkException(String message) {
        super(message);
    }

    public MalformedAlinkException(String message, Throwable cause) {
        super(message, cause);
    }
}
