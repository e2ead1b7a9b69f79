package io.thingflux.link.outbox;

import java.nio.file.Path;

/** Another process (or another link of this one) holds the outbox directory of this identity. */
public final class OutboxLockedException extends OutboxException {

    public OutboxLockedException(Path dir) {
        super("the outbox directory " + dir + " is in use by another process or link", null);
    }
}
