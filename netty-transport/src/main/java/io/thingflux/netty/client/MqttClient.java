package io.thingflux.netty.client;

import io.netty.buffer.ByteBufUtil;
import io.thingflux.link.ConnectRefusedException;
import io.thingflux.link.LinkMessage;
import io.thingflux.link.LinkState;
import io.thingflux.link.ReconnectPolicy;
import io.thingflux.mqtt.ConnAck;
import io.thingflux.mqtt.MqttQos;
import io.thingflux.mqtt.MqttTopics;
import io.thingflux.mqtt.Subscription;
import io.thingflux.netty.client.internal.ClientSession;
import io.thingflux.netty.codec.MqttEncoder;
import java.util.List;
import java.util.Objects;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * A reactive MQTT 3.1.1 client on Netty. Every operation is a cold {@code Mono}/{@code Flux}:
 * nothing happens until subscription and nothing blocks the caller or an event loop.
 *
 * <p>Signals reach user code on the client's event loop by default, with no thread hop: code there
 * must not block (it holds up the connection's I/O and every other client on that loop). With
 * {@link MqttClientOptions.Builder#scheduler} set, every {@code Mono} and {@code Flux} of the
 * client publishes its signals on that scheduler instead (e.g. {@code Schedulers.boundedElastic()}
 * for blocking code).
 *
 * <pre>{@code
 * MqttClientResources resources = MqttClientResources.create();
 * MqttClient client = MqttClient.create(MqttClientOptions.builder("broker.local", 1883)
 *         .clientId("sensor-1").build(), resources);
 * client.connect().block();
 * client.subscribe("cmd/#", MqttQos.AT_LEAST_ONCE)
 *         .subscribe(m -> System.out.println(m.topic() + " " + m.payloadAsString()));
 * client.publish(new LinkMessage("telemetry/1", "{\"t\":21}".getBytes(), MqttQos.AT_LEAST_ONCE, false))
 *         .block();
 * client.disconnect().block();
 * resources.dispose();
 * }</pre>
 *
 * <p>A client costs no thread: its connection, timers and session state live on one event loop of
 * the shared {@link MqttClientResources}. It reconnects by itself as its {@link ReconnectPolicy}
 * says, resubscribes when the broker lost the session, resends unacknowledged QoS 1/2 publishes
 * with DUP and holds publishes made while offline in a bounded outbox.
 */
public final class MqttClient {

    private static final int MAX_REMAINING_LENGTH = 268_435_455;

    /**
     * How many state changes a subscriber on the scheduler may be behind before it skips to the
     * latest.
     */
    private static final int STATES_AHEAD = 8;

    private final ClientSession session;

    /** Where user signals are published; {@code null} for the event loop. */
    private final Scheduler scheduler;

    private MqttClient(ClientSession session, Scheduler scheduler) {
        this.session = session;
        this.scheduler = scheduler;
    }

    /** A client (not yet connected) with {@code options}, running on {@code resources}. */
    public static MqttClient create(MqttClientOptions options, MqttClientResources resources) {
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(resources, "resources");
        return new MqttClient(new ClientSession(options, resources), options.scheduler());
    }

    /**
     * This client signalling on its event loop whatever its scheduler: the view {@link
     * NettyMqttLink} uses.
     */
    MqttClient onEventLoop() {
        return scheduler == null ? this : new MqttClient(session, null);
    }

    private <T> Mono<T> toUser(Mono<T> mono) {
        return scheduler == null ? mono : mono.publishOn(scheduler);
    }

    /**
     * Connects; completes with the CONNACK when the broker accepted. Fails with {@link
     * ConnectRefusedException} (refused, with its code), {@link MqttConnectTimeoutException},
     * {@link MqttTransportException} or {@link io.thingflux.mqtt.MqttProtocolException} once the
     * first-connect policy gives up. When already connected, completes at once; when connecting,
     * joins the attempt.
     */
    public Mono<ConnAck> connect() {
        return toUser(session.connect());
    }

    /**
     * Sends DISCONNECT and closes the client for good: queued and in-flight publishes fail with
     * {@link MqttClosedException}, subscriptions complete, {@link #states()} ends with CLOSED.
     */
    public Mono<Void> disconnect() {
        return toUser(session.disconnect());
    }

    /**
     * Publishes {@code message}: completes on write for QoS 0, on PUBACK for QoS 1 and on PUBCOMP
     * for QoS 2. While offline the message waits in the bounded outbox. Cancelling before it was
     * sent removes it. Fails with {@link IllegalArgumentException} when the packet would exceed
     * {@link MqttClientOptions#maxPacketSize()}.
     */
    public Mono<PublishResult> publish(LinkMessage message) {
        Objects.requireNonNull(message, "message");
        try {
            MqttTopics.requireValidName(message.topic());
            session.options().checkPublishAllowed(message.qos(), message.retain());
            requireWithinMaxPacketSize(message);
        } catch (IllegalArgumentException e) {
            return Mono.error(e);
        }
        return toUser(session.publish(message));
    }

    /**
     * Refuses a publish whose frame would exceed {@link MqttClientOptions#maxPacketSize()}: a
     * broker that closes the connection on it would otherwise get it again with DUP after every
     * reconnect.
     */
    private void requireWithinMaxPacketSize(LinkMessage message) {
        int max = session.options().maxPacketSize();
        int payload = message.payloadUnsafe().length;
        // a UTF-16 unit takes at most 3 bytes in UTF-8: a frame whose bound fits needs no byte
        // count
        if (1L + 4 + 2 + 3L * message.topic().length() + 2 + payload <= max) {
            return;
        }
        long remaining =
                2L
                        + ByteBufUtil.utf8Bytes(message.topic())
                        + (message.qos() == MqttQos.AT_MOST_ONCE ? 0 : 2)
                        + payload;
        long frame =
                1
                        + (remaining > MAX_REMAINING_LENGTH
                                ? 4
                                : MqttEncoder.varIntSize((int) remaining))
                        + remaining;
        if (frame > max) {
            throw new IllegalArgumentException(
                    "a publish of "
                            + frame
                            + " bytes exceeds the maximum packet size of "
                            + max
                            + " bytes");
        }
    }

    /** Publishes {@code payload} to {@code topic}, not retained. */
    public Mono<PublishResult> publish(String topic, byte[] payload, MqttQos qos) {
        return publish(new LinkMessage(topic, payload, qos, false));
    }

    /**
     * Publishes every message of {@code messages}, at most the in-flight window at a time, and
     * emits one result per message in input order. A failed message gives a result with its error;
     * the stream goes on.
     */
    public Flux<PublishResult> publish(Publisher<LinkMessage> messages) {
        int window = session.options().maxInFlight();
        return Flux.from(messages)
                .flatMapSequential(
                        m -> publish(m).onErrorResume(e -> Mono.just(new PublishResult(m, e))),
                        window,
                        window);
    }

    /** Subscribes to one filter; see {@link MqttSubscribeFlux}. */
    public MqttSubscribeFlux subscribe(String filter, MqttQos qos) {
        return subscribe(new Subscription(filter, qos));
    }

    /** Subscribes to {@code filters} with one SUBSCRIBE; see {@link MqttSubscribeFlux}. */
    public MqttSubscribeFlux subscribe(Subscription... filters) {
        return subscribe(List.of(filters));
    }

    /** Subscribes to {@code filters} with one SUBSCRIBE; see {@link MqttSubscribeFlux}. */
    public MqttSubscribeFlux subscribe(List<Subscription> filters) {
        if (filters.isEmpty()) {
            throw new IllegalArgumentException("at least one topic filter is needed");
        }
        filters.forEach(f -> session.options().checkSubscribeAllowed(f.qos()));
        return new MqttSubscribeFlux(session, filters, scheduler);
    }

    /**
     * Messages that match no active subscription (e.g. what a platform pushes without one). Hot and
     * best effort: only messages arriving while subscribed are seen, and a subscriber without
     * demand misses them (with a scheduler, once the {@code publishOn} queue of {@link
     * reactor.util.concurrent.Queues#SMALL_BUFFER_SIZE} messages is full).
     */
    public Flux<LinkMessage> unsolicited() {
        Flux<LinkMessage> f = session.unsolicited();
        return scheduler == null ? f : f.publishOn(scheduler);
    }

    /**
     * The current state, then every change, until CLOSED. On the event loop, each change is
     * signalled as it happens (a subscriber without demand then misses it; a new subscriber gets
     * the current state at once). With a scheduler, changes wait in a queue of 8 for the
     * subscriber; one that falls further behind skips to the latest state.
     */
    public Flux<LinkState> states() {
        Flux<LinkState> f = session.states();
        // The replay sink keeps only the latest state, for whoever subscribes next; a subscriber it
        // cannot hand a change to at once (no demand) later sees only the latest. So the hand-off
        // to the scheduler is not fused with the sink (its queue would be that one-slot buffer) and
        // asks for STATES_AHEAD changes at a time.
        return scheduler == null ? f : f.hide().publishOn(scheduler, STATES_AHEAD);
    }

    /** The current state. */
    public LinkState state() {
        return session.state();
    }

    /**
     * How many incoming messages were dropped (QoS 0 beyond a subscriber's buffer, unmatched
     * messages).
     */
    public long droppedMessages() {
        return session.droppedMessages();
    }

    public MqttClientOptions options() {
        return session.options();
    }

    @Override
    public String toString() {
        return "MqttClient[" + session.options().name() + ", " + session.state() + "]";
    }
}
