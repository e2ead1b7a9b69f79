package io.thingflux.serial.at;

/** The bounded command queue of an {@link AtChannel} was full; the command was not queued. */
public final class AtQueueFullException extends AtException {
    public AtQueueFullException(String command, int capacity) {
        super(command, command + ": command queue full (" + capacity + " waiting)");
    }
}
