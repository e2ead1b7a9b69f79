package io.thingflux.link;

import io.thingflux.mqtt.MqttQos;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.concurrent.Queues;

/**
 * A connected MQTT link, whatever carries it (a Netty channel or a cellular module's AT commands).
 *
 * <p>All operations are cold: nothing happens until subscription. Nothing blocks the caller.
 * Implementations keep reconnecting on their own as their reconnect policy says; {@link #states()}
 * reports it.
 */
public interface MqttLink {

    /**
     * Connects. Completes when the broker accepted the connection; errors with a typed exception when it
     * refused or could not be reached within the implementation's policy.
     */
    Mono<Void> connect();

    /** Disconnects cleanly (MQTT DISCONNECT) and closes the link for good. */
    Mono<Void> disconnect();

    /** The current state. */
    LinkState state();

    /** The current state, then every change, until {@link LinkState#CLOSED}. */
    Flux<LinkState> states();

    /**
     * Publishes {@code payload} to {@code topic}. Completes on write for QoS 0, on PUBACK for QoS 1 and on
     * PUBCOMP for QoS 2 (or the transport's equivalent result); errors when the message could not be
     * delivered.
     */
    Mono<Void> publish(String topic, byte[] payload, MqttQos qos);

    /**
     * Subscribes to {@code filter} when subscribed to, emits every matching message, and unsubscribes on
     * cancel. Errors with {@link SubscriptionRefusedException} when the broker refuses the filter. Messages
     * that arrive between the broker's acknowledgement and the first request are kept, not lost.
     */
    Flux<LinkMessage> subscribe(String filter, MqttQos qos);

    /**
     * Subscribes to all of {@code filters} at {@code qos} when subscribed to, emits every message matching any
     * of them, and unsubscribes from them all on cancel. The transport asks for them together where it can
     * (one MQTT SUBSCRIBE, one acknowledgement), which is what a device holding a dozen filters should use.
     *
     * <p>A filter the broker refuses is passed to {@code onRefused}, before any message that follows its
     * refusal (again if a resubscription after a reconnect is refused), and the other filters carry on. The
     * stream errors with {@link SubscriptionRefusedException} only when every filter was refused (after each
     * was passed to {@code onRefused}). Messages that arrive between the broker's acknowledgement and the first
     * request are kept, not lost. A message matching several of the filters may arrive once or once per
     * filter, as the transport delivers it. {@code onRefused} must not block; it may run on a transport
     * thread.
     *
     * <p>The default implementation merges {@link #subscribe(String, MqttQos)} of each filter, so it sends one
     * subscription per filter; transports that can do better override it.
     *
     * @param filters at least one filter
     * @throws IllegalArgumentException when {@code filters} is empty
     */
    default Flux<LinkMessage> subscribe(List<String> filters, MqttQos qos, Consumer<? super String> onRefused) {
        List<String> all = List.copyOf(filters);
        if (all.isEmpty()) {
            throw new IllegalArgumentException("at least one topic filter is needed");
        }
        Objects.requireNonNull(qos, "qos");
        Objects.requireNonNull(onRefused, "onRefused");
        return Flux.defer(() -> {
            AtomicInteger refusals = new AtomicInteger();
            List<Flux<LinkMessage>> sources = new ArrayList<>(all.size());
            for (String filter : all) {
                sources.add(subscribe(filter, qos).onErrorResume(SubscriptionRefusedException.class, e -> {
                    onRefused.accept(filter);
                    return refusals.incrementAndGet() == all.size() ? Flux.error(e) : Flux.empty();
                }));
            }
            return Flux.merge(Flux.fromIterable(sources), sources.size(), Queues.XS_BUFFER_SIZE);
        });
    }

    /**
     * Messages that match none of this link's active subscriptions, such as those the platform pushes
     * without a subscription (dynamic registration results on {@code /ext/register}). Hot: only messages
     * arriving while subscribed are seen.
     */
    Flux<LinkMessage> unsolicited();
}
