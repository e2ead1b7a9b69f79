package io.thingflux.netty.client;

import io.thingflux.link.LinkMessage;
import io.thingflux.link.SubscribeAck;
import io.thingflux.mqtt.SubAckReturnCode;
import io.thingflux.mqtt.Subscription;
import io.thingflux.netty.client.internal.ClientSession;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;

/**
 * The messages of a subscription, carrying its SUBACK. Cold: each subscriber registers itself and
 * then sends SUBSCRIBE (at once when connected, else on the next connection), so no message can
 * arrive between the broker's acknowledgement and the subscriber. Cancelling sends UNSUBSCRIBE for
 * the filters no other subscriber of the client uses. The stream fails with {@link
 * io.thingflux.link.SubscriptionRefusedException} when every filter was refused, completes when the
 * client is disconnected, and fails with {@link MqttClosedException} when the connection is lost
 * for good.
 *
 * <p>Demand is backpressure: a QoS 1/2 message is acknowledged to the broker only when it is
 * emitted to the subscriber, within its request, so the broker's in-flight window holds further
 * messages back. Messages wait for demand in a per-subscriber queue: QoS 1/2 ones bounded by that
 * window (at most 65,535), QoS 0 ones by {@link MqttClientOptions#qos0BufferSize()}, the oldest
 * dropped and counted beyond it. A subscriber that requests {@code Long.MAX_VALUE} opts out of
 * backpressure and takes every message as it arrives.
 *
 * <p>Signals arrive on the client's event loop, or, with {@link
 * MqttClientOptions.Builder#scheduler}, on that scheduler in order; with a scheduler a message is
 * taken (and acknowledged) when it is handed to it within the subscriber's demand. The {@link
 * #doOnSubAck} and {@link #doOnRefused} consumers always run on the event loop and must not block.
 */
public final class MqttSubscribeFlux extends Flux<LinkMessage> {

    private final ClientSession session;
    private final List<Subscription> filters;

    /** Called with the filters (read from the session's compact form) and the SUBACK codes. */
    private final BiConsumer<String[], List<SubAckReturnCode>> onSubAck;

    private final Consumer<? super String> onRefused;

    /** Where the subscriber is signalled; {@code null} for the event loop. */
    private final Scheduler scheduler;

    MqttSubscribeFlux(ClientSession session, List<Subscription> filters, Scheduler scheduler) {
        this(session, filters, null, null, scheduler);
    }

    private MqttSubscribeFlux(
            ClientSession session,
            List<Subscription> filters,
            BiConsumer<String[], List<SubAckReturnCode>> onSubAck,
            Consumer<? super String> onRefused,
            Scheduler scheduler) {
        this.session = session;
        this.filters = List.copyOf(filters);
        this.onSubAck = onSubAck;
        this.onRefused = onRefused;
        this.scheduler = scheduler;
    }

    /**
     * The same subscription, also calling {@code consumer} with the SUBACK return codes (one per
     * filter, in order) each time the broker acknowledges it (again after a resubscribe), before
     * any message that follows it.
     */
    public MqttSubscribeFlux doOnSubAck(Consumer<? super List<SubAckReturnCode>> consumer) {
        Objects.requireNonNull(consumer, "consumer");
        return withOnSubAck((names, codes) -> consumer.accept(codes));
    }

    /**
     * The same subscription, also calling {@code consumer} with each acknowledgement read as the
     * filters granted and the filters refused (return code 0x80), in SUBSCRIBE order, each time the
     * broker acknowledges it (again after a resubscribe), before any message that follows it. The
     * filters are read from the subscription when the acknowledgement comes, so the consumer need
     * not keep them.
     */
    public MqttSubscribeFlux doOnAck(Consumer<? super SubscribeAck> consumer) {
        Objects.requireNonNull(consumer, "consumer");
        return withOnSubAck(
                (names, codes) -> {
                    List<String> granted = new ArrayList<>(names.length);
                    List<String> refused = new ArrayList<>(0);
                    for (int i = 0; i < names.length; i++) {
                        // a SUBACK with fewer codes than filters is a protocol error the client
                        // reports; the filters it leaves out count as refused
                        boolean ok = i < codes.size() && !codes.get(i).isFailure();
                        (ok ? granted : refused).add(names[i]);
                    }
                    consumer.accept(new SubscribeAck(granted, refused));
                });
    }

    private MqttSubscribeFlux withOnSubAck(BiConsumer<String[], List<SubAckReturnCode>> added) {
        BiConsumer<String[], List<SubAckReturnCode>> previous = onSubAck;
        BiConsumer<String[], List<SubAckReturnCode>> both =
                previous == null
                        ? added
                        : (names, codes) -> {
                            previous.accept(names, codes);
                            added.accept(names, codes);
                        };
        return new MqttSubscribeFlux(session, filters, both, onRefused, scheduler);
    }

    /**
     * The same subscription, also calling {@code consumer} with each filter the broker refuses
     * (SUBACK return code 0x80), in SUBSCRIBE order, each time it answers the subscription (again
     * after a resubscribe), before any message that follows. The stream itself fails only when
     * every filter is refused. The filters are read from the subscription when a refusal comes, so
     * the consumer need not keep them.
     */
    public MqttSubscribeFlux doOnRefused(Consumer<? super String> consumer) {
        Objects.requireNonNull(consumer, "consumer");
        Consumer<? super String> previous = onRefused;
        Consumer<String> both =
                previous == null
                        ? consumer::accept
                        : filter -> {
                            previous.accept(filter);
                            consumer.accept(filter);
                        };
        return new MqttSubscribeFlux(session, filters, onSubAck, both, scheduler);
    }

    /** The filters of this subscription. */
    public List<Subscription> filters() {
        return filters;
    }

    @Override
    public void subscribe(CoreSubscriber<? super LinkMessage> actual) {
        session.subscribe(filters, actual, onSubAck, onRefused, scheduler);
    }
}
