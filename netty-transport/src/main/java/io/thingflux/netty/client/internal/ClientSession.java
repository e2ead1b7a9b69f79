package io.thingflux.netty.client.internal;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import io.netty.resolver.NoopAddressResolverGroup;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.thingflux.link.ConnectRefusedException;
import io.thingflux.link.LinkMessage;
import io.thingflux.link.LinkState;
import io.thingflux.link.ReconnectPolicy;
import io.thingflux.link.outbox.OutboxStore;
import io.thingflux.mqtt.ConnAck;
import io.thingflux.mqtt.Connect;
import io.thingflux.mqtt.Disconnect;
import io.thingflux.mqtt.MqttProtocolException;
import io.thingflux.mqtt.SubAckReturnCode;
import io.thingflux.mqtt.Subscription;
import io.thingflux.netty.client.MqttClientException;
import io.thingflux.netty.client.MqttClientOptions;
import io.thingflux.netty.client.MqttClientResources;
import io.thingflux.netty.client.MqttClosedException;
import io.thingflux.netty.client.MqttConnectTimeoutException;
import io.thingflux.netty.client.MqttTransportException;
import io.thingflux.netty.client.PublishResult;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Everything of one client that outlives a connection, and the connection life cycle itself:
 * connect, CONNACK, loss, reconnect with backoff, disconnect. All of it is confined to one event
 * loop of the shared group, chosen when the client is created; every connection of the client is
 * registered on that loop, so handlers and session share state without locks. Public methods may be
 * called from any thread and hop onto the loop.
 *
 * <p>The client's outbox store ({@link MqttClientOptions#outboxStorage()}) is opened and read back
 * when the session is created and closed when the session closes for good.
 *
 * <p>States: {@code DISCONNECTED → CONNECTING → CONNECTED ⇄ RECONNECTING}, and {@code CLOSED} for
 * good after {@link #disconnect()} or a fatal CONNACK refusal. Every signal of the session (connect
 * and publish results, messages, SUBACKs, ends of streams, states) is given on the event loop;
 * moving them to a user scheduler is the caller's business ({@code MqttClient} does it with {@code
 * publishOn}).
 */
public final class ClientSession implements ChannelFutureListener {

    private static final Logger LOG = LoggerFactory.getLogger(ClientSession.class);

    private final MqttClientOptions options;
    private final EventLoop loop;
    private final MqttClientResources resources;
    private final PacketIdAllocator packetIds = new PacketIdAllocator();
    private final OutgoingPublishes outgoing;
    private final SubscriptionRegistry subscriptions;
    private final Qos2ReceivedIds qos2Received;
    private final OutboxStore store;

    /**
     * Replays the latest state; created by the first {@link #states()} call, guarded by this
     * object's monitor.
     */
    private Sinks.Many<LinkState> states;

    private volatile LinkState state = LinkState.DISCONNECTED;
    private volatile long dropped;
    private Channel channel;
    private boolean connected;

    /**
     * The session's subscriptions and publishes were (re)sent on the current connection: only then
     * do new ones go straight out. Between CONNACK and that point (the connect callbacks run there,
     * on the event loop) they are registered or queued and sent once with the others.
     */
    private boolean resumed;

    private boolean everConnected;

    /** Session present of the CONNACK of the current connection (the packet itself is not kept). */
    private boolean sessionPresent;

    /** The connect of the current attempt until CONNACK, for its failure cause; then dropped. */
    private ChannelFuture connecting;

    private int attempt;
    private ScheduledFuture<?> retryTimer;
    private List<MonoSink<ConnAck>> connectWaiters;

    public ClientSession(MqttClientOptions options, MqttClientResources resources) {
        this.options = options;
        this.resources = resources;
        this.loop = resources.eventLoopGroup().next();
        // read back before anything can be submitted: recovered work goes first
        this.store = options.outboxStorage().open(options.name());
        this.qos2Received = new Qos2ReceivedIds(store);
        this.outgoing = new OutgoingPublishes(this, packetIds, store);
        this.subscriptions = new SubscriptionRegistry(this, packetIds);
    }

    // ---- public operations (any thread) ----

