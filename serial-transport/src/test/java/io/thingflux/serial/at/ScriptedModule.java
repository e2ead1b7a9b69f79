package io.thingflux.serial.at;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The module end of an in-memory pair, driven by a test: records what the host wrote and sends raw
 * bytes.
 */
final class ScriptedModule implements ByteTransport.Listener {

    private final InMemoryByteTransport end;
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();

    ScriptedModule(InMemoryByteTransport end) {
        this.end = end;
        end.start(this);
    }

    @Override
    public synchronized void onBytes(byte[] chunk) {
        received.writeBytes(chunk);
    }

    @Override
    public void onClosed(Throwable cause) {}

    /** Everything the host wrote so far, as ISO-8859-1 text (byte-exact). */
    synchronized String written() {
        return received.toString(StandardCharsets.ISO_8859_1);
    }

    synchronized byte[] writtenBytes() {
        return received.toByteArray();
    }

    /** Sends text as bytes (ISO-8859-1, byte-exact). */
    void send(String text) {
        send(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    void send(byte[] bytes) {
        try {
            end.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
