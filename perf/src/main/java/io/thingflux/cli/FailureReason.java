package io.thingflux.cli;

import java.time.Duration;
import reactor.core.Exceptions;

/**
 * How the commands name a failure on stderr: one line, the innermost useful message, without stack
 * or secrets.
 */
final class FailureReason {

    /** How long disconnecting may take before a command exits anyway. */
    static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);

    private FailureReason() {}

    /** One line naming {@code e}: its message, and its cause's when that adds something. */
    static String of(Throwable e) {
        Throwable t = Exceptions.unwrap(e);
        String text = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        Throwable cause = t.getCause();
        if (cause != null && cause.getMessage() != null && !text.contains(cause.getMessage())) {
            text = text + " (" + cause.getMessage() + ")";
        }
        return text.replace('\n', ' ').replace('\r', ' ');
    }
}