    /** Connects (or joins the connection under way); completes with the CONNACK. */
    public Mono<ConnAck> connect() {
        return Mono.create(
                sink ->
                        execute(
                                () -> {
                                    switch (state) {
                                        case CLOSED ->
                                                sink.error(
                                                        new MqttClosedException(
                                                                "the client is closed"));
                                        case CONNECTED ->
                                                sink.success(ConnAck.accepted(sessionPresent));
                                        case CONNECTING, RECONNECTING -> waiters().add(sink);
                                        case DISCONNECTED -> {
                                            waiters().add(sink);
                                            attempt = 0;
                                            setState(
                                                    everConnected
                                                            ? LinkState.RECONNECTING
                                                            : LinkState.CONNECTING);
                                            startAttempt();
                                        }
                                        default -> throw new IllegalStateException();
                                    }
                                }));
    }

    /** Sends DISCONNECT, closes the connection and the client for good. */
    public Mono<Void> disconnect() {
        return Mono.<Void>create(
                sink ->
                        execute(
                                () -> {
                                    Channel ch = channel;
                                    boolean wasConnected = connected;
                                    close(
                                            new MqttClosedException("the client was disconnected"),
                                            null);
                                    if (ch == null) {
                                        sink.success();
                                    } else if (wasConnected && ch.isActive()) {
                                        ch.writeAndFlush(Disconnect.INSTANCE)
                                                .addListener(f -> ch.close());
                                        ch.closeFuture().addListener(f -> sink.success());
                                    } else {
                                        ch.close().addListener(f -> sink.success());
                                    }
                                }));
    }

    /** Publishes {@code message}; completes on write (QoS 0), PUBACK (1) or PUBCOMP (2). */
    public Mono<PublishResult> publish(LinkMessage message) {
        return OutgoingPublish.mono(this, message);
    }

    /** Hands a subscribed publish to the event loop; see {@link OutgoingPublishes#handOff}. */
    void submit(OutgoingPublish p) {
        outgoing.handOff(p);
    }

    /**
     * Subscribes {@code actual} to {@code filters}; see {@link IncomingSubscription}. Without a
     * {@code scheduler} the subscriber is signalled on the event loop; with one its signals are
     * published on it, and its demand still decides which messages are taken (and acknowledged):
     * the subscription emits within the subscriber's requests into a unicast sink, which {@code
     * publishOn} drains on the scheduler, so the sink never holds more than the subscriber asked
     * for. {@code onSubAck} and {@code onRefused} run on the event loop either way, before any
     * message that follows the SUBACK.
     */
    public void subscribe(
            List<Subscription> filters,
            CoreSubscriber<? super LinkMessage> actual,
            BiConsumer<? super String[], ? super List<SubAckReturnCode>> onSubAck,
            Consumer<? super String> onRefused,
            Scheduler scheduler) {
        if (scheduler == null) {
            IncomingSubscription s =
                    new IncomingSubscription(this, filters, actual, onSubAck, onRefused);
            actual.onSubscribe(s);
            register(s);
            return;
        }
        Sinks.Many<LinkMessage> handOff = Sinks.many().unicast().onBackpressureBuffer();
        IncomingSubscription s =
                new IncomingSubscription(
                        this, filters, new SinkSubscriber(handOff), onSubAck, onRefused);
        handOff.asFlux()
                .publishOn(scheduler)
                .doOnCancel(s::cancel)
                .doOnRequest(s::request)
                .subscribe(actual);
        register(s);
    }

    /** Subscribes {@code actual} to {@code filters}, signalled on the event loop. */
    public void subscribe(
            List<Subscription> filters,
            CoreSubscriber<? super LinkMessage> actual,
            BiConsumer<? super String[], ? super List<SubAckReturnCode>> onSubAck,
            Consumer<? super String> onRefused) {
        subscribe(filters, actual, onSubAck, onRefused, null);
    }

    private void register(IncomingSubscription s) {
        execute(
                () -> {
                    if (state == LinkState.CLOSED) {
                        s.fail(new MqttClosedException("the client is closed"));
                    } else {
                        subscriptions.add(s);
                    }
                });
    }

