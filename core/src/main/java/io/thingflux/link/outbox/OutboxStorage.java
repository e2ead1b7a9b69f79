package io.thingflux.link.outbox;

/**
 * Where a link keeps its outbox: a value in the link's options that the link opens once for its
 * client identity. {@link #memory()} (the default) keeps nothing beyond the link's own queues;
 * {@link FileOutboxOptions} keeps a crash-safe log in a directory per identity.
 */
public interface OutboxStorage {

    /**
     * Opens the store of {@code identity} (a client id: one directory, one process at a time).
     *
     * @throws OutboxLockedException when another process holds it
     * @throws OutboxStorageException when it cannot be read or created
     */
    OutboxStore open(String identity);

    /** The in-memory outbox: nothing is written anywhere and nothing survives the process. */
    static OutboxStorage memory() {
        return MemoryOutbox.STORAGE;
    }
}
