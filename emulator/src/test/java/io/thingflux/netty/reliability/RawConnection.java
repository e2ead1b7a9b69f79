package io.thingflux.netty.reliability;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.thingflux.mqtt.Connect;
import io.thingflux.mqtt.MqttPacket;
import io.thingflux.netty.codec.MqttEncoder;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;

/** A plain blocking TCP connection that sends whatever a test wants, well-formed or not. */
final class RawConnection implements AutoCloseable {

    private final Socket socket = new Socket();

    RawConnection(InetSocketAddress address) {
        try {
            socket.connect(address, 10_000);
            socket.setTcpNoDelay(true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] encode(MqttPacket packet) {
        ByteBuf buf = MqttEncoder.encode(UnpooledByteBufAllocator.DEFAULT, packet);
        try {
            return ByteBufUtil.getBytes(buf);
        } finally {
            buf.release();
        }
    }

    static byte[] connect(String clientId, int keepAliveSeconds) {
        return encode(
                new Connect(
                        Connect.MQTT_3_1_1, clientId, true, keepAliveSeconds, null, null, null));
    }

    /** Writes {@code bytes}; false when the peer already closed the connection. */
    boolean send(byte[] bytes) {
        try {
            socket.getOutputStream().write(bytes);
            socket.getOutputStream().flush();
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Reads and discards until the peer closes (true) or {@code limit} passes with the connection
     * open (false).
     */
    boolean closedByPeerWithin(Duration limit) {
        long end = System.nanoTime() + limit.toNanos();
        byte[] sink = new byte[8192];
        try {
            InputStream in = socket.getInputStream();
            while (true) {
                long left = (end - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    return false;
                }
                socket.setSoTimeout((int) Math.max(1, left));
                try {
                    if (in.read(sink) < 0) {
                        return true;
                    }
                } catch (SocketTimeoutException e) {
                    return false;
                }
            }
        } catch (IOException e) {
            return true; // reset by the peer
        }
    }

    /** Reads and discards what arrives, until the connection closes; for a reader thread. */
    void drain() {
        byte[] sink = new byte[8192];
        try {
            socket.setSoTimeout(0);
            InputStream in = socket.getInputStream();
            while (in.read(sink) >= 0) {
                // discard
            }
        } catch (IOException e) {
            // closed
        }
    }

    boolean isClosedLocally() {
        return socket.isClosed();
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // nothing to do
        }
    }
}
