package io.thingflux.spring;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A scripted MQTT 3.1.1 broker for one connection at a time, on a thread of its own: answers
 * CONNECT with {@code connackCode}, holds the PUBACK of every QoS 1 PUBLISH until {@link
 * #releasePubAcks()}, and records the type of every packet it read (e.g. {@code 0xE0} for
 * DISCONNECT) until the client closes.
 */
final class StubBroker implements AutoCloseable {

    private final ServerSocket server;
    private final int connackCode;
    private final Thread thread;
    final List<Integer> received = new CopyOnWriteArrayList<>();
    final CompletableFuture<Void> publishReceived = new CompletableFuture<>();
    final CompletableFuture<Void> closedByClient = new CompletableFuture<>();
    private final CompletableFuture<Void> release = new CompletableFuture<>();

    StubBroker(int connackCode) throws IOException {
        this.server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
        this.connackCode = connackCode;
        this.thread = new Thread(this::serve, "stub-broker");
        thread.setDaemon(true);
        thread.start();
    }

    int port() {
        return server.getLocalPort();
    }

    void releasePubAcks() {
        release.complete(null);
    }

    private void serve() {
        try (Socket s = server.accept()) {
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            while (true) {
                int type = in.read();
                if (type < 0) {
                    closedByClient.complete(null);
                    return;
                }
                byte[] body = in.readNBytes(remainingLength(in));
                received.add(type & 0xF0);
                switch (type & 0xF0) {
                    case 0x10 -> out.write(new byte[] {0x20, 2, 0, (byte) connackCode});
                    case 0x30 -> {
                        if ((type & 0x06) == 0x02) {
                            int topicLength = ((body[0] & 0xFF) << 8) | (body[1] & 0xFF);
                            byte hi = body[2 + topicLength];
                            byte lo = body[3 + topicLength];
                            publishReceived.complete(null);
                            release.join();
                            out.write(new byte[] {0x40, 2, hi, lo});
                        }
                    }
                    case 0xC0 -> out.write(new byte[] {(byte) 0xD0, 0});
                    default -> {}
                }
                out.flush();
            }
        } catch (IOException e) {
            closedByClient.complete(null);
        }
    }

    private static int remainingLength(InputStream in) throws IOException {
        int value = 0;
        int shift = 0;
        int b;
        do {
            b = in.read();
            if (b < 0) {
                throw new IOException("eof in remaining length");
            }
            value |= (b & 0x7F) << shift;
            shift += 7;
        } while ((b & 0x80) != 0);
        return value;
    }

    static String hex(List<Integer> types) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        types.forEach(b::write);
        return java.util.HexFormat.of().formatHex(b.toByteArray());
    }

    @Override
    public void close() throws IOException {
        release.complete(null);
        server.close();
    }
}
