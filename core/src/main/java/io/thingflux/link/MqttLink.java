package io.thingflux.link;

import io.thingflux.mqtt.MqttQos;
import java.util.List;
import java.util.function.Consumer;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A connected MQTT link, whatever carries it (a Netty channel or a cellular module's AT commands).
 *
 * <p>All operations are cold: nothing happens until subscription. Nothing blocks the caller.
 * Implementations keep reconnecting on their own as their reconnect policy says; {@link #states()}
 * reports it.
 */
public interface MqttLink {

    /**
     * Connects. Completes when the broker accepted the connection; errors with a typed exception
     * when it refused or could not be reached within the implementation's policy.
     */
    Mono<Void> connect();

    /** Disconnects cleanly (MQTT DISCONNECT) and closes the link for good. */
    Mono<Void> disconnect();

    /** The current state. */
    LinkState state();

    /** The current state, then every change, until {@link LinkState#CLOSED}. */
    Flux<LinkState> states();

    /**
     * Publishes {@code payload} to {@code topic}. Completes on write for QoS 0, on PUBACK for QoS 1
     * and on PUBCOMP for QoS 2 (or the transport's equivalent result); errors when the message
     * could not be delivered.
     */
    Mono<Void> publish(String topic, byte[] payload, MqttQos qos);

    /**
     * Subscribes to {@code filter} alone: {@link #subscribe(List, MqttQos, Consumer)} with no
     * acknowledgement callback. Errors with {@link SubscriptionRefusedException} when the broker
     * refuses the filter.
     */
    default Flux<LinkMessage> subscribe(String filter, MqttQos qos) {
        return subscribe(List.of(filter), qos, ack -> {});
    }

    /**
     * Subscribes to all of {@code filters} at {@code qos} when subscribed to, emits every message
     * matching any of them, and unsubscribes from them all on cancel. The transport asks for them
     * together where it can (one MQTT SUBSCRIBE, one acknowledgement).
     *
     * <p>{@code onAck} receives every acknowledgement of this subscription (the first, and each
     * resubscription after a reconnect) with the granted and refused filters, on the link's I/O
     * thread, before any message that follows it; it must not block. A refused filter does not end
     * the stream: the others carry on. The stream errors with {@link SubscriptionRefusedException}
     * only when every filter was refused (after {@code onAck} saw it). Messages that arrive between
     * the broker's acknowledgement and the first request are kept, not lost. A message matching
     * several of the filters may arrive once or once per filter, as the transport delivers it.
     *
     * @param filters at least one filter
     * @throws IllegalArgumentException when {@code filters} is empty
     */
    Flux<LinkMessage> subscribe(
            List<String> filters, MqttQos qos, Consumer<? super SubscribeAck> onAck);

    /**
     * Messages that match none of this link's active subscriptions, such as those the platform
     * pushes without a subscription (dynamic registration results on {@code /ext/register}). Hot:
     * only messages arriving while subscribed are seen.
     */
    Flux<LinkMessage> unsolicited();
}
