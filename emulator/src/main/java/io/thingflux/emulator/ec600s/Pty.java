package io.thingflux.emulator.ec600s;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import io.thingflux.serial.at.ByteTransport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A pseudo-terminal pair made with libc ({@code posix_openpt}, {@code grantpt}, {@code unlockpt},
 * {@code ptsname}) through JNA, in raw mode, whose master side is a {@link ByteTransport}: the
 * emulator talks through the master, a host opens {@link #devicePath()} like a serial port. No
 * system tool needed.
 *
 * <p>The pty keeps its own descriptor of the slave open, so the master never reads EIO while no
 * host has the device open, and a host may close and reopen it.
 */
public final class Pty implements ByteTransport {

    private static final Logger log = LoggerFactory.getLogger(Pty.class);

    private static final int O_RDWR = 2;
    private static final int O_NOCTTY = 0x100;
    private static final int TCSANOW = 0;
    private static final short POLLIN = 1;
    private static final int EINTR = 4;
    private static final int EAGAIN = 11;
    private static final int EIO = 5;

    /** Generous room for any libc's struct termios (60 bytes on Linux glibc). */
    private static final int TERMIOS_BYTES = 256;

    /** The libc functions used, mapped by JNA. */
    interface LibC extends Library {
        int posix_openpt(int flags);

        int grantpt(int fd);

        int unlockpt(int fd);

        String ptsname(int fd);

        int open(String path, int flags);

        int close(int fd);

        NativeLong read(int fd, byte[] buf, NativeLong count);

        NativeLong write(int fd, byte[] buf, NativeLong count);

        int tcgetattr(int fd, byte[] termios);

        void cfmakeraw(byte[] termios);

        int tcsetattr(int fd, int optionalActions, byte[] termios);

        int poll(int[] fds, NativeLong nfds, int timeoutMs);
    }

    private static final class Holder {
        static final LibC LIBC = Native.load("c", LibC.class);
    }

    private final int master;
    private final int slave;
    private final String devicePath;
    private final Path link;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile Listener listener;
    private Thread reader;

    private Pty(int master, int slave, String devicePath, Path link) {
        this.master = master;
        this.slave = slave;
        this.devicePath = devicePath;
        this.link = link;
    }

    /**
     * Opens a new raw pseudo-terminal pair; with {@code link} non-null, also a symlink to the
     * device there.
     */
    public static Pty open(Path link) throws IOException {
        LibC c = Holder.LIBC;
        int master = c.posix_openpt(O_RDWR | O_NOCTTY);
        if (master < 0) {
            throw new IOException("posix_openpt failed, errno " + Native.getLastError());
        }
        int slave = -1;
        try {
            if (c.grantpt(master) != 0 || c.unlockpt(master) != 0) {
                throw new IOException("grantpt/unlockpt failed, errno " + Native.getLastError());
            }
            String path = c.ptsname(master);
            if (path == null) {
                throw new IOException("ptsname failed, errno " + Native.getLastError());
            }
            slave = c.open(path, O_RDWR | O_NOCTTY);
            if (slave < 0) {
                throw new IOException("cannot open " + path + ", errno " + Native.getLastError());
            }
            byte[] termios = new byte[TERMIOS_BYTES];
            if (c.tcgetattr(slave, termios) != 0) {
                throw new IOException("tcgetattr failed, errno " + Native.getLastError());
            }
            c.cfmakeraw(termios);
            if (c.tcsetattr(slave, TCSANOW, termios) != 0) {
                throw new IOException("tcsetattr failed, errno " + Native.getLastError());
            }
            if (link != null) {
                Files.deleteIfExists(link);
                Files.createSymbolicLink(link, Path.of(path));
            }
            return new Pty(master, slave, path, link);
        } catch (IOException | RuntimeException e) {
            if (slave >= 0) {
                c.close(slave);
            }
            c.close(master);
            throw e;
        }
    }

    /** The device a host opens, e.g. {@code /dev/pts/3}. */
    public String devicePath() {
        return devicePath;
    }

    /** The symlink, if one was asked for. */
    public Path link() {
        return link;
    }

    @Override
    public synchronized void start(Listener listener) {
        if (this.listener != null) {
            throw new IllegalStateException("already started");
        }
        this.listener = listener;
        reader = new Thread(this::readLoop, "pty-master " + devicePath);
        reader.setDaemon(true);
        reader.start();
    }

    private void readLoop() {
        LibC c = Holder.LIBC;
        byte[] buf = new byte[4096];
        int[] pollfd = new int[2];
        Throwable cause = null;
        while (!closed.get()) {
            pollfd[0] = master;
            pollfd[1] = POLLIN; // events in the low half, revents in the high half (little endian)
            int ready = c.poll(pollfd, new NativeLong(1), 100);
            if (ready <= 0) {
                continue;
            }
            long n = c.read(master, buf, new NativeLong(buf.length)).longValue();
            if (n > 0) {
                listener.onBytes(Arrays.copyOf(buf, (int) n));
            } else {
                int errno = Native.getLastError();
                if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EIO)) {
                    // EIO: no slave open; cannot happen while we hold one, tolerated anyway
                    sleepQuietly();
                    continue;
                }
                if (!closed.get()) {
                    cause = new IOException("pty master read failed, errno " + errno);
                }
                break;
            }
        }
        closed.set(true);
        c.close(slave);
        c.close(master);
        Listener l = listener;
        if (l != null) {
            l.onClosed(cause);
        }
    }

    private static void sleepQuietly() {
        try {
            Thread.sleep(10);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void write(byte[] bytes) throws IOException {
        LibC c = Holder.LIBC;
        int off = 0;
        while (off < bytes.length) {
            if (closed.get()) {
                throw new IOException(devicePath + " is closed");
            }
            byte[] chunk = off == 0 ? bytes : Arrays.copyOfRange(bytes, off, bytes.length);
            long n = c.write(master, chunk, new NativeLong(chunk.length)).longValue();
            if (n < 0) {
                int errno = Native.getLastError();
                if (errno == EINTR || errno == EAGAIN) {
                    sleepQuietly();
                    continue;
                }
                throw new IOException("pty master write failed, errno " + errno);
            }
            off += (int) n;
        }
    }

    @Override
    public String describe() {
        return devicePath;
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            if (link != null) {
                try {
                    Files.deleteIfExists(link);
                } catch (IOException e) {
                    log.debug("cannot remove {}", link, e);
                }
            }
            if (listener == null) {
                Holder.LIBC.close(slave);
                Holder.LIBC.close(master);
            }
            // otherwise the reader thread closes the descriptors within its poll interval
        }
    }
}
