package io.thingflux.cli;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * Runs an action on SIGINT (Ctrl-C) and SIGTERM instead of letting the JVM exit at once, so a
 * command can disconnect cleanly and choose its exit code. Where the signals cannot be handled
 * (another platform), the JVM's default stays in place.
 */
final class ProcessSignals {

    private static final Logger log = LoggerFactory.getLogger(ProcessSignals.class);

    private ProcessSignals() {}

    /** Calls {@code action} (on a signal-dispatch thread) when SIGINT or SIGTERM arrives. */
    static void onInterrupt(Runnable action) {
        for (String name : new String[] {"INT", "TERM"}) {
            try {
                Signal.handle(new Signal(name), s -> action.run());
            } catch (IllegalArgumentException | UnsupportedOperationException e) {
                log.debug("SIG{} cannot be handled here: {}", name, e.toString());
            }
        }
    }
}