    /**
     * Hands what a subscription emits (on the event loop, within the demand) to the sink of its
     * scheduler.
     */
    private record SinkSubscriber(Sinks.Many<LinkMessage> sink)
            implements CoreSubscriber<LinkMessage> {
        @Override
        public void onSubscribe(org.reactivestreams.Subscription s) {
            // the demand reaches the subscription from the downstream's doOnRequest
        }

        @Override
        public void onNext(LinkMessage m) {
            // fails only once the subscriber cancelled: the message was taken and is dropped
            sink.tryEmitNext(m);
        }

        @Override
        public void onError(Throwable e) {
            sink.tryEmitError(e);
        }

        @Override
        public void onComplete() {
            sink.tryEmitComplete();
        }
    }

    /** Messages matching no subscription; hot, signalled on the event loop. */
    public Flux<LinkMessage> unsolicited() {
        return subscriptions.unsolicited().asFlux();
    }

    /**
     * The current state, then every change, until CLOSED; signalled on the event loop (a late
     * subscriber gets the current state on its own thread).
     */
    public Flux<LinkState> states() {
        Sinks.Many<LinkState> sink;
        synchronized (this) {
            sink = states;
            if (sink == null) {
                sink = Sinks.many().replay().latest();
                sink.tryEmitNext(state);
                if (state == LinkState.CLOSED) {
                    sink.tryEmitComplete();
                }
                states = sink;
            }
        }
        return sink.asFlux();
    }

    public LinkState state() {
        return state;
    }

    /** Messages dropped so far (QoS 0 overflow, messages no subscriber matched). */
    public long droppedMessages() {
        return dropped;
    }

    public MqttClientOptions options() {
        return options;
    }

    // ---- event-loop side ----

    void execute(Runnable r) {
        if (loop.inEventLoop()) {
            r.run();
        } else {
            loop.execute(r);
        }
    }

    /**
     * Like {@link #execute} for Reactive Streams signals that must not throw ({@code request},
     * {@code cancel}): after the resources were disposed there is nothing left to do.
     */
    void executeQuietly(Runnable r) {
        try {
            execute(r);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            LOG.debug("[{}] event loop shut down; signal ignored", options.name());
        }
    }

    private List<MonoSink<ConnAck>> waiters() {
        if (connectWaiters == null) {
            connectWaiters = new ArrayList<>(1);
        }
        return connectWaiters;
    }

    private void setState(LinkState next) {
        if (state != next) {
            Sinks.Many<LinkState> sink;
            synchronized (this) {
                state = next;
                sink = states;
            }
            if (sink != null) {
                sink.tryEmitNext(next);
                if (next == LinkState.CLOSED) {
                    sink.tryEmitComplete();
                }
            }
        }
    }

    private void startAttempt() {
        retryTimer = null;
        if (state == LinkState.CLOSED) {
            return;
        }
        // through a proxy, the proxy's address is resolved here and the broker's by the proxy
        String host = options.proxy() != null ? options.proxy().host() : options.host();
        int port = options.proxy() != null ? options.proxy().port() : options.port();
        if (NetUtil.isValidIpV4Address(host) || NetUtil.isValidIpV6Address(host)) {
            connectTo(
                    new InetSocketAddress(
                            NetUtil.createInetAddressFromIpAddressString(host), port));
            return;
        }
        // name resolution may block: done off the event loop
        Mono.fromCallable(() -> InetAddress.getByName(host))
                .subscribeOn(Schedulers.boundedElastic())
                .subscribe(
                        addr -> execute(() -> connectTo(new InetSocketAddress(addr, port))),
                        err ->
                                execute(
                                        () ->
                                                onAttemptFailed(
                                                        new MqttTransportException(
                                                                "cannot resolve " + host, err))));
    }

