package io.thingflux.serial;

/** The module is not ready for MQTT: SIM not ready, not registered, or no PDP context. */
public final class ModuleSetupException extends RuntimeException {
    public ModuleSetupException(String message) {
        super(message);
    }
}
