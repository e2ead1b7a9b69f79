package io.thingflux.emulator.ec600s;

import io.thingflux.aliyun.AliyunDeviceIdentity;
import io.thingflux.mqtt.MqttQos;
import io.thingflux.mqtt.MqttTopics;
import io.thingflux.serial.PublishDialect;
import io.thingflux.serial.internal.AtFields;
import io.thingflux.serial.internal.AtFields.Field;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The EC600S's AT command interpreter: frames the host's bytes into command lines (and, after a
 * publish prompt, into the payload), answers the general, SIM, registration and PDP commands
 * itself, and hands the MQTT ({@code QMT}) commands to the module's six {@link
 * EmulatedMqttClient}s. Echo is on until {@code ATE0}; unknown commands and bad parameters get
 * {@code ERROR}. Used on the module thread only.
 *
 * <p>It also holds the module-wide state the {@link FaultInjector} changes: the PDP context
 * (active, and whether its data path died under it), a silent module, split prompts and a reboot
 * armed for the next publish; and the {@link CommandHistory} of the command lines it received.
 */
final class AtInterpreter {

    private static final Logger log = LoggerFactory.getLogger(AtInterpreter.class);

    static final int CLIENTS = 6;
    private static final int MAX_COMMAND_LINE = 4096;
    private static final byte CTRL_Z = 0x1A;
    private static final byte ESC = 0x1B;

    private final HostChannel line;
    private final RelaySettings relay;
    private final PublishDialect dialect;
    private final String pdpAddress;
    private final int maxPayload;
    private final CommandHistory history;

    private boolean echo = true;
    private boolean pdpActive;

    /**
     * The context still counts as active ({@code AT+QIACT?} lists it, {@code AT+QIACT=1} is an
     * error) but carries no traffic, so {@code AT+QMTOPEN} fails with result 3 until {@code
     * AT+QIDEACT=1} (and {@code AT+QIACT=1}).
     */
    private boolean pdpStale;

    private String apn = "CMNET";
    private String apnUser = "";
    private String apnPassword = "";
    private int contextType = 1;
    private int apnAuth = 1;
    private final EmulatedMqttClient[] clients = new EmulatedMqttClient[CLIENTS];
    private final ByteArrayOutputStream input = new ByteArrayOutputStream();
    private Mode mode = Mode.COMMAND;
    private PendingPublish pendingPublish;
    private final ModuleTlsCommands tlsCommands;
    private ModuleTlsCommands.Upload pendingUpload;
    private boolean silent;
    private boolean splitPrompts;
    private boolean rebootOnNextPublish;
    private int downlinkMsgId;

    private enum Mode {
        COMMAND,
        DATA_COUNTED,
        DATA_CTRL_Z,
        /** The data of {@code AT+QFUPL}. */
        DATA_UPLOAD
    }

    AtInterpreter(
            HostChannel line,
            RelaySettings relay,
            PublishDialect dialect,
            String pdpAddress,
            int maxPayload,
            int historySize) {
        this.line = line;
        this.history = new CommandHistory(historySize);
        this.relay = relay;
        this.dialect = dialect;
        this.pdpAddress = pdpAddress;
        this.maxPayload = maxPayload;
        this.tlsCommands = new ModuleTlsCommands(line);
        newClients();
    }

    private void newClients() {
        for (int i = 0; i < CLIENTS; i++) {
            clients[i] = new EmulatedMqttClient(i, line, relay, this::nextDownlinkMsgId);
        }
    }

    private int nextDownlinkMsgId() {
        downlinkMsgId = downlinkMsgId % 65535 + 1;
        return downlinkMsgId;
    }

    // ------------------------------------------------------------------ module state (for the
    // fault injector)

    EmulatedMqttClient client(int idx) {
        return clients[idx];
    }

    /** Drops the network connection of every MQTT client. */
    void dropAllClients() {
        for (EmulatedMqttClient c : clients) {
            c.drop();
        }
    }

