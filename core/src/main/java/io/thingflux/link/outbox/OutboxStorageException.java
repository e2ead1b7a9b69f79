package io.thingflux.link.outbox;

/**
 * The file outbox could not be written or read (disk full, permissions, I/O error). A failed write
 * stored nothing: the log is as it was before it.
 */
public final class OutboxStorageException extends OutboxException {

    public OutboxStorageException(String message, Throwable cause) {
        super(message, cause);
    }
}
