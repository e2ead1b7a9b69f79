package io.thingflux.serial.at;

/** The channel or its transport is closed; the command was not (or not completely) executed. */
public final class AtChannelClosedException extends AtException {
    public AtChannelClosedException(String command, Throwable cause) {
        super(command, command + ": AT channel closed");
        if (cause != null) {
            initCause(cause);
        }
    }
}
