package io.thingflux.bench;

/**
 * A run was refused before it started because the options cannot work on this machine or together;
 * the message says why and what to change. It never carries a secret.
 */
public final class BenchRefusedException extends RuntimeException {

    public BenchRefusedException(String message) {
        super(message);
    }
}
