package io.thingflux.serial.at;

/**
 * Base of the failures of an AT command. Messages name the command but never its parameters when
 * the command is marked sensitive (secrets).
 */
public abstract class AtException extends RuntimeException {

    private final String command;

    protected AtException(String command, String message) {
        super(message);
        this.command = command;
    }

    /** The command as {@link AtCommand#describe()} shows it (redacted when sensitive). */
    public String command() {
        return command;
    }
}
