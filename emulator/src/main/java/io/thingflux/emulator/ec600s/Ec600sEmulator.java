package io.thingflux.emulator.ec600s;

import io.thingflux.aliyun.AliyunDeviceIdentity;
import io.thingflux.aliyun.AliyunSigner;
import io.thingflux.aliyun.MqttCredentials;
import io.thingflux.link.ConnectRefusedException;
import io.thingflux.link.LinkMessage;
import io.thingflux.link.LinkState;
import io.thingflux.link.MqttLink;
import io.thingflux.link.SubscriptionRefusedException;
import io.thingflux.mqtt.MqttQos;
import io.thingflux.mqtt.MqttTopics;
import io.thingflux.serial.PublishDialect;
import io.thingflux.serial.at.ByteTransport;
import io.thingflux.serial.internal.AtFields;
import io.thingflux.serial.internal.AtFields.Field;
import io.thingflux.serial.internal.QmtRecv;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Plays a Quectel EC600S on a byte transport (normally the master of a {@link Pty}): {@code RDY} at start,
 * echo until {@code ATE0}, the SIM, registration and PDP commands, and the MQTT ({@code QMT}) commands,
 * executed against a real broker through {@link MqttLink}s from a {@link MqttLinkFactory}.
 *
 * <p>Every {@code AT+QMTOPEN} host is redirected to the configured broker, while {@code AT+QMTOPEN?} still
 * shows the host that was asked for. With {@code aliauth} set, {@code AT+QMTCONN} signs the CONNECT as the
 * module does ({@link AliyunSigner} with the QMTCONN client id, hmacsha256, securemode 3). Result URCs follow {@code OK} after the
 * configured delay (zero in tests). Unknown commands and bad parameters get {@code ERROR}.
 *
 * <p>Faults can be injected: {@link #reboot()}, {@link #rebootOnNextPublish()}, {@link #injectQmtStat(int, int)}, {@link #deactivatePdp()},
 * {@link #sendRaw(byte[])} (garbage), {@link #splitPrompts(boolean)}, {@link #silence(boolean)}.
 *
 * <p>All state lives on one single-thread scheduler. Limits: the retain flag of a publish is not passed on
 * ({@link MqttLink#publish} has none); a subscription's granted QoS comes from {@link Builder#grantedQos}
 * unless the broker refused it within the URC delay (then 128). {@code recv/mode} 0 pushes each message in a
 * {@code +QMTRECV} URC, with or without its length; {@code recv/mode} 1 buffers up to five per client
 * ({@code +QMTRECV: idx,recv_id}, read with {@code AT+QMTRECV=idx[,recv_id]}), dropping further ones.
 */
public final class Ec600sEmulator implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Ec600sEmulator.class);

    /** The address {@code AT+QIACT?} shows by default (the one of the seed session). */
    public static final String DEFAULT_PDP_ADDRESS = "10.189.73.246";
    /** Longest payload taken after the prompt by default. */
    public static final int DEFAULT_MAX_PAYLOAD = 4096;
    /**
     * What the Aliyun platform grants, as the recorded session shows ({@code +QMTSUB: 0,1,0,1} for a QoS 0
     * subscription): QoS 1 whatever was asked (it has no QoS 2).
     */
    public static final java.util.function.IntUnaryOperator ALIYUN_GRANTED_QOS = requested -> 1;
    /** What a plain MQTT broker grants: the requested QoS. */
    public static final java.util.function.IntUnaryOperator REQUESTED_QOS = requested -> requested;
    /** How long {@link #close()} waits for the emulator to stop. */
    public static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);
    private static final int CLIENTS = 6;
    private static final int MAX_COMMAND_LINE = 4096;
    private static final byte CTRL_Z = 0x1A;
    private static final byte ESC = 0x1B;

    private final MqttLinkFactory linkFactory;
    private final String brokerHost;
    private final int brokerPort;
    private final Duration urcDelay;
    private final PublishDialect dialect;
    private final String pdpAddress;
    private final int maxPayload;
    private final java.util.function.IntUnaryOperator grantedQos;
    private final Scheduler scheduler;
    private final Scheduler.Worker worker;

    // state: worker only
    private ByteTransport transport;
    private boolean echo = true;
    private boolean pdpActive;
    private String apn = "CMNET";
    private String apnUser = "";
    private String apnPassword = "";
    private int contextType = 1;
    private int apnAuth = 1;
    private final Client[] clients = new Client[CLIENTS];
    private final ByteArrayOutputStream input = new ByteArrayOutputStream();
    private Mode mode = Mode.COMMAND;
    private PendingPublish pendingPublish;
    private boolean silent;
    private boolean splitPrompts;
    private boolean rebootOnNextPublish;
    private int downlinkMsgId;

    private enum Mode { COMMAND, DATA_COUNTED, DATA_CTRL_Z }

    private Ec600sEmulator(Builder b) {
        this.linkFactory = b.linkFactory;
        this.brokerHost = b.brokerHost;
        this.brokerPort = b.brokerPort;
        this.urcDelay = b.urcDelay;
        this.dialect = b.dialect;
        this.pdpAddress = b.pdpAddress;
        this.maxPayload = b.maxPayload;
        this.grantedQos = b.grantedQos;
        this.scheduler = Schedulers.newSingle("ec600s-emulator");
        this.worker = scheduler.createWorker();
        for (int i = 0; i < CLIENTS; i++) {
            clients[i] = new Client(i);
        }
    }

    public static Builder builder(MqttLinkFactory linkFactory) {
        return new Builder(linkFactory);
    }

    /** Starts playing the module on {@code transport}: sends {@code RDY}. */
    public Ec600sEmulator attach(ByteTransport transport) {
        Objects.requireNonNull(transport, "transport");
        worker.schedule(() -> {
            if (this.transport != null) {
                throw new IllegalStateException("already attached");
            }
            this.transport = transport;
            transport.start(new ByteTransport.Listener() {
                @Override
                public void onBytes(byte[] chunk) {
                    worker.schedule(() -> onInput(chunk));
                }

                @Override
                public void onClosed(Throwable cause) {
                    log.debug("emulator transport closed", cause);
                }
            });
            send("\r\nRDY\r\n");
        });
        return this;
    }

    /**
     * Creates a pseudo-terminal (and a symlink at {@code link} when non-null), starts playing the module on it
     * and returns it; {@link Pty#devicePath()} is what a host opens.
     */
    public Pty attachPty(Path link) throws IOException {
        Pty pty = Pty.open(link);
        attach(pty);
        return pty;
    }

    // ------------------------------------------------------------------ fault injection

    /** The module reboots: MQTT and PDP state are lost, echo is on again, {@code RDY} is sent. */
    public void reboot() {
        worker.schedule(this::rebootNow);
    }

    /**
     * The module reboots in the middle of the next publish: it takes the command and the whole payload, then
     * reboots ({@code RDY}) before answering, and the message never reaches the broker.
     */
    public void rebootOnNextPublish() {
        worker.schedule(() -> rebootOnNextPublish = true);
    }

    private void rebootNow() {
        for (Client c : clients) {
            c.drop();
        }
        echo = true;
        pdpActive = false;
        input.reset();
        mode = Mode.COMMAND;
        pendingPublish = null;
        silent = false;
        rebootOnNextPublish = false;
        for (int i = 0; i < CLIENTS; i++) {
            clients[i] = new Client(i);
        }
        send("\r\nRDY\r\n");
    }

    /** The MQTT link of client {@code idx} breaks with {@code +QMTSTAT: idx,code}. */
    public void injectQmtStat(int idx, int code) {
        worker.schedule(() -> {
            clients[idx].drop();
            sendLine("+QMTSTAT: " + idx + "," + code);
        });
    }

    /** The network deactivates the PDP context: every MQTT client is dropped, {@code +QIURC: "pdpdeact",1}. */
    public void deactivatePdp() {
        worker.schedule(() -> {
            pdpActive = false;
            for (Client c : clients) {
                c.drop();
            }
            sendLine("+QIURC: \"pdpdeact\",1");
        });
    }

    /** Writes raw bytes (garbage, a hand-made URC) to the host. */
    public void sendRaw(byte[] bytes) {
        byte[] copy = bytes.clone();
        worker.schedule(() -> send(copy));
    }

    /** Writes the {@code > } prompt as three separate writes ({@code \r\n}, {@code >}, space) when on. */
    public void splitPrompts(boolean on) {
        worker.schedule(() -> splitPrompts = on);
    }

    /** While on, commands are read but never answered. */
    public void silence(boolean on) {
        worker.schedule(() -> silent = on);
    }

    /**
     * Stops the emulator: disconnects every link (in the background) and closes the transport (removing the
     * pty's symlink). Waits up to {@link #CLOSE_TIMEOUT} for that to be done; idempotent.
     */
    @Override
    public void close() {
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        try {
            worker.schedule(() -> {
                try {
                    for (Client c : clients) {
                        c.drop();
                    }
                    if (transport != null) {
                        transport.close();
                    }
                } finally {
                    done.countDown();
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            return; // already closed
        }
        try {
            done.await(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        scheduler.dispose();
    }

    // ------------------------------------------------------------------ input

    private void onInput(byte[] chunk) {
        for (int i = 0; i < chunk.length; i++) {
            byte b = chunk[i];
            switch (mode) {
                case COMMAND -> {
                    if (b == '\r') {
                        String line = input.toString(StandardCharsets.UTF_8);
                        input.reset();
                        onCommandLine(line);
                    } else if (b != '\n') {
                        if (input.size() < MAX_COMMAND_LINE) {
                            input.write(b);
                        }
                    }
                }
                case DATA_COUNTED -> {
                    int n = Math.min(chunk.length - i, pendingPublish.length - input.size());
                    input.write(chunk, i, n);
                    i += n - 1;
                    if (input.size() == pendingPublish.length) {
                        finishPublish(input.toByteArray());
                    }
                }
                case DATA_CTRL_Z -> {
                    if (b == CTRL_Z) {
                        finishPublish(input.toByteArray());
                    } else if (b == ESC) {
                        input.reset();
                        mode = Mode.COMMAND;
                        pendingPublish = null;
                        ok();
                    } else if (input.size() >= maxPayload) {
                        input.reset();
                        mode = Mode.COMMAND;
                        pendingPublish = null;
                        error();
                    } else {
                        input.write(b);
                    }
                }
                default -> throw new IllegalStateException();
            }
        }
    }

    private void onCommandLine(String line) {
        String trimmed = line.strip();
        if (trimmed.isEmpty()) {
            return;
        }
        if (echo) {
            send(line + "\r");
        }
        if (silent) {
            log.debug("silent, ignored: {}", nameOf(trimmed));
            return;
        }
        if (!trimmed.regionMatches(true, 0, "AT", 0, 2)) {
            return;
        }
        try {
            execute(trimmed);
        } catch (RuntimeException e) {
            log.debug("bad command {}: {}", nameOf(trimmed), e.getMessage());
            error();
        }
    }

    /** The command without its parameters, for logs (parameters may hold secrets). */
    private static String nameOf(String cmd) {
        int eq = cmd.indexOf('=');
        return eq < 0 ? cmd : cmd.substring(0, eq + 1) + "...";
    }

    private void execute(String cmd) {
        String upper = cmd.toUpperCase(Locale.ROOT);
        switch (upper) {
            case "AT" -> ok();
            case "ATE0" -> {
                echo = false;
                ok();
            }
            case "ATE1" -> {
                echo = true;
                ok();
            }
            case "ATI" -> reply("Quectel", "EC600S", "Revision: EC600SCNLAR01A01M16_EMULATED", "OK");
            case "AT+CPIN?" -> reply("+CPIN: READY", "OK");
            case "AT+CSQ" -> reply("+CSQ: 25,99", "OK");
            case "AT+CREG?" -> reply("+CREG: 0,1", "OK");
            case "AT+CGREG?" -> reply("+CGREG: 0,1", "OK");
            case "AT+CEREG?" -> reply("+CEREG: 0,1", "OK");
            case "AT+QIACT?" -> {
                if (pdpActive) {
                    reply("+QIACT: 1,1," + contextType + ",\"" + pdpAddress + "\"", "OK");
                } else {
                    ok();
                }
            }
            case "AT+QMTOPEN?" -> {
                List<String> lines = new ArrayList<>();
                for (Client c : clients) {
                    if (c.open) {
                        lines.add("+QMTOPEN: " + c.idx + ",\"" + c.host + "\"," + c.port);
                    }
                }
                lines.add("OK");
                reply(lines.toArray(String[]::new));
            }
            case "AT+QMTRECV?" -> {
                List<String> lines = new ArrayList<>();
                for (Client c : clients) {
                    if (c.connected && c.buffered) {
                        StringBuilder sb = new StringBuilder("+QMTRECV: ").append(c.idx);
                        for (LinkMessage m : c.slots) {
                            sb.append(',').append(m == null ? 0 : 1);
                        }
                        lines.add(sb.toString());
                    }
                }
                lines.add("OK");
                reply(lines.toArray(String[]::new));
            }
            case "AT+QMTCONN?" -> {
                List<String> lines = new ArrayList<>();
                for (Client c : clients) {
                    if (c.open) {
                        lines.add("+QMTCONN: " + c.idx + "," + (c.connected ? 3 : c.connecting ? 2 : 1));
                    }
                }
                lines.add("OK");
                reply(lines.toArray(String[]::new));
            }
            case "AT+QMTOPEN=?" -> reply("+QMTOPEN: (0-5),<host_name>,(0-65535)", "OK");
            case "AT+QMTCONN=?" -> reply("+QMTCONN: (0-5),<clientID>,<username>,<password>", "OK");
            case "AT+QMTPUB=?" -> reply("+QMTPUB: (0-5),<msgid>,(0-2),(0,1),<topic>", "OK");
            case "AT+QMTPUBEX=?" -> {
                if (dialect == PublishDialect.QMTPUBEX) {
                    reply("+QMTPUBEX: (0-5),<msgid>,(0-2),(0,1),\"topic\",\"length\"", "OK");
                } else {
                    error();
                }
            }
            case "AT+QMTCFG=?" -> reply(
                    "+QMTCFG: \"version\",(0-5),(3,4)",
                    "+QMTCFG: \"pdpcid\",(0-5),(1-16)",
                    "+QMTCFG: \"ssl\",(0-5),(0,1),(0-5)",
                    "+QMTCFG: \"keepalive\",(0-5),(0-3600)",
                    "+QMTCFG: \"session\",(0-5),(0,1)",
                    "+QMTCFG: \"timeout\",(0-5),(1-60),(0-10),(0,1)",
                    "+QMTCFG: \"will\",(0-5),(0,1),(0-2),(0,1),<will_topic>,<will_message>",
                    "+QMTCFG: \"recv/mode\",(0-5),(0,1),(0,1)",
                    "+QMTCFG: \"aliauth\",(0-5),<product_key>,<device_name>,<device_secret>",
                    "OK");
            default -> executeWithParameters(cmd, upper);
        }
    }

    private void executeWithParameters(String cmd, String upper) {
        int eq = cmd.indexOf('=');
        if (eq < 0) {
            error();
            return;
        }
        String name = upper.substring(0, eq);
        List<Field> p = AtFields.split(cmd.substring(eq + 1));
        switch (name) {
            case "AT+CMEE" -> ok();
            case "AT+QURCCFG" -> {
                if (p.size() == 1) {
                    reply("+QURCCFG: \"urcport\",\"uart1\"", "OK");
                } else {
                    ok();
                }
            }
            case "AT+QICSGP" -> qicsgp(p);
            case "AT+QIACT" -> {
                requireContext(p);
                if (pdpActive) {
                    error();
                } else {
                    pdpActive = true;
                    ok();
                }
            }
            case "AT+QIDEACT" -> {
                requireContext(p);
                pdpActive = false;
                for (Client c : clients) {
                    c.drop();
                }
                ok();
            }
            case "AT+QMTCFG" -> qmtcfg(p);
            case "AT+QMTOPEN" -> qmtopen(p);
            case "AT+QMTCLOSE" -> qmtclose(p);
            case "AT+QMTCONN" -> qmtconn(p);
            case "AT+QMTDISC" -> qmtdisc(p);
            case "AT+QMTSUB" -> qmtsub(p);
            case "AT+QMTUNS" -> qmtuns(p);
            case "AT+QMTPUBEX" -> {
                if (dialect != PublishDialect.QMTPUBEX) {
                    error();
                    return;
                }
                publishCommand(p, true);
            }
            case "AT+QMTPUB" -> publishCommand(p, false);
            case "AT+QMTRECV" -> readBuffered(p);
            default -> error();
        }
    }

    private static void requireContext(List<Field> p) {
        if (p.size() != 1 || p.get(0).asInt() != 1) {
            throw new IllegalArgumentException("only context 1 is emulated");
        }
    }

    private void qicsgp(List<Field> p) {
        int cid = p.get(0).asInt();
        if (cid != 1) {
            throw new IllegalArgumentException("context");
        }
        if (p.size() == 1) {
            reply("+QICSGP: " + contextType + ",\"" + apn + "\",\"" + apnUser + "\",\"" + apnPassword + "\"," + apnAuth, "OK");
            return;
        }
        if (p.size() < 3 || p.size() > 6 || !p.get(2).quoted()) {
            throw new IllegalArgumentException("QICSGP parameters");
        }
        int type = p.get(1).asInt();
        int auth = p.size() == 6 ? p.get(5).asInt() : 0;
        if (type < 1 || type > 3 || auth < 0 || auth > 3) {
            throw new IllegalArgumentException("QICSGP range");
        }
        contextType = type;
        apn = p.get(2).value();
        apnUser = p.size() > 3 ? p.get(3).value() : "";
        apnPassword = p.size() > 4 ? p.get(4).value() : "";
        apnAuth = auth;
        ok();
    }

    private Client client(List<Field> p) {
        int idx = p.get(0).asInt();
        if (idx < 0 || idx >= CLIENTS) {
            throw new IllegalArgumentException("client index");
        }
        return clients[idx];
    }

    private void qmtcfg(List<Field> p) {
        if (p.size() < 2 || !p.get(0).quoted()) {
            throw new IllegalArgumentException("QMTCFG parameters");
        }
        String key = p.get(0).value().toLowerCase(Locale.ROOT);
        Client c = client(p.subList(1, p.size()));
        List<Field> v = p.subList(2, p.size());
        String prefix = "+QMTCFG: \"" + p.get(0).value() + "\",";
        switch (key) {
            case "version" -> {
                if (v.isEmpty()) {
                    reply(prefix + c.version, "OK");
                    return;
                }
                int level = v.get(0).asInt();
                if (level != 3 && level != 4) {
                    throw new IllegalArgumentException("version");
                }
                c.version = level;
            }
            case "pdpcid" -> {
                if (v.isEmpty()) {
                    reply(prefix + 1, "OK");
                    return;
                }
                if (v.get(0).asInt() != 1) {
                    throw new IllegalArgumentException("pdpcid");
                }
            }
            case "ssl" -> {
                if (v.isEmpty()) {
                    reply(prefix + "0", "OK");
                    return;
                }
                if (v.get(0).asInt() != 0) {
                    throw new IllegalArgumentException("TLS is not emulated");
                }
            }
            case "keepalive" -> {
                if (v.isEmpty()) {
                    reply(prefix + c.keepAlive, "OK");
                    return;
                }
                int k = v.get(0).asInt();
                if (k < 0 || k > 3600) {
                    throw new IllegalArgumentException("keepalive");
                }
                c.keepAlive = k;
            }
            case "session" -> {
                if (v.isEmpty()) {
                    reply(prefix + (c.cleanSession ? 1 : 0), "OK");
                    return;
                }
                int s = v.get(0).asInt();
                if (s != 0 && s != 1) {
                    throw new IllegalArgumentException("session");
                }
                c.cleanSession = s == 1;
            }
            case "timeout" -> {
                if (v.isEmpty()) {
                    reply(prefix + c.pktTimeout + "," + c.retries + ",0", "OK");
                    return;
                }
                int t = v.get(0).asInt();
                int r = v.size() > 1 ? v.get(1).asInt() : c.retries;
                if (t < 1 || t > 60 || r < 0 || r > 10) {
                    throw new IllegalArgumentException("timeout");
                }
                c.pktTimeout = t;
                c.retries = r;
            }
            case "will" -> {
                if (!v.isEmpty() && v.get(0).asInt() == 1 && v.size() != 5) {
                    throw new IllegalArgumentException("will");
                }
            }
            case "recv/mode" -> {
                if (v.isEmpty()) {
                    reply(prefix + (c.buffered ? 1 : 0) + "," + (c.lengthInUrc ? 1 : 0), "OK");
                    return;
                }
                int mode = v.get(0).asInt();
                int len = v.size() > 1 ? v.get(1).asInt() : 0;
                if ((mode != 0 && mode != 1) || (len != 0 && len != 1)) {
                    throw new IllegalArgumentException("recv/mode");
                }
                c.buffered = mode == 1;
                c.lengthInUrc = len == 1;
            }
            case "aliauth" -> {
                if (v.isEmpty()) {
                    if (c.aliauth == null) {
                        ok();
                    } else {
                        reply(prefix + c.idx + ",\"" + c.aliauth.productKey() + "\",\"" + c.aliauth.deviceName() + "\"", "OK");
                    }
                    return;
                }
                if (v.size() != 3 || !v.get(0).quoted() || !v.get(1).quoted() || !v.get(2).quoted()) {
                    throw new IllegalArgumentException("aliauth");
                }
                c.aliauth = new AliyunDeviceIdentity(v.get(0).value(), v.get(1).value(), v.get(2).value());
            }
            default -> throw new IllegalArgumentException("unknown QMTCFG key");
        }
        ok();
    }

    private void qmtopen(List<Field> p) {
        Client c = client(p);
        if (p.size() != 3 || !p.get(1).quoted()) {
            throw new IllegalArgumentException("QMTOPEN parameters");
        }
        String host = p.get(1).value();
        int port = p.get(2).asInt();
        if (host.isEmpty() || host.length() > 100 || port < 1 || port > 65535) {
            throw new IllegalArgumentException("QMTOPEN host or port");
        }
        ok();
        int result;
        if (c.open) {
            result = 2;
        } else if (!pdpActive) {
            result = 3;
        } else {
            c.open = true;
            c.host = host;
            c.port = port;
            result = 0;
        }
        urc("+QMTOPEN: " + c.idx + "," + result);
    }

    private void qmtclose(List<Field> p) {
        Client c = client(p);
        ok();
        boolean wasOpen = c.open;
        c.drop();
        urc("+QMTCLOSE: " + c.idx + "," + (wasOpen ? 0 : -1));
    }

    private void qmtconn(List<Field> p) {
        Client c = client(p);
        if (p.size() < 2 || p.size() > 4 || !p.get(1).quoted()) {
            throw new IllegalArgumentException("QMTCONN parameters");
        }
        if (!c.open || c.connected || c.connecting) {
            throw new IllegalArgumentException("QMTCONN in the wrong state");
        }
        String clientId = p.get(1).value();
        String user = p.size() > 2 ? p.get(2).value() : null;
        String pwd = p.size() > 3 ? p.get(3).value() : null;
        String mqttClientId = clientId;
        if (user == null && c.aliauth != null) {
            MqttCredentials cred = AliyunSigner.builder().clientId(clientId).build().sign(c.aliauth);
            mqttClientId = cred.clientId();
            user = cred.username();
            pwd = cred.password();
        }
        MqttConnectRequest request = new MqttConnectRequest(brokerHost, brokerPort, c.host, c.port, mqttClientId,
                user, pwd, c.keepAlive, c.cleanSession, c.version);
        ok();
        MqttLink link;
        try {
            link = linkFactory.create(request);
        } catch (RuntimeException e) {
            log.warn("cannot create a link for {}", request, e);
            urc("+QMTCONN: " + c.idx + ",2");
            return;
        }
        c.connecting = true;
        c.link = link;
        int generation = c.generation;
        link.connect().subscribe(null,
                err -> worker.schedule(() -> onConnectFailed(c, generation, link, err)),
                () -> worker.schedule(() -> onConnected(c, generation, link)));
    }

    private void onConnected(Client c, int generation, MqttLink link) {
        if (c.generation != generation || c.link != link) {
            link.disconnect().subscribe(null, e -> { });
            return;
        }
        c.connecting = false;
        c.connected = true;
        c.resources.add(link.unsolicited().subscribe(m -> worker.schedule(() -> deliver(c, generation, m))));
        c.resources.add(link.states().filter(s -> s == LinkState.RECONNECTING || s == LinkState.CLOSED)
                .next().subscribe(s -> worker.schedule(() -> {
                    if (c.generation == generation && c.connected) {
                        c.drop();
                        sendLine("+QMTSTAT: " + c.idx + ",1");
                    }
                })));
        urc("+QMTCONN: " + c.idx + ",0,0");
    }

    private void onConnectFailed(Client c, int generation, MqttLink link, Throwable err) {
        if (c.generation != generation || c.link != link) {
            return;
        }
        c.connecting = false;
        c.link = null;
        OptionalInt code = refusalCode(err);
        log.debug("emulated QMTCONN failed", err);
        urc("+QMTCONN: " + c.idx + (code.isPresent() ? ",0," + code.getAsInt() : ",2"));
    }

    /**
     * The CONNACK return code the module reports in {@code +QMTCONN: idx,0,<code>} when the broker refused
     * the connect ({@link ConnectRefusedException} anywhere in the cause chain); empty for any other failure,
     * which the module reports as {@code +QMTCONN: idx,2} (send failed).
     */
    static OptionalInt refusalCode(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof ConnectRefusedException refused) {
                return OptionalInt.of(refused.returnCode().code());
            }
        }
        return OptionalInt.empty();
    }

    private void qmtdisc(List<Field> p) {
        Client c = client(p);
        ok();
        if (!c.open) {
            urc("+QMTDISC: " + c.idx + ",-1");
            return;
        }
        c.drop();
        urc("+QMTDISC: " + c.idx + ",0");
    }

    private void qmtsub(List<Field> p) {
        Client c = client(p);
        int msgId = p.get(1).asInt();
        if (msgId < 1 || msgId > 65535 || p.size() < 4 || p.size() % 2 != 0) {
            throw new IllegalArgumentException("QMTSUB parameters");
        }
        Map<String, MqttQos> topics = new LinkedHashMap<>();
        for (int i = 2; i < p.size(); i += 2) {
            if (!p.get(i).quoted()) {
                throw new IllegalArgumentException("topic must be quoted");
            }
            topics.put(MqttTopics.requireValidFilter(p.get(i).value()), MqttQos.valueOf(p.get(i + 1).asInt()));
        }
        if (!c.connected) {
            throw new IllegalArgumentException("not connected");
        }
        ok();
        int generation = c.generation;
        List<RelayedSubscription> subs = new ArrayList<>();
        for (Map.Entry<String, MqttQos> t : topics.entrySet()) {
            RelayedSubscription existing = c.subscriptions.get(t.getKey());
            if (existing != null) {
                subs.add(existing);
                continue;
            }
            RelayedSubscription s = new RelayedSubscription(t.getKey(), t.getValue());
            c.subscriptions.put(t.getKey(), s);
            s.disposable = c.link.subscribe(t.getKey(), t.getValue()).subscribe(
                    m -> worker.schedule(() -> deliver(c, generation, m)),
                    err -> worker.schedule(() -> {
                        s.refused = err instanceof SubscriptionRefusedException;
                        c.subscriptions.remove(s.filter, s);
                    }));
            subs.add(s);
        }
        afterDelay(() -> {
            if (c.generation != generation) {
                return;
            }
            StringBuilder sb = new StringBuilder("+QMTSUB: ").append(c.idx).append(',').append(msgId).append(",0");
            for (RelayedSubscription s : subs) {
                sb.append(',').append(s.refused ? 128 : grantedQos.applyAsInt(s.qos.code()));
            }
            sendLine(sb.toString());
        });
    }

    private void qmtuns(List<Field> p) {
        Client c = client(p);
        int msgId = p.get(1).asInt();
        if (msgId < 1 || msgId > 65535 || p.size() < 3) {
            throw new IllegalArgumentException("QMTUNS parameters");
        }
        if (!c.connected) {
            throw new IllegalArgumentException("not connected");
        }
        ok();
        for (Field f : p.subList(2, p.size())) {
            RelayedSubscription s = c.subscriptions.remove(f.value());
            if (s != null && s.disposable != null) {
                s.disposable.dispose();
            }
        }
        urc("+QMTUNS: " + c.idx + "," + msgId + ",0");
    }

    private void publishCommand(List<Field> p, boolean counted) {
        Client c = client(p);
        if (p.size() != (counted ? 6 : 5) || !p.get(4).quoted()) {
            throw new IllegalArgumentException("publish parameters");
        }
        int msgId = p.get(1).asInt();
        MqttQos qos = MqttQos.valueOf(p.get(2).asInt());
        int retain = p.get(3).asInt();
        String topic = MqttTopics.requireValidName(p.get(4).value());
        if ((qos == MqttQos.AT_MOST_ONCE) != (msgId == 0) || msgId < 0 || msgId > 65535 || (retain != 0 && retain != 1)) {
            throw new IllegalArgumentException("publish msgid/qos/retain");
        }
        int length = counted ? p.get(5).asInt() : -1;
        if (counted && (length < 1 || length > maxPayload)) {
            throw new IllegalArgumentException("publish length");
        }
        if (!c.connected) {
            throw new IllegalArgumentException("not connected");
        }
        pendingPublish = new PendingPublish(c, msgId, qos, topic, length, counted);
        input.reset();
        mode = counted ? Mode.DATA_COUNTED : Mode.DATA_CTRL_Z;
        if (splitPrompts) {
            send("\r\n");
            send(">");
            send(" ");
        } else {
            send("\r\n> ");
        }
    }

    private void finishPublish(byte[] payload) {
        if (rebootOnNextPublish) {
            rebootNow();
            return;
        }
        PendingPublish pp = pendingPublish;
        pendingPublish = null;
        input.reset();
        mode = Mode.COMMAND;
        ok();
        Client c = pp.client;
        String prefix = pp.counted ? "+QMTPUBEX: " : "+QMTPUB: ";
        if (!c.connected || c.link == null) {
            urc(prefix + c.idx + "," + pp.msgId + ",2");
            return;
        }
        int generation = c.generation;
        c.link.publish(pp.topic, payload, pp.qos).subscribe(null,
                err -> worker.schedule(() -> {
                    if (c.generation == generation) {
                        urc(prefix + c.idx + "," + pp.msgId + ",2");
                    }
                }),
                () -> worker.schedule(() -> urc(prefix + c.idx + "," + pp.msgId + ",0")));
    }

    private void deliver(Client c, int generation, LinkMessage m) {
        if (c.generation != generation || !c.connected) {
            return;
        }
        int msgId = 0;
        if (m.qos() != MqttQos.AT_MOST_ONCE) {
            downlinkMsgId = downlinkMsgId % 65535 + 1;
            msgId = downlinkMsgId;
        }
        if (!c.buffered) {
            send(receivedRecord(c, msgId, m));
            return;
        }
        for (int i = 0; i < c.slots.length; i++) {
            if (c.slots[i] == null) {
                c.slots[i] = m;
                c.slotMsgIds[i] = msgId;
                sendLine("+QMTRECV: " + c.idx + "," + i);
                return;
            }
        }
        log.warn("client {}: all {} receive slots full, message on {} dropped", c.idx, c.slots.length, m.topic());
    }

    /** {@code +QMTRECV: idx,msgid,"topic"[,len],"payload"} with its CR LFs, the payload raw. */
    private static byte[] receivedRecord(Client c, int msgId, LinkMessage m) {
        return QmtRecv.render(new QmtRecv.Received(c.idx, msgId, m.topic(), m.payloadUnsafe()), c.lengthInUrc);
    }

    /** {@code AT+QMTRECV=idx[,recv_id]}: the buffered message(s), each freed once read, then OK. */
    private void readBuffered(List<Field> p) {
        Client c = client(p);
        if (p.size() > 2) {
            throw new IllegalArgumentException("QMTRECV parameters");
        }
        int from = 0;
        int to = c.slots.length - 1;
        if (p.size() == 2) {
            from = p.get(1).asInt();
            to = from;
            if (from < 0 || from >= c.slots.length) {
                throw new IllegalArgumentException("recv_id");
            }
        }
        for (int i = from; i <= to; i++) {
            if (c.slots[i] != null) {
                send(receivedRecord(c, c.slotMsgIds[i], c.slots[i]));
                c.slots[i] = null;
            }
        }
        ok();
    }

    // ------------------------------------------------------------------ output

    private void ok() {
        sendLine("OK");
    }

    private void error() {
        sendLine("ERROR");
    }

    private void reply(String... lines) {
        StringBuilder sb = new StringBuilder();
        for (String l : lines) {
            sb.append("\r\n").append(l).append("\r\n");
        }
        send(sb.toString());
    }

    private void sendLine(String line) {
        send("\r\n" + line + "\r\n");
    }

    /** A result URC, after the configured delay (always after the OK already written). */
    private void urc(String line) {
        afterDelay(() -> sendLine(line));
    }

    private void afterDelay(Runnable task) {
        if (urcDelay.isZero()) {
            worker.schedule(task);
        } else {
            worker.schedule(task, urcDelay.toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    private void send(String text) {
        send(text.getBytes(StandardCharsets.UTF_8));
    }

    private void send(byte[] bytes) {
        if (transport == null) {
            return;
        }
        try {
            transport.write(bytes);
        } catch (IOException e) {
            log.debug("emulator write failed", e);
        }
    }

    private record PendingPublish(Client client, int msgId, MqttQos qos, String topic, int length, boolean counted) {
    }

    /** A filter the module subscribed to, as relayed to the broker through the client's {@link MqttLink}. */
    private static final class RelayedSubscription {
        final String filter;
        final MqttQos qos;
        Disposable disposable;
        boolean refused;

        RelayedSubscription(String filter, MqttQos qos) {
            this.filter = filter;
            this.qos = qos;
        }
    }

    /** One of the module's six MQTT clients. */
    private static final class Client {
        final int idx;
        int version = 4;
        int keepAlive = 120;
        boolean cleanSession = true;
        int pktTimeout = 5;
        int retries = 3;
        boolean lengthInUrc;
        boolean buffered;
        /** recv/mode 1: the module's five receive slots. */
        final LinkMessage[] slots = new LinkMessage[5];
        final int[] slotMsgIds = new int[5];
        AliyunDeviceIdentity aliauth;
        boolean open;
        String host;
        int port;
        boolean connecting;
        boolean connected;
        MqttLink link;
        int generation;
        final Map<String, RelayedSubscription> subscriptions = new LinkedHashMap<>();
        Disposable.Composite resources = Disposables.composite();

        Client(int idx) {
            this.idx = idx;
        }

        /** Forgets the network connection (options stay); the link is disconnected in the background. */
        void drop() {
            generation++;
            open = false;
            connecting = false;
            connected = false;
            host = null;
            subscriptions.values().forEach(s -> {
                if (s.disposable != null) {
                    s.disposable.dispose();
                }
            });
            subscriptions.clear();
            java.util.Arrays.fill(slots, null);
            resources.dispose();
            resources = Disposables.composite();
            MqttLink l = link;
            link = null;
            if (l != null) {
                l.disconnect().subscribe(null, e -> log.debug("link disconnect failed", e));
            }
        }
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

        /** QMTPUBEX (default: both QMTPUBEX and QMTPUB work) or QMTPUB (only QMTPUB with Ctrl+Z). */
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
         * The QoS {@code +QMTSUB} reports as granted for a requested one (the link seam does not carry the
         * SUBACK); default {@link #ALIYUN_GRANTED_QOS}.
         */
        public Builder grantedQos(java.util.function.IntUnaryOperator grantedQos) {
            this.grantedQos = Objects.requireNonNull(grantedQos, "grantedQos");
            return this;
        }

        public Ec600sEmulator build() {
            return new Ec600sEmulator(this);
        }
    }
}