    /** The network deactivated the PDP context: every MQTT client is dropped. */
    void deactivatePdp() {
        pdpActive = false;
        pdpStale = false;
        dropAllClients();
    }

    /**
     * The data path of the active PDP context died without the module noticing (what a PINGREQ
     * failure, {@code +QMTSTAT: <idx>,2}, leaves behind): see {@link #pdpStale}. Nothing when no
     * context is active.
     */
    void pdpDataPathLost() {
        pdpStale = pdpActive;
    }

    /** The command lines received so far (the last ones the history holds), secrets masked. */
    CommandHistory history() {
        return history;
    }

    /** The module reboots: MQTT and PDP state are lost, echo is on again, {@code RDY} is sent. */
    void reboot() {
        dropAllClients();
        echo = true;
        pdpActive = false;
        pdpStale = false;
        input.reset();
        mode = Mode.COMMAND;
        pendingPublish = null;
        pendingUpload = null;
        tlsCommands.reset();
        silent = false;
        rebootOnNextPublish = false;
        newClients();
        line.send("\r\nRDY\r\n");
    }

    void rebootOnNextPublish() {
        rebootOnNextPublish = true;
    }

    void splitPrompts(boolean on) {
        splitPrompts = on;
    }

    void silence(boolean on) {
        silent = on;
    }

    // ------------------------------------------------------------------ input

    void onInput(byte[] chunk) {
        for (int i = 0; i < chunk.length; i++) {
            byte b = chunk[i];
            switch (mode) {
                case COMMAND -> {
                    if (b == '\r') {
                        String commandLine = input.toString(StandardCharsets.UTF_8);
                        input.reset();
                        onCommandLine(commandLine);
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
                        line.ok();
                    } else if (input.size() >= maxPayload) {
                        input.reset();
                        mode = Mode.COMMAND;
                        pendingPublish = null;
                        line.error();
                    } else {
                        input.write(b);
                    }
                }
                case DATA_UPLOAD -> {
                    int n = Math.min(chunk.length - i, pendingUpload.size() - input.size());
                    input.write(chunk, i, n);
                    i += n - 1;
                    if (input.size() == pendingUpload.size()) {
                        ModuleTlsCommands.Upload u = pendingUpload;
                        pendingUpload = null;
                        byte[] data = input.toByteArray();
                        input.reset();
                        mode = Mode.COMMAND;
                        tlsCommands.finishUpload(u, data);
                    }
                }
                default -> throw new IllegalStateException();
            }
        }
    }

