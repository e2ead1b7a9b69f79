package io.thingflux.emulator.ec600s;

import io.thingflux.aliyun.AliyunSigner;
import io.thingflux.link.MqttLink;
import io.thingflux.serial.PublishDialect;
import io.thingflux.serial.at.ByteTransport;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Plays a Quectel EC600S on a byte transport (normally the master of a {@link Pty}): {@code RDY} at
 * start, echo until {@code ATE0}, the SIM, registration and PDP commands, and the MQTT ({@code
 * QMT}) commands, executed against a real broker through {@link MqttLink}s from a {@link
 * MqttLinkFactory}.
 *
 * <p>Every {@code AT+QMTOPEN} host is redirected to the configured broker, while {@code
 * AT+QMTOPEN?} still shows the host that was asked for. With {@code aliauth} set, {@code
 * AT+QMTCONN} signs the CONNECT as the module does ({@link AliyunSigner} with the QMTCONN client
 * id, hmacsha256, securemode 3). Result URCs follow {@code OK} after the configured delay (zero in
 * tests). Unknown commands and bad parameters get {@code ERROR}.
 *
 * <p>Faults can be injected: {@link #reboot()}, {@link #rebootOnNextPublish()}, {@link
 * #injectQmtStat(int, int)}, {@link #deactivatePdp()}, {@link #sendRaw(byte[])} (garbage), {@link
 * #splitPrompts(boolean)}, {@link #silence(boolean)}. What the host sent can be checked afterwards:
 * {@link #receivedCommands()}, the last command lines, secrets masked.
 *
 * <p>This class is the emulator's face and lifecycle; the work is done by its parts: the {@code
 * AtInterpreter} (command lines, publish payloads, the module's own commands), six {@code
 * EmulatedMqttClient}s (the relay of the MQTT commands to the broker) and the {@code
 * FaultInjector}, all writing through one {@code HostChannel}.
 *
 * <p>All state lives on one single-thread scheduler. Limits: the retain flag of a publish is not
 * passed on ({@link MqttLink#publish} has none); a subscription's granted QoS comes from {@link
 * Builder#grantedQos} unless the broker refused it within the URC delay (then 128). {@code
 * recv/mode} 0 pushes each message in a {@code +QMTRECV} URC, with or without its length; {@code
 * recv/mode} 1 buffers up to five per client ({@code +QMTRECV: idx,recv_id}, read with {@code
 * AT+QMTRECV=idx[,recv_id]}), dropping further ones.
 */
public final class Ec600sEmulator implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Ec600sEmulator.class);

    /** The address {@code AT+QIACT?} shows by default (the one of the seed session). */
    public static final String DEFAULT_PDP_ADDRESS = "10.189.73.246";

    /** Longest payload taken after the prompt by default. */
    public static final int DEFAULT_MAX_PAYLOAD = 4096;

    /**
     * What the Aliyun platform grants, as the recorded session shows ({@code +QMTSUB: 0,1,0,1} for
     * a QoS 0 subscription): QoS 1 whatever was asked (it has no QoS 2).
     */
    public static final java.util.function.IntUnaryOperator ALIYUN_GRANTED_QOS = requested -> 1;

    /** What a plain MQTT broker grants: the requested QoS. */
    public static final java.util.function.IntUnaryOperator REQUESTED_QOS = requested -> requested;

    /**
     * How many received command lines {@link #receivedCommands()} keeps by default; older ones are
     * dropped, one for each new line.
     */
    public static final int DEFAULT_COMMAND_HISTORY = 256;

    /**
     * How long {@link #receivedCommands()} and {@link #clearReceivedCommands()} wait for the module
     * thread.
     */
    public static final Duration HISTORY_TIMEOUT = Duration.ofSeconds(5);

    /** How long {@link #close()} waits for the emulator to stop. */
    public static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

    private final Scheduler scheduler;
    private final HostChannel line;
    private final AtInterpreter interpreter;
    private final FaultInjector faults;

    private Ec600sEmulator(Builder b) {
        this.scheduler = Schedulers.newSingle("ec600s-emulator");
        this.line = new HostChannel(scheduler.createWorker(), b.urcDelay);
        this.interpreter =
                new AtInterpreter(
                        line,
                        new RelaySettings(b.linkFactory, b.brokerHost, b.brokerPort, b.grantedQos),
                        b.dialect,
                        b.pdpAddress,
                        b.maxPayload,
                        b.commandHistory);
        this.faults = new FaultInjector(interpreter, line);
    }

    public static Builder builder(MqttLinkFactory linkFactory) {
        return new Builder(linkFactory);
    }

    /** Starts playing the module on {@code transport}: sends {@code RDY}. */
    public Ec600sEmulator attach(ByteTransport transport) {
        Objects.requireNonNull(transport, "transport");
        line.execute(
                () -> {
                    if (line.attached()) {
                        throw new IllegalStateException("already attached");
                    }
                    line.attach(transport);
                    transport.start(
                            new ByteTransport.Listener() {
                                @Override
                                public void onBytes(byte[] chunk) {
                                    line.execute(() -> interpreter.onInput(chunk));
                                }

                                @Override
                                public void onClosed(Throwable cause) {
                                    log.debug("emulator transport closed", cause);
                                }
                            });
                    line.send("\r\nRDY\r\n");
                });
        return this;
    }

    /**
     * Creates a pseudo-terminal (and a symlink at {@code link} when non-null), starts playing the
     * module on it and returns it; {@link Pty#devicePath()} is what a host opens.
     */
    public Pty attachPty(Path link) throws IOException {
        Pty pty = Pty.open(link);
        attach(pty);
        return pty;
    }

    // ------------------------------------------------------------------ what the host sent

    /**
     * The last command lines the module received (at most {@link Builder#commandHistory}), oldest
     * first, stripped, with the secrets masked as {@code "***"}: the password of {@code
     * AT+QMTCONN}, the device secret of {@code AT+QMTCFG="aliauth"} and the APN password of {@code
     * AT+QICSGP}. Publish payloads are not command lines and are not recorded. Taken on the module
     * thread, in order with the commands and injected faults before it; waits up to {@link
     * #HISTORY_TIMEOUT}.
     *
     * @throws IllegalStateException when the emulator is closed
     */
    public List<String> receivedCommands() {
        return onModuleThread(() -> interpreter.history().snapshot());
    }

    /**
     * Forgets the command lines received so far (in order with the faults injected before and after
     * it).
     */
    public void clearReceivedCommands() {
        onModuleThread(
                () -> {
                    interpreter.history().clear();
                    return List.of();
                });
    }

    private List<String> onModuleThread(Supplier<List<String>> task) {
        try {
            return Mono.<List<String>>create(sink -> line.execute(() -> sink.success(task.get())))
                    .block(HISTORY_TIMEOUT);
        } catch (RejectedExecutionException e) {
            throw new IllegalStateException("emulator closed", e);
        }
    }

    // ------------------------------------------------------------------ fault injection

    /** The module reboots: MQTT and PDP state are lost, echo is on again, {@code RDY} is sent. */
    public void reboot() {
        faults.reboot();
    }

    /**
     * The module reboots in the middle of the next publish: it takes the command and the whole
     * payload, then reboots ({@code RDY}) before answering, and the message never reaches the
     * broker.
     */
    public void rebootOnNextPublish() {
        faults.rebootOnNextPublish();
    }

    /**
     * The MQTT link of client {@code idx} breaks with {@code +QMTSTAT: idx,code}. Code 2 (PINGREQ
     * timed out or failed) also leaves the PDP context stale, since the reference's host action for
     * it is "deactivate and reactivate PDP, then reopen": {@code AT+QIACT?} still lists the context
     * and {@code AT+QIACT=1} is an error, but {@code AT+QMTOPEN} of any client fails with {@code
     * +QMTOPEN: <idx>,3} until {@code AT+QIDEACT=1} (then {@code AT+QIACT=1}). Other codes leave
     * the PDP context as it is. Other clients' open connections are not touched.
     */
    public void injectQmtStat(int idx, int code) {
        faults.injectQmtStat(idx, code);
    }

    /**
     * The PDP context goes stale without a URC (the state {@code +QMTSTAT: <idx>,2} leaves):
     * connections already open carry on, but {@code AT+QMTOPEN} fails with {@code +QMTOPEN:
     * <idx>,3} until {@code AT+QIDEACT=1}.
     */
    public void losePdpDataPath() {
        faults.losePdpDataPath();
    }

    /**
     * The network deactivates the PDP context: every MQTT client is dropped, {@code +QIURC:
     * "pdpdeact",1}.
     */
    public void deactivatePdp() {
        faults.deactivatePdp();
    }

    /** Writes raw bytes (garbage, a hand-made URC) to the host. */
    public void sendRaw(byte[] bytes) {
        faults.sendRaw(bytes);
    }

    /**
     * Writes the {@code > } prompt as three separate writes ({@code \r\n}, {@code >}, space) when
     * on.
     */
    public void splitPrompts(boolean on) {
        faults.splitPrompts(on);
    }

    /** While on, commands are read but never answered. */
    public void silence(boolean on) {
        faults.silence(on);
    }

    /**
     * Stops the emulator: disconnects every link (in the background) and closes the transport
     * (removing the pty's symlink). Waits up to {@link #CLOSE_TIMEOUT} for that to be done;
     * idempotent.
     */
    @Override
    public void close() {
        CountDownLatch done = new CountDownLatch(1);
        try {
            line.execute(
                    () -> {
                        try {
                            interpreter.dropAllClients();
                            line.closeTransport();
                        } finally {
                            done.countDown();
                        }
                    });
        } catch (RejectedExecutionException e) {
            return; // already closed
        }
        try {
            done.await(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        scheduler.dispose();
    }

    /** Builds an {@link Ec600sEmulator}. */
    public static final class Builder {
        private final MqttLinkFactory linkFactory;
        private String brokerHost = "127.0.0.1";
        private int brokerPort = 1883;
        private Duration urcDelay = Duration.ZERO;
        private PublishDialect dialect = PublishDialect.QMTPUBEX;
        private String pdpAddress = DEFAULT_PDP_ADDRESS;
        private int maxPayload = DEFAULT_MAX_PAYLOAD;
        private java.util.function.IntUnaryOperator grantedQos = ALIYUN_GRANTED_QOS;
        private int commandHistory = DEFAULT_COMMAND_HISTORY;

        private Builder(MqttLinkFactory linkFactory) {
            this.linkFactory = Objects.requireNonNull(linkFactory, "linkFactory");
        }

        /** The broker every QMTOPEN is redirected to (passed to the link factory). */
        public Builder broker(String host, int port) {
            this.brokerHost = Objects.requireNonNull(host, "host");
            this.brokerPort = port;
            return this;
        }

        /** Delay of result URCs after {@code OK} (default zero). */
        public Builder urcDelay(Duration urcDelay) {
            this.urcDelay = Objects.requireNonNull(urcDelay, "urcDelay");
            return this;
        }

        /**
         * QMTPUBEX (default: both QMTPUBEX and QMTPUB work) or QMTPUB (only QMTPUB with Ctrl+Z).
         */
        public Builder dialect(PublishDialect dialect) {
            this.dialect = Objects.requireNonNull(dialect, "dialect");
            return this;
        }

        /** The address {@code AT+QIACT?} shows. */
        public Builder pdpAddress(String pdpAddress) {
            this.pdpAddress = Objects.requireNonNull(pdpAddress, "pdpAddress");
            return this;
        }

        /** Longest publish payload (default {@value Ec600sEmulator#DEFAULT_MAX_PAYLOAD}). */
        public Builder maxPayload(int maxPayload) {
            this.maxPayload = maxPayload;
            return this;
        }

        /**
         * The QoS {@code +QMTSUB} reports as granted for a requested one (the link seam does not
         * carry the SUBACK); default {@link #ALIYUN_GRANTED_QOS}.
         */
        public Builder grantedQos(java.util.function.IntUnaryOperator grantedQos) {
            this.grantedQos = Objects.requireNonNull(grantedQos, "grantedQos");
            return this;
        }

        /**
         * How many received command lines {@link Ec600sEmulator#receivedCommands()} keeps (default
         * {@value Ec600sEmulator#DEFAULT_COMMAND_HISTORY}); at least 1.
         */
        public Builder commandHistory(int lines) {
            if (lines < 1) {
                throw new IllegalArgumentException("commandHistory must be at least 1: " + lines);
            }
            this.commandHistory = lines;
            return this;
        }

        public Ec600sEmulator build() {
            return new Ec600sEmulator(this);
        }
    }
}
