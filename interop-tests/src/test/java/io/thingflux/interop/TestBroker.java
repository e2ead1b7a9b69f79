package io.thingflux.interop;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * A third-party broker a test runs on a free loopback port: started by its harness, stoppable and
 * restartable on the same port (for reconnect and persistent-session tests), closed after the
 * class.
 */
interface TestBroker extends AutoCloseable {

    String host();

    int port();

    boolean isRunning();

    /** Stops the broker; its port stays reserved for {@link #restart()}. */
    void stop();

    /** Starts it again on the same port; a no-op while it runs. */
    void restart();

    /** Stops the broker and removes what it left on disk. */
    @Override
    void close();

    /** Whether something accepts TCP connections at {@code host:port} within 200 ms. */
    static boolean acceptsConnections(String host, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
