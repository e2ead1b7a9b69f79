package io.thingflux.serial.at;

/**
 * The module sent {@code RDY} (it rebooted) while a command was in flight or waiting for its result
 * URC.
 */
public final class ModuleRebootedException extends AtException {
    public ModuleRebootedException(String command) {
        super(command, command + ": the module rebooted (RDY) before the command completed");
    }
}
