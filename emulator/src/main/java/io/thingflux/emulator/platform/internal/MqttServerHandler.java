package io.thingflux.emulator.platform.internal;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.concurrent.ScheduledFuture;
import io.thingflux.mqtt.ConnAck;
import io.thingflux.mqtt.Connect;
import io.thingflux.mqtt.ConnectReturnCode;
import io.thingflux.mqtt.MqttPacket;
import io.thingflux.mqtt.MqttProtocolException;
import io.thingflux.mqtt.MqttQos;
import io.thingflux.mqtt.PingResp;
import io.thingflux.mqtt.PubAck;
import io.thingflux.mqtt.PubComp;
import io.thingflux.mqtt.PubRec;
import io.thingflux.mqtt.PubRel;
import io.thingflux.mqtt.Publish;
import io.thingflux.mqtt.SubAck;
import io.thingflux.mqtt.SubAckReturnCode;
import io.thingflux.mqtt.Subscribe;
import io.thingflux.mqtt.Subscription;
import io.thingflux.mqtt.UnsubAck;
import io.thingflux.mqtt.Unsubscribe;
import io.thingflux.mqtt.Will;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server side of one MQTT connection, the last handler of the pipeline that {@link
 * BrokerChannelInitializer} builds:
 *
 * <pre>
 * [ssl] → mqttDecoder → mqttEncoder → [keepAlive: IdleStateHandler, added after CONNECT] → mqttBroker (this)
 * </pre>
 *
 * It enforces the connect timeout, answers CONNECT (the platform's check, or none), keepalive at
 * 1.5 × the client's interval (MQTT-3.1.2-24), and runs QoS 0/1 (and 2 in plain-broker mode) both
 * ways. All of its state lives on the connection's event loop: messages from other connections
 * arrive through {@link #deliver}, which hops onto that loop. Outbound QoS ≥ 1 messages are limited
 * to {@code maxInflight} unacknowledged; more wait in a queue bounded at {@code pendingLimit} (drop
 * oldest, counted); QoS 0 messages are dropped (counted) while the channel is not writable. A
 * malformed frame or a protocol violation closes this connection only.
 */
public final class MqttServerHandler extends ChannelInboundHandlerAdapter {

    /** The name of this handler in the pipeline. */
    public static final String NAME = "mqttBroker";

    /** The name of the keepalive handler added after CONNECT. */
    public static final String KEEPALIVE_NAME = "keepAlive";

    private static final Logger log = LoggerFactory.getLogger(MqttServerHandler.class);

    /** Marks an outbound QoS 2 message that got its PUBREC and waits for PUBCOMP. */
    private static final Object AWAITING_PUBCOMP = new Object();

    private final BrokerEngine engine;
    private final boolean tls;
    private final CertificateDevices certificates;
    private ChannelHandlerContext ctx;
    private ScheduledFuture<?> connectTimeout;
    private Principal principal;
    private BrokerSession session;
    private DeviceState device;

    /**
     * {@code /sys/{pk}/{dn}/} of a device whose names hold no '/': topics under it pass the ACL at
     * once.
     */
    private String ownSysPrefix;

    private String clientId;
    private Will will;
    private boolean active;
    private boolean connected;
    private boolean closed;
    private boolean takenOver;

    /**
     * Inside a batch of reads: writes wait for {@link #channelReadComplete} to be flushed together.
     */
    private boolean reading;

    private boolean flushPending;
    private int lastPacketId;
    private IntObjectHashMap<Object> inflight;
    private ArrayDeque<OutboundMessage> pending;
    private IntObjectHashMap<Boolean> inboundQos2;

    public MqttServerHandler(BrokerEngine engine, boolean tls) {
        this(engine, tls, null);
    }

    /**
     * @param certificates the devices known by TLS client certificate, or {@code null}
     */
    public MqttServerHandler(BrokerEngine engine, boolean tls, CertificateDevices certificates) {
        this.engine = engine;
        this.tls = tls;
        this.certificates = certificates;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        if (ctx.channel().isActive()) {
            onActive();
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        onActive();
        ctx.fireChannelActive();
    }

    private void onActive() {
        if (active) {
            return;
        }
        active = true;
        engine.counters().openConnections.increment();
        connectTimeout =
                ctx.executor()
                        .schedule(
                                this::onConnectTimeout,
                                engine.options().connectTimeout().toMillis(),
                                TimeUnit.MILLISECONDS);
    }

    private void onConnectTimeout() {
        if (!connected && !closed) {
            engine.counters().connectTimeouts.increment();
            ctx.close();
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        reading = true;
        if (!(msg instanceof MqttPacket packet)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (closed) {
            return;
        }
        if (!connected) {
            if (packet instanceof Connect connect) {
                onConnect(connect);
            } else {
                violation("the first packet must be CONNECT, was " + packet.type());
            }
            return;
        }
        switch (packet.type()) {
            case PUBLISH -> onPublish((Publish) packet);
            case PUBACK -> onAck(((PubAck) packet).packetId());
            case PUBREC -> onPubRec(((PubRec) packet).packetId());
            case PUBREL -> onPubRel(((PubRel) packet).packetId());
            case PUBCOMP -> onAck(((PubComp) packet).packetId());
            case SUBSCRIBE -> onSubscribe((Subscribe) packet);
            case UNSUBSCRIBE -> onUnsubscribe((Unsubscribe) packet);
            case PINGREQ -> writeSoon(PingResp.INSTANCE);
            case DISCONNECT -> {
                will = null; // MQTT-3.14.4-3
                ctx.close();
            }
            default ->
                    violation(
                            "a server does not accept "
                                    + packet.type()); // CONNECT twice, CONNACK, ...
        }
    }

    /** The end of a batch of reads: one flush for every answer and delivery it produced. */
    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        reading = false;
        if (flushPending) {
            flushPending = false;
            ctx.flush();
        }
        ctx.fireChannelReadComplete();
    }

    /** Writes {@code packet}, flushed at the end of the read batch (at once outside one). */
    private void writeSoon(Object packet) {
        ctx.write(packet, ctx.voidPromise());
        flushSoon();
    }

    private void flushSoon() {
        if (reading) {
            flushPending = true;
        } else {
            ctx.flush();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof MqttProtocolException e) {
            if (!connected
                    && !closed
                    && e.reason() == MqttProtocolException.Reason.UNSUPPORTED_PROTOCOL_LEVEL) {
                refuse(ConnectReturnCode.UNACCEPTABLE_PROTOCOL_VERSION);
                return;
            }
            engine.counters().protocolErrors.increment();
            log.debug("closing {}: {}", ctx.channel().remoteAddress(), e.getMessage());
        } else {
            log.debug(
                    "closing {} after an error: {}",
                    ctx.channel().remoteAddress(),
                    cause.toString());
        }
        ctx.close();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            engine.counters().keepAliveTimeouts.increment();
            ctx.close();
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    // ---- CONNECT
    // ------------------------------------------------------------------------------------

    private void onConnect(Connect connect) {
        cancelConnectTimeout();
        // a client certificate, when presented, authenticates the device on its own (X.509 mode)
        PlatformAuthenticator.Result result =
                certificates != null && tls ? certificates.check(ctx.pipeline()) : null;
        if (result == null) {
            result = engine.authenticate(connect, tls);
        }
        if (result.refusal() != null) {
            refuse(result.refusal());
            return;
        }
        principal = result.principal();
        clientId = connect.clientId().isEmpty() ? principal.sessionKey() : connect.clientId();
        if (!engine.aliyun()) {
            will = connect.will(); // the platform ignores will messages
        }
        BrokerEngine.Attachment attachment = engine.attach(principal, connect.cleanSession(), this);
        session = attachment.session();
        device = attachment.device();
        if (device != null
                && principal.productKey().indexOf('/') < 0
                && principal.deviceName().indexOf('/') < 0) {
            ownSysPrefix = "/sys/" + principal.productKey() + "/" + principal.deviceName() + "/";
        }
        connected = true;
        ctx.write(ConnAck.accepted(attachment.sessionPresent()));
        if (connect.keepAliveSeconds() > 0) {
            long limitMillis = connect.keepAliveSeconds() * 1500L;
            ctx.pipeline()
                    .addBefore(
                            ctx.name(),
                            KEEPALIVE_NAME,
                            new IdleStateHandler(limitMillis, 0, 0, TimeUnit.MILLISECONDS));
        }
        for (OutboundMessage m : attachment.queued()) {
            deliverOnLoop(m, false);
        }
        ctx.flush();
    }

    private void refuse(ConnectReturnCode code) {
        engine.counters().refused(code);
        closed = true;
        ctx.writeAndFlush(ConnAck.refused(code)).addListener(ChannelFutureListener.CLOSE);
    }

    /**
     * Called from the connection that took this one's session: close, as the platform kicks the old
     * device.
     */
    void closeForTakeover() {
        ctx.executor()
                .execute(
                        () -> {
                            takenOver = true;
                            ctx.close();
                        });
    }

    // ---- inbound
    // ------------------------------------------------------------------------------------

    private void onPublish(Publish publish) {
        if (publish.qos() == MqttQos.EXACTLY_ONCE && engine.aliyun()) {
            violation("the platform does not support QoS 2");
            return;
        }
        if (principal.isDevice()
                && !(ownSysPrefix != null && publish.topic().startsWith(ownSysPrefix))
                && !TopicAcl.mayPublish(
                        principal.productKey(), principal.deviceName(), publish.topic())
                && !engine.gateways()
                        .mayPublish(
                                principal.productKey(), principal.deviceName(), publish.topic())) {
            engine.counters().aclViolations.increment();
            log.debug("closing {}: publish to {} is not allowed", clientId, publish.topic());
            ctx.close();
            return;
        }
        switch (publish.qos()) {
            case AT_MOST_ONCE -> engine.onClientPublish(principal, device, clientId, publish);
            case AT_LEAST_ONCE -> {
                engine.onClientPublish(principal, device, clientId, publish);
                writeSoon(new PubAck(publish.packetId()));
            }
            case EXACTLY_ONCE -> {
                if (inboundQos2 == null) {
                    inboundQos2 = new IntObjectHashMap<>(4);
                }
                if (inboundQos2.put(publish.packetId(), Boolean.TRUE) == null) {
                    engine.onClientPublish(
                            principal, device, clientId, publish); // once, however often resent
                }
                writeSoon(new PubRec(publish.packetId()));
            }
        }
    }

    private void onPubRel(int packetId) {
        if (inboundQos2 != null) {
            inboundQos2.remove(packetId);
        }
        writeSoon(new PubComp(packetId));
    }

    private void onSubscribe(Subscribe subscribe) {
        List<SubAckReturnCode> codes = new ArrayList<>(subscribe.subscriptions().size());
        List<OutboundMessage> retained = new ArrayList<>(0);
        for (Subscription s : subscribe.subscriptions()) {
            boolean allowed =
                    !principal.isDevice()
                            || TopicAcl.maySubscribe(
                                    principal.productKey(), principal.deviceName(), s.filter());
            if (!allowed
                    && engine.aliyun()
                    && GatewaySessions.maySubscribe(
                            principal.productKey(), principal.deviceName(), s.filter())) {
                allowed = true; // a gateway's filters
                if (GatewaySessions.isWildcardDevice(s.filter())) {
                    session.wildcardDevices = true;
                }
            }
            if (!allowed
                    && engine.aliyun()
                    && engine.gateways()
                            .maySubscribeFor(
                                    principal.productKey(), principal.deviceName(), s.filter())) {
                allowed = true; // a gateway subscribing for a sub-device in its topology
            }
            if (!allowed) {
                engine.counters().aclViolations.increment();
                codes.add(SubAckReturnCode.FAILURE);
                continue;
            }
            // the platform grants QoS 1 whatever was asked; delivery keeps the publisher's QoS (0
            // or 1)
            MqttQos granted = engine.aliyun() ? MqttQos.AT_LEAST_ONCE : s.qos();
            if (!engine.subscribe(session, s.filter(), granted)) {
                codes.add(SubAckReturnCode.FAILURE); // the session holds its maximum of filters
                continue;
            }
            codes.add(SubAckReturnCode.granted(granted));
            for (OutboundMessage r : engine.retainedFor(s.filter())) {
                retained.add(
                        new OutboundMessage(r.topic(), r.payload(), r.qos().min(granted), true));
            }
        }
        ctx.write(new SubAck(subscribe.packetId(), codes));
        for (OutboundMessage r : retained) {
            deliverOnLoop(r, false);
        }
        flushSoon();
    }

    private void onUnsubscribe(Unsubscribe unsubscribe) {
        unsubscribe.filters().forEach(f -> engine.unsubscribe(session, f));
        writeSoon(new UnsubAck(unsubscribe.packetId()));
    }

    private void onAck(int packetId) {
        if (inflight != null && inflight.remove(packetId) != null) {
            sendPending();
        }
    }

    private void onPubRec(int packetId) {
        if (inflight != null && inflight.get(packetId) instanceof Publish) {
            inflight.put(packetId, AWAITING_PUBCOMP);
        }
        writeSoon(new PubRel(packetId));
    }

    private void violation(String what) {
        engine.counters().protocolErrors.increment();
        log.debug("closing {}: {}", ctx.channel().remoteAddress(), what);
        closed = true;
        ctx.close();
    }

    // ---- outbound
    // -----------------------------------------------------------------------------------

    /** Sends {@code message} to this connection; safe from any thread. */
    void deliver(OutboundMessage message) {
        if (ctx.executor().inEventLoop()) {
            deliverOnLoop(message, true);
        } else {
            ctx.executor().execute(() -> deliverOnLoop(message, true));
        }
    }

    private void deliverOnLoop(OutboundMessage m, boolean flush) {
        if (!connected || session == null) {
            return;
        }
        if (closed) {
            // unbound by now: the session queues it or hands it to the connection that took over
            session.offer(m);
            return;
        }
        if (m.qos() == MqttQos.AT_MOST_ONCE) {
            if (!ctx.channel().isWritable()) {
                engine.counters().slowConsumerDrops.increment();
                return;
            }
            write(
                    new Publish(m.topic(), MqttQos.AT_MOST_ONCE, false, m.retain(), 0, m.payload()),
                    flush);
            return;
        }
        if (inflight == null) {
            inflight = new IntObjectHashMap<>(8);
        }
        if (inflight.size() < engine.options().maxInflight() && ctx.channel().isActive()) {
            sendTracked(m, flush);
            return;
        }
        if (pending == null) {
            pending = new ArrayDeque<>();
        }
        if (pending.size() >= engine.options().pendingLimit()) {
            pending.pollFirst();
            engine.counters().slowConsumerDrops.increment();
        }
        pending.addLast(m);
    }

    private void sendTracked(OutboundMessage m, boolean flush) {
        int id = nextPacketId();
        Publish publish = new Publish(m.topic(), m.qos(), false, m.retain(), id, m.payload());
        inflight.put(id, publish);
        write(publish, flush);
    }

    private void sendPending() {
        boolean sent = false;
        while (pending != null
                && !pending.isEmpty()
                && inflight.size() < engine.options().maxInflight()) {
            sendTracked(pending.pollFirst(), false);
            sent = true;
        }
        if (sent) {
            flushSoon();
        }
    }

    private int nextPacketId() {
        do {
            lastPacketId = lastPacketId == 65_535 ? 1 : lastPacketId + 1;
        } while (inflight.containsKey(lastPacketId));
        return lastPacketId;
    }

    private void write(Publish publish, boolean flush) {
        engine.counters().publishesDelivered.increment();
        ctx.write(publish, ctx.voidPromise());
        if (flush) {
            flushSoon();
        }
    }

    // ---- close
    // --------------------------------------------------------------------------------------

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (active) {
            engine.counters().openConnections.decrement();
        }
        cancelConnectTimeout();
        closed = true;
        if (connected) {
            engine.detach(session, this);
            if (will != null && !takenOver) {
                engine.publishWill(will);
            }
            will = null;
            // unacknowledged and waiting messages go back to the session (queued if it persists)
            if (inflight != null) {
                for (Object o : inflight.values()) {
                    if (o instanceof Publish p) {
                        session.offer(
                                new OutboundMessage(
                                        p.topic(), p.payloadUnsafe(), p.qos(), p.retain()));
                    }
                }
                inflight.clear();
            }
            if (pending != null) {
                pending.forEach(session::offer);
                pending.clear();
            }
        }
        ctx.fireChannelInactive();
    }

    private void cancelConnectTimeout() {
        if (connectTimeout != null) {
            connectTimeout.cancel(false);
            connectTimeout = null;
        }
    }
}
