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
import io.thingflux.serial.internal.QmtRecv;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.Disposables;

/**
 * One of the module's six MQTT clients ({@code client_idx} 0..5): its {@code AT+QMTCFG} options,
 * and the relay of its {@code QMTCONN}, {@code QMTSUB}, {@code QMTUNS} and publishes to a broker
 * over an {@link MqttLink}, with the result URCs and the {@code +QMTRECV} deliveries they produce.
 * Used on the module thread only.
 *
 * <p>Every network loss ({@link #drop()}) starts a new generation: callbacks of an older link are
 * ignored.
 */
final class EmulatedMqttClient {

    private static final Logger log = LoggerFactory.getLogger(EmulatedMqttClient.class);

    /** recv/mode 1: the module's five receive slots. */
    static final int RECEIVE_SLOTS = 5;

    final int idx;
    // AT+QMTCFG options: kept when the network connection is dropped
    int version = 4;
    int keepAlive = 120;
    boolean cleanSession = true;
    int pktTimeout = 5;
    int retries = 3;
    boolean lengthInUrc;
    boolean buffered;
    AliyunDeviceIdentity aliauth;
    boolean ssl;
    int sslContext;
    // network state
    boolean open;
    String host;
    int port;
    boolean connecting;
    boolean connected;

    private final HostChannel line;
    private final RelaySettings relay;
    private final IntSupplier downlinkMsgIds;
    private final LinkMessage[] slots = new LinkMessage[RECEIVE_SLOTS];
    private final int[] slotMsgIds = new int[RECEIVE_SLOTS];
    private MqttLink link;
    private int generation;
    private final Map<String, RelayedSubscription> subscriptions = new LinkedHashMap<>();
    private Disposable.Composite resources = Disposables.composite();

    /**
     * @param downlinkMsgIds the module-wide counter of the msgids of QoS ≥ 1 messages it hands the
     *     host
     */
    EmulatedMqttClient(int idx, HostChannel line, RelaySettings relay, IntSupplier downlinkMsgIds) {
        this.idx = idx;
        this.line = line;
        this.relay = relay;
        this.downlinkMsgIds = downlinkMsgIds;
    }

    /**
     * {@code AT+QMTOPEN} succeeded: the host and port asked for (the link goes to the configured
     * broker).
     */
    void open(String host, int port) {
        this.open = true;
        this.host = host;
        this.port = port;
    }

    /**
     * The CONNECT of {@code AT+QMTCONN}: with no user name and {@code aliauth} set, signed as the
     * module does ({@link AliyunSigner} with the QMTCONN client id, hmacsha256, securemode 3, or 2
     * over TLS).
     *
     * @param tls the client's TLS, or {@code null} for TCP
     */
    MqttConnectRequest connectRequest(String clientId, String user, String pwd, ModuleTls tls) {
        String mqttClientId = clientId;
        if (user == null && aliauth != null) {
            MqttCredentials cred =
                    AliyunSigner.builder()
                            .clientId(clientId)
                            .secureMode(
                                    tls != null
                                            ? AliyunSigner.SECURE_MODE_TLS
                                            : AliyunSigner.SECURE_MODE_TCP)
                            .build()
                            .sign(aliauth);
            mqttClientId = cred.clientId();
            user = cred.username();
            pwd = cred.password();
        }
        return new MqttConnectRequest(
                relay.brokerHost(),
                relay.brokerPort(),
                host,
                port,
                mqttClientId,
                user,
                pwd,
                keepAlive,
                cleanSession,
                version,
                tls);
    }

    /**
     * Connects a new link for {@code request}; {@code +QMTCONN} follows when it has connected or
     * failed.
     */
    void connect(MqttConnectRequest request) {
        MqttLink created;
        try {
            created = relay.linkFactory().create(request);
        } catch (RuntimeException e) {
            log.warn("cannot create a link for {}", request, e);
            line.urc("+QMTCONN: " + idx + ",2");
            return;
        }
        connecting = true;
        link = created;
        int gen = generation;
        created.connect()
                .subscribe(
                        null,
                        err -> line.execute(() -> onConnectFailed(gen, created, err)),
                        () -> line.execute(() -> onConnected(gen, created)));
    }

