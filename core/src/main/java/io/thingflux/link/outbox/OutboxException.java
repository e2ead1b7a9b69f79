package io.thingflux.link.outbox;

/** An outbox could not take or keep a publish; the subtypes say why. */
public class OutboxException extends RuntimeException {

    public OutboxException(String message, Throwable cause) {
        super(message, cause);
    }
}
