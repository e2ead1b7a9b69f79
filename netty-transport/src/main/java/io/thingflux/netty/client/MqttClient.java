package io.thingflux.netty.client;

import io.thingflux.link.ConnectRefusedException;
import io.thingflux.link.ReconnectPolicy;
import io.netty.buffer.ByteBufUtil;
import io.thingflux.link.LinkMessage;
import io.thingflux.link.LinkState;
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

/**
 * A reactive MQTT 3.1.1 client on Netty. Every operation is a cold {@code Mono}/{@code Flux}: nothing
 * happens until subscription, nothing blocks the caller or an event loop, and signals reach user code on
 * the resources' scheduler (unless {@link MqttClientOptions.Builder#deliverOnEventLoop(boolean)}).
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
 * <p>A client costs no thread: its connection, timers and session state live on one event loop of the
 * shared {@link MqttClientResources}. It reconnects by itself as its {@link ReconnectPolicy} says,
 * resubscribes when the broker lost the session, resends unacknowledged QoS 1/2 publishes with DUP and
 * holds publishes made while offline in a bounded outbox.
 */
public final class MqttClient {

    private static final int MAX_REMAINING_LENGTH = 268_435_455;

    private final ClientSession session;

    private MqttClient(MqttClientOptions options, MqttClientResources resources) {
        this.session = new ClientSession(options, resources);
    }

    /** A client (not yet connected) with {@code options}, running on {@code resources}. */
    public static MqttClient create(MqttClientOptions options, MqttClientResources resources) {
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(resources, "resources");
        return new MqttClient(options, resources);
    }

    /**
     * Connects; completes with the CONNACK when the broker accepted. Fails with
     * {@link ConnectRefusedException} (refused, with its code), {@link MqttConnectTimeoutException},
     * {@link MqttTransportException} or {@link io.thingflux.mqtt.MqttProtocolException} once the first-connect
     * policy gives up. When already connected, completes at once; when connecting, joins the attempt.
     */
    public Mono<ConnAck> connect() {
        return session.connect();
    }

    /**
     * Sends DISCONNECT and closes the client for good: queued and in-flight publishes fail with
     * {@link MqttClosedException}, subscriptions complete, {@link #states()} ends with CLOSED.
     */
    public Mono<Void> disconnect() {
        return session.disconnect();
    }

    /**
     * Publishes {@code message}: completes on write for QoS 0, on PUBACK for QoS 1 and on PUBCOMP for QoS 2.
     * While offline the message waits in the bounded outbox. Cancelling before it was sent removes it.
     * Fails with {@link IllegalArgumentException} when the packet would exceed
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
        return session.publish(message);
    }

    /**
     * Refuses a publish whose frame would exceed {@link MqttClientOptions#maxPacketSize()}: a broker that
     * closes the connection on it would otherwise get it again with DUP after every reconnect.
     */
    private void requireWithinMaxPacketSize(LinkMessage message) {
        int max = session.options().maxPacketSize();
        int payload = message.payloadUnsafe().length;
        // a UTF-16 unit takes at most 3 bytes in UTF-8: a frame whose bound fits needs no byte count
        if (1L + 4 + 2 + 3L * message.topic().length() + 2 + payload <= max) {
            return;
        }
        long remaining = 2L + ByteBufUtil.utf8Bytes(message.topic())
                + (message.qos() == MqttQos.AT_MOST_ONCE ? 0 : 2) + payload;
        long frame = 1 + (remaining > MAX_REMAINING_LENGTH ? 4 : MqttEncoder.varIntSize((int) remaining)) + remaining;
        if (frame > max) {
            throw new IllegalArgumentException("a publish of " + frame + " bytes exceeds the maximum packet size of "
                    + max + " bytes");
        }
    }

    /** Publishes {@code payload} to {@code topic}, not retained. */
    public Mono<PublishResult> publish(String topic, byte[] payload, MqttQos qos) {
        return publish(new LinkMessage(topic, payload, qos, false));
    }

    /**
     * Publishes every message of {@code messages}, at most the in-flight window at a time, and emits one
     * result per message in input order. A failed message gives a result with its error; the stream goes on.
     */
    public Flux<PublishResult> publish(Publisher<LinkMessage> messages) {
        int window = session.options().maxInFlight();
        return Flux.from(messages).flatMapSequential(m -> publish(m)
                .onErrorResume(e -> Mono.just(new PublishResult(m, e))), window, window);
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
        return new MqttSubscribeFlux(session, filters, null);
    }

    /**
     * Messages that match no active subscription (e.g. what a platform pushes without one). Hot and best
     * effort: only messages arriving while subscribed are seen, and a subscriber without demand misses them.
     */
    public Flux<LinkMessage> unsolicited() {
        return session.unsolicited();
    }

    /**
     * The current state, then every change, until CLOSED. Signalled on the delivery scheduler (unless the
     * options deliver on the event loop); a subscriber that falls 8 changes behind there skips to the latest.
     */
    public Flux<LinkState> states() {
        return session.states();
    }

    /** The current state. */
    public LinkState state() {
        return session.state();
    }

    /** How many incoming messages were dropped (QoS 0 beyond a subscriber's buffer, unmatched messages). */
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
