package io.thingflux.emulator.ec600s;

import io.thingflux.serial.at.AtFrame;
import io.thingflux.serial.at.AtFramer;
import io.thingflux.serial.at.ByteTransport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A raw host for tests: writes bytes to a transport and collects what the module sends as text
 * frames (lines; {@code "> "} for a prompt; a payload line rebuilt as one line).
 */
final class HostSide implements ByteTransport.Listener, AutoCloseable {

    private final ByteTransport transport;
    private final BlockingQueue<String> frames = new LinkedBlockingQueue<>();
    private final AtFramer framer = new AtFramer(this::onFrame);

    HostSide(ByteTransport transport) {
        this.transport = transport;
        transport.start(this);
    }

    private void onFrame(AtFrame f) {
        if (f instanceof AtFrame.Line l) {
            frames.add(l.text());
        } else if (f instanceof AtFrame.Prompt) {
            frames.add("> ");
        } else if (f instanceof AtFrame.PayloadLine pl) {
            frames.add(
                    pl.header() + "\"" + new String(pl.payload(), StandardCharsets.UTF_8) + "\"");
        }
    }

    @Override
    public synchronized void onBytes(byte[] chunk) {
        framer.feed(chunk);
    }

    @Override
    public void onClosed(Throwable cause) {}

    void sendCommand(String line) throws IOException {
        transport.write((line + "\r").getBytes(StandardCharsets.UTF_8));
    }

    void sendRaw(byte[] bytes) throws IOException {
        transport.write(bytes);
    }

    /** The next frame, or null after {@code timeout}. */
    String next(Duration timeout) throws InterruptedException {
        return frames.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        transport.close();
    }
}
