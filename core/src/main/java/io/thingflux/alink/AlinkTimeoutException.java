package io.thingflux.alink;

import java.time.Duration;

/**
 * No reply came for a request within the configured timeout; the request's id is no longer awaited.
 */
public final class AlinkTimeoutException extends AlinkException {

    private final String id;

    public AlinkTimeoutException(String what, String id, Duration timeout) {
        super("no reply to " + what + " id " + id + " within " + timeout.toMillis() + " ms");
        this.id = id;
    }

    /** The id (Alink id, or NTP deviceSendTime) that went unanswered. */
    public String id() {
        return id;
    }
}
