package io.thingflux.serial.at;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.thingflux.emulator.ec600s.Pty;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * jSerialComm on a real pseudo-terminal: byte-exact in both directions, and one close report when
 * the peer goes.
 */
class JSerialCommTransportTest {

    private static final class Collecting implements ByteTransport.Listener {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final AtomicInteger closes = new AtomicInteger();
        final CountDownLatch closed = new CountDownLatch(1);
        volatile Thread reporter;

        @Override
        public synchronized void onBytes(byte[] chunk) {
            bytes.writeBytes(chunk);
        }

        @Override
        public void onClosed(Throwable cause) {
            reporter = Thread.currentThread();
            closes.incrementAndGet();
            closed.countDown();
        }

        synchronized int size() {
            return bytes.size();
        }

        synchronized byte[] get() {
            return bytes.toByteArray();
        }
    }

    private static void await(java.util.function.BooleanSupplier c) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!c.getAsBoolean()) {
            assertThat(System.nanoTime()).as("deadline").isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    @Test
    void carriesEveryByteValueBothWays() throws Exception {
        Pty pty = Pty.open(null);
        Collecting module = new Collecting();
        pty.start(module);
        JSerialCommTransport host = JSerialCommTransport.open(pty.devicePath(), 115_200);
        Collecting hostSide = new Collecting();
        host.start(hostSide);
        byte[] all = new byte[256 * 16];
        for (int i = 0; i < all.length; i++) {
            all[i] = (byte) i;
        }
        host.write(all);
        pty.write(all);
        await(() -> module.size() == all.length && hostSide.size() == all.length);
        assertThat(module.get()).isEqualTo(all);
        assertThat(hostSide.get()).isEqualTo(all);
        host.close();
        pty.close();
    }

    @Test
    void peerGoingAwayIsReportedOnceAndWritesFail() throws Exception {
        Pty pty = Pty.open(null);
        pty.start(new Collecting());
        JSerialCommTransport host = JSerialCommTransport.open(pty.devicePath(), 115_200);
        Collecting hostSide = new Collecting();
        host.start(hostSide);
        pty.write("RDY\r\n".getBytes(StandardCharsets.US_ASCII));
        await(() -> hostSide.size() == 5);
        pty.close();
        assertThat(hostSide.closed.await(15, TimeUnit.SECONDS)).isTrue();
        // the peer's loss is reported by the reader thread: once it has ended, and close() was
        // called too, nothing is left that could report again (a PORT_DISCONNECTED storm would keep
        // it running)
        Thread reporter = hostSide.reporter;
        reporter.join(TimeUnit.SECONDS.toMillis(15));
        assertThat(reporter.isAlive())
                .as("%s still running after reporting the loss", reporter.getName())
                .isFalse();
        host.close();
        assertThat(hostSide.closes.get()).isEqualTo(1);
        assertThatThrownBy(() -> host.write(new byte[] {'A'})).isInstanceOf(IOException.class);
    }

    @Test
    void channelFailsPendingCommandsWhenThePortCloses() throws Exception {
        Pty pty = Pty.open(null);
        pty.start(new Collecting());
        AtChannel channel = AtChannel.open(JSerialCommTransport.open(pty.devicePath(), 115_200));
        var pending =
                channel.execute(
                                AtCommand.builder("AT+QIACT=1")
                                        .timeout(Duration.ofSeconds(150))
                                        .build())
                        .toFuture();
        pty.close();
        assertThat(channel.closed().block(Duration.ofSeconds(15))).isPresent();
        assertThat(pending)
                .failsWithin(Duration.ofSeconds(15))
                .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                .withCauseInstanceOf(AtChannelClosedException.class);
    }

    @Test
    void missingDeviceIsATypedError() {
        assertThatThrownBy(
                        () -> JSerialCommTransport.open("/dev/does-not-exist-thingflux", 115_200))
                .isInstanceOf(IOException.class);
    }
}
