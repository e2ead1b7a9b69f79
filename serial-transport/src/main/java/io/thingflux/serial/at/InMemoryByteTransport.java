package io.thingflux.serial.at;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One end of an in-memory byte pipe for tests: what one end writes, the other end's listener
 * receives, synchronously on the writer's thread. Bytes written before the peer started are kept
 * (bounded by {@link #MAX_PENDING_BYTES}; beyond it {@link #write(byte[])} fails) and delivered on
 * start.
 */
public final class InMemoryByteTransport implements ByteTransport {

    /** Bytes kept for a peer that has not started yet. */
    public static final int MAX_PENDING_BYTES = 1 << 20;

    private final String name;
    private InMemoryByteTransport peer;
    private Listener listener;
    private final List<byte[]> pending = new ArrayList<>();
    private int pendingBytes;
    private final AtomicBoolean closed = new AtomicBoolean();

    private InMemoryByteTransport(String name) {
        this.name = name;
    }

    /** Two connected ends: {@code [host, module]}. */
    public static InMemoryByteTransport[] pair() {
        InMemoryByteTransport a = new InMemoryByteTransport("in-memory:host");
        InMemoryByteTransport b = new InMemoryByteTransport("in-memory:module");
        a.peer = b;
        b.peer = a;
        return new InMemoryByteTransport[] {a, b};
    }

    @Override
    public void start(Listener listener) {
        Objects.requireNonNull(listener, "listener");
        List<byte[]> backlog;
        synchronized (this) {
            if (this.listener != null) {
                throw new IllegalStateException("already started");
            }
            this.listener = listener;
            backlog = new ArrayList<>(pending);
            pending.clear();
            pendingBytes = 0;
        }
        backlog.forEach(listener::onBytes);
        if (closed.get()) {
            listener.onClosed(null);
        }
    }

    @Override
    public void write(byte[] bytes) throws IOException {
        if (closed.get()) {
            throw new IOException(name + " is closed");
        }
        peer.deliver(bytes.clone());
    }

    private void deliver(byte[] chunk) throws IOException {
        Listener l;
        synchronized (this) {
            l = listener;
            if (l == null) {
                if (pendingBytes + chunk.length > MAX_PENDING_BYTES) {
                    throw new IOException(
                            "peer of " + name + " not started and its backlog is full");
                }
                pending.add(chunk);
                pendingBytes += chunk.length;
                return;
            }
        }
        l.onBytes(chunk);
    }

    @Override
    public String describe() {
        return name;
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            notifyClosed();
            peer.close();
        }
    }

    private void notifyClosed() {
        Listener l;
        synchronized (this) {
            l = listener;
        }
        if (l != null) {
            l.onClosed(null);
        }
    }
}
