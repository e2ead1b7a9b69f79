package io.thingflux.serial.at;

import com.fazecast.jSerialComm.SerialPort;
import java.io.IOException;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link ByteTransport} over a jSerialComm {@link SerialPort} (a UART, a USB modem port or a
 * pseudo-terminal), read by one daemon thread in semi-blocking mode.
 *
 * <p>It registers no jSerialComm data listener on purpose: in 2.11.x a closed peer makes the {@code
 * PORT_DISCONNECTED} event fire in a tight loop until the port is closed. The reader thread sees a
 * failed read instead, reports {@link Listener#onClosed(Throwable)} once and closes the port
 * itself.
 */
public final class JSerialCommTransport implements ByteTransport {

    private static final Logger log = LoggerFactory.getLogger(JSerialCommTransport.class);

    /** The default line rate. */
    public static final int DEFAULT_BAUD = 115_200;

    private static final int READ_TIMEOUT_MS = 100;
    private static final int READ_CHUNK = 4096;

    private final SerialPort port;
    private final String path;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean closeReported = new AtomicBoolean();
    private volatile Listener listener;
    private Thread reader;

    private JSerialCommTransport(SerialPort port, String path) {
        this.port = port;
        this.path = path;
    }

    /**
     * Opens {@code path} at {@code baud}, 8N1, no flow control.
     *
     * @throws IOException when the port does not exist or cannot be opened
     */
    public static JSerialCommTransport open(String path, int baud) throws IOException {
        Objects.requireNonNull(path, "path");
        SerialPort port;
        try {
            port = SerialPort.getCommPort(path);
        } catch (RuntimeException e) {
            throw new IOException("no serial port at " + path, e);
        }
        port.setComPortParameters(baud, 8, SerialPort.ONE_STOP_BIT, SerialPort.NO_PARITY);
        port.setFlowControl(SerialPort.FLOW_CONTROL_DISABLED);
        port.setComPortTimeouts(SerialPort.TIMEOUT_READ_SEMI_BLOCKING, READ_TIMEOUT_MS, 0);
        if (!port.openPort()) {
            throw new IOException(
                    "cannot open "
                            + path
                            + " (error "
                            + port.getLastErrorCode()
                            + " at "
                            + port.getLastErrorLocation()
                            + ")");
        }
        return new JSerialCommTransport(port, path);
    }

    @Override
    public synchronized void start(Listener listener) {
        if (this.listener != null) {
            throw new IllegalStateException("already started");
        }
        this.listener = Objects.requireNonNull(listener, "listener");
        reader = new Thread(this::readLoop, "serial-reader " + path);
        reader.setDaemon(true);
        reader.start();
    }

    private void readLoop() {
        byte[] buf = new byte[READ_CHUNK];
        Throwable cause = null;
        try {
            while (!closed.get()) {
                int n = port.readBytes(buf, buf.length);
                if (n > 0) {
                    listener.onBytes(Arrays.copyOf(buf, n));
                } else if (n < 0) {
                    if (!closed.get()) {
                        cause = new IOException(path + " read failed (peer gone?)");
                    }
                    break;
                }
            }
        } catch (RuntimeException e) {
            cause = e;
        }
        close();
        reportClosed(cause);
    }

    private void reportClosed(Throwable cause) {
        Listener l = listener;
        if (l != null && closeReported.compareAndSet(false, true)) {
            l.onClosed(cause);
        }
    }

    @Override
    public void write(byte[] bytes) throws IOException {
        int off = 0;
        while (off < bytes.length) {
            if (closed.get()) {
                throw new IOException(path + " is closed");
            }
            int n = port.writeBytes(bytes, bytes.length - off, off);
            if (n < 0) {
                throw new IOException(
                        "write to " + path + " failed (error " + port.getLastErrorCode() + ")");
            }
            off += n;
        }
    }

    @Override
    public String describe() {
        return path;
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            port.closePort();
            log.debug("closed {}", path);
            if (reader == null || Thread.currentThread() != reader) {
                reportClosed(null);
            }
        }
    }
}
