package io.thingflux.serial.at;

import java.io.IOException;

/**
 * A full-duplex byte pipe to a module (a serial port, a pseudo-terminal, or an in-memory peer), the
 * seam under {@link AtChannel}.
 *
 * <p>Bytes arrive through the {@link Listener} given to {@link #start(Listener)}, on a thread of
 * the transport's choosing, in chunks split arbitrarily. {@link Listener#onClosed(Throwable)} is
 * called at most once.
 */
public interface ByteTransport extends AutoCloseable {

    /** Receives what the transport reads. Implementations must return quickly. */
    interface Listener {
        /** A chunk of bytes, owned by the listener from now on. */
        void onBytes(byte[] chunk);

        /**
         * The transport is closed (peer gone, I/O error or {@link #close()}); {@code cause} may be
         * null.
         */
        void onClosed(Throwable cause);
    }

    /** Starts delivering bytes to {@code listener}; may be called once. */
    void start(Listener listener);

    /** Writes all of {@code bytes}; blocks at most as long as the underlying device needs. */
    void write(byte[] bytes) throws IOException;

    /** A short description for logs, e.g. the device path. */
    String describe();

    /** Closes the transport; idempotent. */
    @Override
    void close();
}