    private void onCommandLine(String commandLine) {
        String trimmed = commandLine.strip();
        if (trimmed.isEmpty()) {
            return;
        }
        history.add(trimmed);
        if (echo) {
            line.send(commandLine + "\r");
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
            line.error();
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
            case "AT" -> line.ok();
            case "ATE0" -> {
                echo = false;
                line.ok();
            }
            case "ATE1" -> {
                echo = true;
                line.ok();
            }
            case "ATI" ->
                    line.reply("Quectel", "EC600S", "Revision: EC600SCNLAR01A01M16_EMULATED", "OK");
            case "AT+CPIN?" -> line.reply("+CPIN: READY", "OK");
            case "AT+CSQ" -> line.reply("+CSQ: 25,99", "OK");
            case "AT+CREG?" -> line.reply("+CREG: 0,1", "OK");
            case "AT+CGREG?" -> line.reply("+CGREG: 0,1", "OK");
            case "AT+CEREG?" -> line.reply("+CEREG: 0,1", "OK");
            case "AT+QIACT?" -> {
                if (pdpActive) {
                    line.reply("+QIACT: 1,1," + contextType + ",\"" + pdpAddress + "\"", "OK");
                } else {
                    line.ok();
                }
            }
            case "AT+QMTOPEN?" -> {
                List<String> lines = new ArrayList<>();
                for (EmulatedMqttClient c : clients) {
                    if (c.open) {
                        lines.add("+QMTOPEN: " + c.idx + ",\"" + c.host + "\"," + c.port);
                    }
                }
                lines.add("OK");
                line.reply(lines.toArray(String[]::new));
            }
            case "AT+QMTRECV?" -> {
                List<String> lines = new ArrayList<>();
                for (EmulatedMqttClient c : clients) {
                    if (c.connected && c.buffered) {
                        lines.add(c.slotStatus());
                    }
                }
                lines.add("OK");
                line.reply(lines.toArray(String[]::new));
            }
            case "AT+QMTCONN?" -> {
                List<String> lines = new ArrayList<>();
                for (EmulatedMqttClient c : clients) {
                    if (c.open) {
                        lines.add(
                                "+QMTCONN: "
                                        + c.idx
                                        + ","
                                        + (c.connected ? 3 : c.connecting ? 2 : 1));
                    }
                }
                lines.add("OK");
                line.reply(lines.toArray(String[]::new));
            }
            case "AT+QMTOPEN=?" -> line.reply("+QMTOPEN: (0-5),<host_name>,(0-65535)", "OK");
            case "AT+QMTCONN=?" ->
                    line.reply("+QMTCONN: (0-5),<clientID>,<username>,<password>", "OK");
            case "AT+QMTPUB=?" -> line.reply("+QMTPUB: (0-5),<msgid>,(0-2),(0,1),<topic>", "OK");
            case "AT+QMTPUBEX=?" -> {
                if (dialect == PublishDialect.QMTPUBEX) {
                    line.reply("+QMTPUBEX: (0-5),<msgid>,(0-2),(0,1),\"topic\",\"length\"", "OK");
                } else {
                    line.error();
                }
            }
            case "AT+QMTCFG=?" ->
                    line.reply(
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
            case "AT+QFLST" -> tlsCommands.qflst(List.of());
            default -> executeWithParameters(cmd, upper);
        }
    }

    private void executeWithParameters(String cmd, String upper) {
        int eq = cmd.indexOf('=');
        if (eq < 0) {
            line.error();
            return;
        }
        String name = upper.substring(0, eq);
        List<Field> p = AtFields.split(cmd.substring(eq + 1));
        switch (name) {
            case "AT+CMEE" -> line.ok();
            case "AT+QURCCFG" -> {
                if (p.size() == 1) {
                    line.reply("+QURCCFG: \"urcport\",\"uart1\"", "OK");
                } else {
                    line.ok();
                }
            }
            case "AT+QICSGP" -> qicsgp(p);
            case "AT+QIACT" -> {
                requireContext(p);
                if (pdpActive) {
                    line.error();
                } else {
                    pdpActive = true;
                    line.ok();
                }
            }
            case "AT+QIDEACT" -> {
                requireContext(p);
                pdpActive = false;
                pdpStale = false;
                dropAllClients();
                line.ok();
            }
            case "AT+QMTCFG" -> qmtcfg(p);
            case "AT+QSSLCFG" -> tlsCommands.qsslcfg(p);
            case "AT+QFDEL" -> tlsCommands.qfdel(p);
            case "AT+QFLST" -> tlsCommands.qflst(p);
            case "AT+QFUPL" -> {
                pendingUpload = tlsCommands.qfupl(p);
                if (pendingUpload != null) {
                    input.reset();
                    mode = Mode.DATA_UPLOAD;
                }
            }
            case "AT+QMTOPEN" -> qmtopen(p);
            case "AT+QMTCLOSE" -> qmtclose(p);
            case "AT+QMTCONN" -> qmtconn(p);
            case "AT+QMTDISC" -> qmtdisc(p);
            case "AT+QMTSUB" -> qmtsub(p);
            case "AT+QMTUNS" -> qmtuns(p);
            case "AT+QMTPUBEX" -> {
                if (dialect != PublishDialect.QMTPUBEX) {
                    line.error();
                    return;
                }
                publishCommand(p, true);
            }
            case "AT+QMTPUB" -> publishCommand(p, false);
            case "AT+QMTRECV" -> readBuffered(p);
            default -> line.error();
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
            line.reply(
                    "+QICSGP: "
                            + contextType
                            + ",\""
                            + apn
                            + "\",\""
                            + apnUser
                            + "\",\""
                            + apnPassword
                            + "\","
                            + apnAuth,
                    "OK");
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
        line.ok();
    }

    private EmulatedMqttClient client(List<Field> p) {
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
        EmulatedMqttClient c = client(p.subList(1, p.size()));
        List<Field> v = p.subList(2, p.size());
        String prefix = "+QMTCFG: \"" + p.get(0).value() + "\",";
        switch (key) {
            case "version" -> {
                if (v.isEmpty()) {
                    line.reply(prefix + c.version, "OK");
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
                    line.reply(prefix + 1, "OK");
                    return;
                }
                if (v.get(0).asInt() != 1) {
                    throw new IllegalArgumentException("pdpcid");
                }
            }
            case "ssl" -> {
                if (v.isEmpty()) {
                    line.reply(prefix + c.idx + "," + (c.ssl ? 1 : 0) + "," + c.sslContext, "OK");
                    return;
                }
                int on = v.get(0).asInt();
                int ctx = v.size() > 1 ? v.get(1).asInt() : 0;
                if ((on != 0 && on != 1) || ctx < 0 || ctx >= ModuleTlsCommands.CONTEXTS) {
                    throw new IllegalArgumentException("ssl");
                }
                c.ssl = on == 1;
                c.sslContext = ctx;
            }
            case "keepalive" -> {
                if (v.isEmpty()) {
                    line.reply(prefix + c.keepAlive, "OK");
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
                    line.reply(prefix + (c.cleanSession ? 1 : 0), "OK");
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
                    line.reply(prefix + c.pktTimeout + "," + c.retries + ",0", "OK");
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
                    line.reply(prefix + (c.buffered ? 1 : 0) + "," + (c.lengthInUrc ? 1 : 0), "OK");
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
                        line.ok();
                    } else {
                        line.reply(
                                prefix
                                        + c.idx
                                        + ",\""
                                        + c.aliauth.productKey()
                                        + "\",\""
                                        + c.aliauth.deviceName()
                                        + "\"",
                                "OK");
                    }
                    return;
                }
                if (v.size() != 3
                        || !v.get(0).quoted()
                        || !v.get(1).quoted()
                        || !v.get(2).quoted()) {
                    throw new IllegalArgumentException("aliauth");
                }
                c.aliauth =
                        new AliyunDeviceIdentity(
                                v.get(0).value(), v.get(1).value(), v.get(2).value());
            }
            default -> throw new IllegalArgumentException("unknown QMTCFG key");
        }
        line.ok();
    }

    private void qmtopen(List<Field> p) {
        EmulatedMqttClient c = client(p);
        if (p.size() != 3 || !p.get(1).quoted()) {
            throw new IllegalArgumentException("QMTOPEN parameters");
        }
        String host = p.get(1).value();
        int port = p.get(2).asInt();
        if (host.isEmpty() || host.length() > 100 || port < 1 || port > 65535) {
            throw new IllegalArgumentException("QMTOPEN host or port");
        }
        line.ok();
        int result;
        if (c.open) {
            result = 2;
        } else if (!pdpActive || pdpStale) {
            result = 3;
        } else {
            c.open(host, port);
            result = 0;
        }
        line.urc("+QMTOPEN: " + c.idx + "," + result);
    }

    private void qmtclose(List<Field> p) {
        EmulatedMqttClient c = client(p);
        line.ok();
        boolean wasOpen = c.open;
        c.drop();
        line.urc("+QMTCLOSE: " + c.idx + "," + (wasOpen ? 0 : -1));
    }

    private void qmtconn(List<Field> p) {
        EmulatedMqttClient c = client(p);
        if (p.size() < 2 || p.size() > 4 || !p.get(1).quoted()) {
            throw new IllegalArgumentException("QMTCONN parameters");
        }
        if (!c.open || c.connected || c.connecting) {
            throw new IllegalArgumentException("QMTCONN in the wrong state");
        }
        String clientId = p.get(1).value();
        String user = p.size() > 2 ? p.get(2).value() : null;
        String pwd = p.size() > 3 ? p.get(3).value() : null;
        MqttConnectRequest request =
                c.connectRequest(
                        clientId,
                        user,
                        pwd,
                        c.ssl ? tlsCommands.tlsFor(c.sslContext, c.host) : null);
        line.ok();
        c.connect(request);
    }

    private void qmtdisc(List<Field> p) {
        EmulatedMqttClient c = client(p);
        line.ok();
        if (!c.open) {
            line.urc("+QMTDISC: " + c.idx + ",-1");
            return;
        }
        c.drop();
        line.urc("+QMTDISC: " + c.idx + ",0");
    }

    private void qmtsub(List<Field> p) {
        EmulatedMqttClient c = client(p);
        int msgId = p.get(1).asInt();
        if (msgId < 1 || msgId > 65535 || p.size() < 4 || p.size() % 2 != 0) {
            throw new IllegalArgumentException("QMTSUB parameters");
        }
        Map<String, MqttQos> topics = new LinkedHashMap<>();
        for (int i = 2; i < p.size(); i += 2) {
            if (!p.get(i).quoted()) {
                throw new IllegalArgumentException("topic must be quoted");
            }
            topics.put(
                    MqttTopics.requireValidFilter(p.get(i).value()),
                    MqttQos.valueOf(p.get(i + 1).asInt()));
        }
        if (!c.connected) {
            throw new IllegalArgumentException("not connected");
        }
        line.ok();
        c.subscribe(msgId, topics);
    }

    private void qmtuns(List<Field> p) {
        EmulatedMqttClient c = client(p);
        int msgId = p.get(1).asInt();
        if (msgId < 1 || msgId > 65535 || p.size() < 3) {
            throw new IllegalArgumentException("QMTUNS parameters");
        }
        if (!c.connected) {
            throw new IllegalArgumentException("not connected");
        }
        line.ok();
        c.unsubscribe(msgId, p.subList(2, p.size()).stream().map(Field::value).toList());
    }

    private void publishCommand(List<Field> p, boolean counted) {
        EmulatedMqttClient c = client(p);
        if (p.size() != (counted ? 6 : 5) || !p.get(4).quoted()) {
            throw new IllegalArgumentException("publish parameters");
        }
        int msgId = p.get(1).asInt();
        MqttQos qos = MqttQos.valueOf(p.get(2).asInt());
        int retain = p.get(3).asInt();
        String topic = MqttTopics.requireValidName(p.get(4).value());
        if ((qos == MqttQos.AT_MOST_ONCE) != (msgId == 0)
                || msgId < 0
                || msgId > 65535
                || (retain != 0 && retain != 1)) {
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
            line.send("\r\n");
            line.send(">");
            line.send(" ");
        } else {
            line.send("\r\n> ");
        }
    }

    private void finishPublish(byte[] payload) {
        if (rebootOnNextPublish) {
            reboot();
            return;
        }
        PendingPublish pp = pendingPublish;
        pendingPublish = null;
        input.reset();
        mode = Mode.COMMAND;
        line.ok();
        pp.client.publish(pp.msgId, pp.qos, pp.topic, payload, pp.counted);
    }

    /** {@code AT+QMTRECV=idx[,recv_id]}: the buffered message(s), each freed once read, then OK. */
    private void readBuffered(List<Field> p) {
        EmulatedMqttClient c = client(p);
        if (p.size() > 2) {
            throw new IllegalArgumentException("QMTRECV parameters");
        }
        int from = 0;
        int to = EmulatedMqttClient.RECEIVE_SLOTS - 1;
        if (p.size() == 2) {
            from = p.get(1).asInt();
            to = from;
            if (from < 0 || from >= EmulatedMqttClient.RECEIVE_SLOTS) {
                throw new IllegalArgumentException("recv_id");
            }
        }
        c.readBuffered(from, to);
        line.ok();
    }

    private record PendingPublish(
            EmulatedMqttClient client,
            int msgId,
            MqttQos qos,
            String topic,
            int length,
            boolean counted) {}
}
