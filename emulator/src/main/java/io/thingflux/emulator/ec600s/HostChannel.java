package io.thingflux.emulator.ec600s;

import io.thingflux.serial.at.ByteTransport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.scheduler.Scheduler;

/**
 * The module's end of the serial line: writes replies, result codes and URCs to the host, and runs
 * every task of the emulator on its one module thread (the worker all emulator state is confined
 * to).
 */
final class HostChannel {

    private static final Logger log = LoggerFactory.getLogger(HostChannel.class);

    private final Scheduler.Worker worker;
    private final Duration urcDelay;
    private ByteTransport transport;

    HostChannel(Scheduler.Worker worker, Duration urcDelay) {
        this.worker = worker;
        this.urcDelay = urcDelay;
    }

    /** Runs {@code task} on the module thread. */
    void execute(Runnable task) {
        worker.schedule(task);
    }

    /** Whether a transport is attached (module thread). */
    boolean attached() {
        return transport != null;
    }

    void attach(ByteTransport transport) {
        this.transport = transport;
    }

    /** Closes the transport, if any (module thread). */
    void closeTransport() {
        if (transport != null) {
            transport.close();
        }
    }

    void ok() {
        sendLine("OK");
    }

    void error() {
        sendLine("ERROR");
    }

    void reply(String... lines) {
        StringBuilder sb = new StringBuilder();
        for (String l : lines) {
            sb.append("\r\n").append(l).append("\r\n");
        }
        send(sb.toString());
    }

    void sendLine(String line) {
        send("\r\n" + line + "\r\n");
    }

    /** A result URC, after the configured delay (always after the OK already written). */
    void urc(String line) {
        afterDelay(() -> sendLine(line));
    }

    void afterDelay(Runnable task) {
        if (urcDelay.isZero()) {
            worker.schedule(task);
        } else {
            worker.schedule(task, urcDelay.toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    void send(String text) {
        send(text.getBytes(StandardCharsets.UTF_8));
    }

    void send(byte[] bytes) {
        if (transport == null) {
            return;
        }
        try {
            transport.write(bytes);
        } catch (IOException e) {
            log.debug("emulator write failed", e);
        }
    }
}