    private void onConnected(int gen, MqttLink connectedLink) {
        if (generation != gen || link != connectedLink) {
            connectedLink.disconnect().subscribe(null, e -> {});
            return;
        }
        connecting = false;
        connected = true;
        resources.add(
                connectedLink.unsolicited().subscribe(m -> line.execute(() -> deliver(gen, m))));
        resources.add(
                connectedLink
                        .states()
                        .filter(s -> s == LinkState.RECONNECTING || s == LinkState.CLOSED)
                        .next()
                        .subscribe(
                                s ->
                                        line.execute(
                                                () -> {
                                                    if (generation == gen && connected) {
                                                        drop();
                                                        line.sendLine("+QMTSTAT: " + idx + ",1");
                                                    }
                                                })));
        line.urc("+QMTCONN: " + idx + ",0,0");
    }

    private void onConnectFailed(int gen, MqttLink failedLink, Throwable err) {
        if (generation != gen || link != failedLink) {
            return;
        }
        connecting = false;
        link = null;
        OptionalInt code = refusalCode(err);
        log.debug("emulated QMTCONN failed", err);
        line.urc("+QMTCONN: " + idx + (code.isPresent() ? ",0," + code.getAsInt() : ",2"));
    }

    /**
     * The CONNACK return code the module reports in {@code +QMTCONN: idx,0,<code>} when the broker
     * refused the connect ({@link ConnectRefusedException} anywhere in the cause chain); empty for
     * any other failure, which the module reports as {@code +QMTCONN: idx,2} (send failed).
     */
    static OptionalInt refusalCode(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof ConnectRefusedException refused) {
                return OptionalInt.of(refused.returnCode().code());
            }
        }
        return OptionalInt.empty();
    }

    /**
     * Relays the filters of {@code AT+QMTSUB} not already subscribed; {@code +QMTSUB} follows after
     * the URC delay, with 128 for a filter the broker refused by then.
     */
    void subscribe(int msgId, Map<String, MqttQos> topics) {
        int gen = generation;
        List<RelayedSubscription> subs = new ArrayList<>();
        for (Map.Entry<String, MqttQos> t : topics.entrySet()) {
            RelayedSubscription existing = subscriptions.get(t.getKey());
            if (existing != null) {
                subs.add(existing);
                continue;
            }
            RelayedSubscription s = new RelayedSubscription(t.getKey(), t.getValue());
            subscriptions.put(t.getKey(), s);
            s.disposable =
                    link.subscribe(t.getKey(), t.getValue())
                            .subscribe(
                                    m -> line.execute(() -> deliver(gen, m)),
                                    err ->
                                            line.execute(
                                                    () -> {
                                                        s.refused =
                                                                err
                                                                        instanceof
                                                                        SubscriptionRefusedException;
                                                        subscriptions.remove(s.filter, s);
                                                    }));
            subs.add(s);
        }
        line.afterDelay(
                () -> {
                    if (generation != gen) {
                        return;
                    }
                    StringBuilder sb =
                            new StringBuilder("+QMTSUB: ")
                                    .append(idx)
                                    .append(',')
                                    .append(msgId)
                                    .append(",0");
                    for (RelayedSubscription s : subs) {
                        sb.append(',')
                                .append(
                                        s.refused
                                                ? 128
                                                : relay.grantedQos().applyAsInt(s.qos.code()));
                    }
                    line.sendLine(sb.toString());
                });
    }

    /**
     * {@code AT+QMTUNS}: ends the relayed subscriptions of these filters; {@code +QMTUNS} follows.
     */
    void unsubscribe(int msgId, List<String> filters) {
        for (String filter : filters) {
            RelayedSubscription s = subscriptions.remove(filter);
            if (s != null && s.disposable != null) {
                s.disposable.dispose();
            }
        }
        line.urc("+QMTUNS: " + idx + "," + msgId + ",0");
    }

    /**
     * Publishes the payload taken after the prompt; {@code +QMTPUBEX} ({@code counted}) or {@code
     * +QMTPUB} follows with result 0 once the link has published it, 2 when it failed or the client
     * is not connected.
     */
    void publish(int msgId, MqttQos qos, String topic, byte[] payload, boolean counted) {
        String prefix = counted ? "+QMTPUBEX: " : "+QMTPUB: ";
        if (!connected || link == null) {
            line.urc(prefix + idx + "," + msgId + ",2");
            return;
        }
        int gen = generation;
        link.publish(topic, payload, qos)
                .subscribe(
                        null,
                        err ->
                                line.execute(
                                        () -> {
                                            if (generation == gen) {
                                                line.urc(prefix + idx + "," + msgId + ",2");
                                            }
                                        }),
                        () -> line.execute(() -> line.urc(prefix + idx + "," + msgId + ",0")));
    }

    /**
     * A message from the broker: a {@code +QMTRECV} record, or (recv/mode 1) a slot and its notice.
     */
    private void deliver(int gen, LinkMessage m) {
        if (generation != gen || !connected) {
            return;
        }
        int msgId = m.qos() != MqttQos.AT_MOST_ONCE ? downlinkMsgIds.getAsInt() : 0;
        if (!buffered) {
            line.send(receivedRecord(msgId, m));
            return;
        }
        for (int i = 0; i < slots.length; i++) {
            if (slots[i] == null) {
                slots[i] = m;
                slotMsgIds[i] = msgId;
                line.sendLine("+QMTRECV: " + idx + "," + i);
                return;
            }
        }
        log.warn(
                "client {}: all {} receive slots full, message on {} dropped",
                idx,
                slots.length,
                m.topic());
    }

    /** {@code +QMTRECV: idx,msgid,"topic"[,len],"payload"} with its CR LFs, the payload raw. */
    private byte[] receivedRecord(int msgId, LinkMessage m) {
        return QmtRecv.render(
                new QmtRecv.Received(idx, msgId, m.topic(), m.payloadUnsafe()), lengthInUrc);
    }

    /** The {@code AT+QMTRECV?} line of this client: which receive slots hold a message. */
    String slotStatus() {
        StringBuilder sb = new StringBuilder("+QMTRECV: ").append(idx);
        for (LinkMessage m : slots) {
            sb.append(',').append(m == null ? 0 : 1);
        }
        return sb.toString();
    }

    /**
     * {@code AT+QMTRECV=idx[,recv_id]}: sends the buffered message(s) of slots {@code from..to},
     * freeing each.
     */
    void readBuffered(int from, int to) {
        for (int i = from; i <= to; i++) {
            if (slots[i] != null) {
                line.send(receivedRecord(slotMsgIds[i], slots[i]));
                slots[i] = null;
            }
        }
    }

    /**
     * Forgets the network connection (options stay); the link is disconnected in the background.
     */
    void drop() {
        generation++;
        open = false;
        connecting = false;
        connected = false;
        host = null;
        subscriptions
                .values()
                .forEach(
                        s -> {
                            if (s.disposable != null) {
                                s.disposable.dispose();
                            }
                        });
        subscriptions.clear();
        Arrays.fill(slots, null);
        resources.dispose();
        resources = Disposables.composite();
        MqttLink l = link;
        link = null;
        if (l != null) {
            l.disconnect().subscribe(null, e -> log.debug("link disconnect failed", e));
        }
    }

    /**
     * A filter the module subscribed to, as relayed to the broker through the client's {@link
     * MqttLink}.
     */
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
}