    private void connectTo(InetSocketAddress address) {
        if (state == LinkState.CLOSED) {
            return;
        }
        Connect connect;
        try {
            // per attempt: supplied or signed credentials are not kept
            connect = options.connectPacket();
        } catch (MqttClientException e) {
            onAttemptFailed(e);
            return;
        }
        LOG.debug("[{}] connecting to {}", options.name(), address);
        InetSocketAddress local = options.localAddress();
        // a bootstrap per attempt: connecting is rare, and an idle client then holds none
        Bootstrap bootstrap =
                new Bootstrap()
                        .group(loop)
                        .channel(resources.channelType())
                        .resolver(NoopAddressResolverGroup.INSTANCE)
                        .option(
                                ChannelOption.CONNECT_TIMEOUT_MILLIS,
                                (int)
                                        Math.min(
                                                Integer.MAX_VALUE,
                                                options.connectTimeout().toMillis()))
                        .option(ChannelOption.TCP_NODELAY, true)
                        .option(ChannelOption.SO_KEEPALIVE, true)
                        .handler(
                                new ChannelInitializer<>() {
                                    @Override
                                    protected void initChannel(Channel ch) {
                                        ClientPipeline.install(
                                                ch, ClientSession.this, connect, address);
                                    }
                                });
        // with a proxy, its handler connects to the proxy (address) and asks for the broker
        InetSocketAddress remote =
                options.proxy() != null
                        ? InetSocketAddress.createUnresolved(options.host(), options.port())
                        : address;
        ChannelFuture f =
                local == null ? bootstrap.connect(remote) : bootstrap.connect(remote, local);
        Channel ch = f.channel();
        channel = ch;
        connecting = f;
        connected = false;
        resumed = false;
        ch.closeFuture().addListener(this); // the session itself: no listener object per connection
    }

    /** The close future of a connection completed. */
    @Override
    public void operationComplete(ChannelFuture closed) {
        onChannelClosed(closed.channel());
    }

    /** CONNACK 0 arrived on {@code ch}. */
    void onConnAck(Channel ch, ConnAck ack) {
        if (ch != channel || state == LinkState.CLOSED) {
            ch.close();
            return;
        }
        boolean reconnect = everConnected;
        connected = true;
        everConnected = true;
        sessionPresent = ack.sessionPresent();
        connecting = null;
        attempt = 0;
        if (options.cleanSession()) {
            qos2Received.clear();
        }
        LOG.info(
                "[{}] connected to {}:{} (session present {})",
                options.name(),
                options.host(),
                options.port(),
                ack.sessionPresent());
        setState(LinkState.CONNECTED);
        options.metrics().connected(reconnect);
        if (connectWaiters != null) {
            List<MonoSink<ConnAck>> w = connectWaiters;
            connectWaiters = null;
            w.forEach(s -> s.success(ack));
        }
        if (ch != channel || !connected) {
            return; // a callback above disconnected, or the connection was lost meanwhile
        }
        resumed = true;
        subscriptions.onConnected(ch, ack.sessionPresent());
        outgoing.onConnected(ch, ack.sessionPresent());
    }

    private void onChannelClosed(Channel ch) {
        if (ch != channel) {
            return;
        }
        ChannelFuture connectFuture = connecting;
        boolean wasConnected = connected;
        channel = null;
        connecting = null;
        connected = false;
        resumed = false;
        subscriptions.onDisconnected();
        if (state == LinkState.CLOSED) {
            return;
        }
        Throwable cause = ch.attr(MqttReactiveBridge.CLOSE_CAUSE).get();
        if (cause == null
                && connectFuture != null
                && connectFuture.isDone()
                && !connectFuture.isSuccess()) {
            cause = connectFuture.cause();
        }
        Throwable error = typed(cause, wasConnected);
        if (wasConnected && cause == null) {
            outgoing.onBrokerClosed();
        }
        if (wasConnected) {
            LOG.info("[{}] connection lost: {}", options.name(), error.toString());
            attempt = 0;
            if (options.reconnectPolicy().allows(1)) {
                setState(LinkState.RECONNECTING);
            }
        }
        onAttemptFailed(error);
    }

