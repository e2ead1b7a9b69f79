package io.thingflux.netty.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class FaultInjectingProxyTest {

    private ServerSocket server;
    private FaultInjectingProxy proxy;
    private Socket client;
    private Socket accepted;

    @BeforeEach
    void connectThroughProxy() throws IOException {
        server = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
        proxy =
                FaultInjectingProxy.start(
                        new InetSocketAddress("127.0.0.1", server.getLocalPort()));
        client = new Socket("127.0.0.1", proxy.port());
        client.setSoTimeout(10_000);
        accepted = server.accept();
        accepted.setSoTimeout(10_000);
    }

    @AfterEach
    void closeAll() throws IOException {
        client.close();
        accepted.close();
        server.close();
        proxy.close();
    }

    @Test
    void passForwardsBytesBothWays() throws IOException {
        send(client, "ping");
        assertThat(read(accepted, 4)).isEqualTo("ping");
        send(accepted, "pong");
        assertThat(read(client, 4)).isEqualTo("pong");
    }

    @Test
    void blackholeDropsBytesSilentlyAndKeepsTheConnectionOpen() throws IOException {
        proxy.blackhole();
        send(client, "lost");
        send(accepted, "gone");
        awaitDropped(8);
        proxy.pass();
        send(client, "kept");
        send(accepted, "back");
        assertThat(read(accepted, 4)).isEqualTo("kept");
        assertThat(read(client, 4)).isEqualTo("back");
    }

    @Test
    void delayKeepsTheOrderOfChunks() throws IOException {
        proxy.delay(50);
        for (int i = 0; i < 20; i++) {
            send(client, String.format("%02d", i));
        }
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 20; i++) {
            expected.append(String.format("%02d", i));
        }
        assertThat(read(accepted, 40)).isEqualTo(expected.toString());
    }

    @Test
    void throttleNeverForwardsFasterThanTheRate() throws IOException {
        proxy.throttle(4_000);
        byte[] data = new byte[8_000];
        long start = System.nanoTime();
        client.getOutputStream().write(data);
        accepted.getInputStream().readNBytes(data.length);
        long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
        // 8,000 bytes at 4,000 B/s cannot arrive in much less than 2 s, however busy the machine is
        assertThat(elapsedMillis).isGreaterThanOrEqualTo(1_500);
    }

    @Test
    void resetAbortsBothSides() throws IOException {
        send(client, "x");
        assertThat(read(accepted, 1)).isEqualTo("x");
        proxy.resetAll();
        assertThatThrownBy(
                        () -> {
                            int r = client.getInputStream().read();
                            if (r == -1) {
                                throw new IOException("closed without reset");
                            }
                        })
                .isInstanceOf(IOException.class)
                .hasMessageContaining("reset");
    }

    @Test
    void halfCloseEndsTheClientStreamWhileTheServerSideStaysUp() throws IOException {
        proxy.halfCloseAll();
        assertThat(client.getInputStream().read()).isEqualTo(-1);
        send(client, "still");
        assertThat(read(accepted, 5)).isEqualTo("still");
    }

    private void awaitDropped(long bytes) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (proxy.droppedBytes() < bytes) {
            assertThat(System.nanoTime())
                    .as("proxy dropped %d bytes in time", bytes)
                    .isLessThan(deadline);
            Thread.onSpinWait();
        }
    }

    private static void send(Socket s, String text) throws IOException {
        s.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
    }

    private static String read(Socket s, int n) throws IOException {
        InputStream in = s.getInputStream();
        return new String(in.readNBytes(n), StandardCharsets.US_ASCII);
    }
}
