package io.thingflux.link.outbox.internal;

import io.thingflux.link.outbox.FileOutboxOptions;
import java.nio.file.Path;

/**
 * A second process for {@link FileOutboxTest}: opens the outbox of identity {@code args[1]} under
 * {@code args[0]}, prints {@code locked} and holds it until its stdin closes.
 */
public final class OutboxLockHolder {

    public static void main(String[] args) throws Exception {
        try (FileOutbox outbox = FileOutbox.open(FileOutboxOptions.in(Path.of(args[0])), args[1])) {
            System.out.println("locked");
            System.out.flush();
            while (System.in.read() >= 0) {
                // hold the lock until the parent closes stdin or kills us
            }
        }
    }
}