    private void onAttemptFailed(Throwable error) {
        if (state == LinkState.CLOSED) {
            return;
        }
        options.metrics().connectFailed(error);
        if (error instanceof ConnectRefusedException refused && refused.isFatal()) {
            LOG.warn("[{}] connection refused for good: {}", options.name(), error.getMessage());
            close(error, error);
            return;
        }
        ReconnectPolicy policy =
                everConnected ? options.reconnectPolicy() : options.firstConnectPolicy();
        attempt++;
        if (policy.allows(attempt)) {
            Duration delay = policy.delay(attempt);
            LOG.debug(
                    "[{}] attempt {} failed ({}); retrying in {} ms",
                    options.name(),
                    attempt,
                    error.toString(),
                    delay.toMillis());
            retryTimer = loop.schedule(this::startAttempt, delay.toNanos(), TimeUnit.NANOSECONDS);
            return;
        }
        LOG.info(
                "[{}] giving up after {} attempt(s): {}",
                options.name(),
                attempt,
                error.toString());
        setState(LinkState.DISCONNECTED);
        failWaiters(error);
        MqttClosedException closed =
                new MqttClosedException("the connection was lost and not retried", error);
        outgoing.failAll(closed);
        subscriptions.terminateAll(closed);
    }

    /**
     * Closes the client for good; {@code error} fails waiting operations, {@code subscriberError}
     * subscribers.
     */
    private void close(Throwable error, Throwable subscriberError) {
        if (state == LinkState.CLOSED) {
            return;
        }
        if (retryTimer != null) {
            retryTimer.cancel(false);
            retryTimer = null;
        }
        Channel ch = channel;
        channel = null;
        connecting = null;
        connected = false;
        resumed = false;
        setState(LinkState.CLOSED);
        failWaiters(error);
        outgoing.failAll(
                error instanceof MqttClosedException
                        ? error
                        : new MqttClosedException("the client closed", error));
        subscriptions.terminateAll(subscriberError);
        store.close();
        if (ch != null && subscriberError != null) {
            ch.close();
        }
    }

    private void failWaiters(Throwable error) {
        if (connectWaiters != null) {
            List<MonoSink<ConnAck>> w = connectWaiters;
            connectWaiters = null;
            w.forEach(s -> s.error(error));
        }
    }

    private Throwable typed(Throwable cause, boolean wasConnected) {
        String where = options.host() + ":" + options.port();
        if (cause == null) {
            return wasConnected
                    ? new MqttClosedException("the broker closed the connection")
                    : new MqttTransportException(
                            "the connection to " + where + " closed before CONNACK", null);
        }
        if (cause instanceof MqttClientException
                || cause instanceof ConnectRefusedException
                || cause instanceof MqttProtocolException) {
            return cause;
        }
        if (cause instanceof ConnectTimeoutException
                || cause instanceof SslHandshakeTimeoutException) {
            return new MqttConnectTimeoutException("connecting to " + where + " timed out", cause);
        }
        Throwable root =
                cause instanceof DecoderException && cause.getCause() != null
                        ? cause.getCause()
                        : cause;
        if (root instanceof SSLException) {
            return new MqttTransportException(
                    "TLS with " + where + " failed: " + root.getMessage(), root);
        }
        return new MqttTransportException(
                wasConnected ? "connection to " + where + " lost" : "cannot connect to " + where,
                cause);
    }

    /**
     * Takes {@code ch}, whose pipeline was built elsewhere and whose CONNACK 0 already arrived, as
     * the current connection (handler tests on an {@code EmbeddedChannel}). Runs on the event loop.
     */
    void adoptConnected(Channel ch, ConnAck ack) {
        channel = ch;
        setState(LinkState.CONNECTING);
        onConnAck(ch, ack);
    }

    /**
     * The channel once a connection is accepted and the session's own subscriptions and publishes
     * went out on it (see {@link #resumed}), else {@code null}.
     */
    Channel connectedChannel() {
        return resumed ? channel : null;
    }

    /** The channel once its connection is accepted (CONNACK 0), else {@code null}. */
    Channel acceptedChannel() {
        return connected ? channel : null;
    }

    void countDrop(String reason) {
        options.metrics().dropped(reason);
        dropped++; // after the meter, so whoever sees the count also finds the meter
    }

    Logger log() {
        return LOG;
    }

    /**
     * {@code [name]} for log lines; built when logged, so a client does not hold a copy of its id.
     */
    String logPrefix() {
        return "[" + options.name() + "]";
    }

    OutgoingPublishes outgoing() {
        return outgoing;
    }

    SubscriptionRegistry subscriptions() {
        return subscriptions;
    }

    Qos2ReceivedIds qos2Received() {
        return qos2Received;
    }

    EventLoop eventLoop() {
        return loop;
    }
}
