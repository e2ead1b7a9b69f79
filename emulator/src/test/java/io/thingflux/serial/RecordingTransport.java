package io.thingflux.serial;

import io.thingflux.serial.at.ByteTransport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * A {@link ByteTransport} that passes everything through to another one and keeps a copy of what
 * the host wrote, so a test can read the AT commands the driver sent.
 */
final class RecordingTransport implements ByteTransport {

    private final ByteTransport delegate;
    private final ByteArrayOutputStream written = new ByteArrayOutputStream();

    RecordingTransport(ByteTransport delegate) {
        this.delegate = delegate;
    }

    @Override
    public void start(Listener listener) {
        delegate.start(listener);
    }

    @Override
    public void write(byte[] bytes) throws IOException {
        synchronized (written) {
            written.writeBytes(bytes);
        }
        delegate.write(bytes);
    }

    /**
     * What the host wrote so far, split at CR (a command's end); payloads after a prompt run into
     * the next piece.
     */
    List<String> writtenLines() {
        String all;
        synchronized (written) {
            all = written.toString(StandardCharsets.ISO_8859_1);
        }
        return Arrays.stream(all.split("\r")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    @Override
    public String describe() {
        return delegate.describe();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
