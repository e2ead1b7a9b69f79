package io.thingflux.alink.internal;

import io.thingflux.link.LinkMessage;
import io.thingflux.link.LinkState;
import io.thingflux.link.MqttLink;
import io.thingflux.link.SubscribeAck;
import io.thingflux.mqtt.MqttQos;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Supplier;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.core.publisher.Mono;

/**
 * One device's view of a gateway's link: publishes go out on the gateway's link, and the messages
 * the gateway routes to the device by topic ({@link #deliver}) come out of {@link #subscribe},
 * which subscribes nothing on the wire (the gateway's own subscription covers every device behind
 * it) and acknowledges at once. Lets a sub-device be a whole {@code AliyunDevice} holding no
 * subscription, buffer or socket of its own.
 *
 * <p>{@link #deliver} is called on the gateway link's I/O thread, serially; {@link #end} from
 * anywhere, once the device is gone. The messages are pushed without buffering: the device reads
 * them at once into its own bounded buffer.
 */
public final class RoutedLink implements MqttLink {

    private final MqttLink gateway;
    private final Supplier<Mono<Void>> onDisconnect;
    private final Supplier<RuntimeException> offline;

    private volatile boolean online;
    private volatile boolean ended;
    private volatile FluxSink<LinkMessage> sink;

    /**
     * @param gateway the gateway's link
     * @param onDisconnect what {@link #disconnect()} does (a logout)
     * @param offline the error of a publish while the device is not {@link #online(boolean)}
     */
    public RoutedLink(
            MqttLink gateway,
            Supplier<Mono<Void>> onDisconnect,
            Supplier<RuntimeException> offline) {
        this.gateway = Objects.requireNonNull(gateway, "gateway");
        this.onDisconnect = Objects.requireNonNull(onDisconnect, "onDisconnect");
        this.offline = Objects.requireNonNull(offline, "offline");
    }

    /** Sets whether the device may publish now (it is logged in). */
    public void online(boolean online) {
        this.online = online;
    }

    public boolean isOnline() {
        return online;
    }

    /** Hands {@code m} to the device, if it listens. */
    public void deliver(LinkMessage m) {
        FluxSink<LinkMessage> s = sink;
        if (s != null) {
            s.next(m);
        }
    }

    /** Completes the device's messages for good: the device ends. */
    public void end() {
        ended = true;
        online = false;
        FluxSink<LinkMessage> s = sink;
        if (s != null) {
            s.complete();
        }
    }

    /** The gateway connects the link: nothing to do. */
    @Override
    public Mono<Void> connect() {
        return Mono.empty();
    }

    @Override
    public Mono<Void> disconnect() {
        return Mono.defer(onDisconnect);
    }

    @Override
    public LinkState state() {
        return gateway.state();
    }

    @Override
    public Flux<LinkState> states() {
        return gateway.states();
    }

    @Override
    public Mono<Void> publish(String topic, byte[] payload, MqttQos qos) {
        return Mono.defer(
                () -> online ? gateway.publish(topic, payload, qos) : Mono.error(offline.get()));
    }

    @Override
    public Flux<LinkMessage> subscribe(
            List<String> filters, MqttQos qos, Consumer<? super SubscribeAck> onAck) {
        if (filters.isEmpty()) {
            throw new IllegalArgumentException("filters must not be empty");
        }
        return Flux.push(
                s -> {
                    if (ended) {
                        s.complete();
                        return;
                    }
                    sink = s;
                    s.onDispose(
                            () -> {
                                if (sink == s) {
                                    sink = null;
                                }
                            });
                    onAck.accept(new SubscribeAck(filters, List.of()));
                    if (ended) {
                        s.complete();
                    }
                },
                FluxSink.OverflowStrategy.IGNORE);
    }

    /** Nothing arrives unsubscribed for one device behind a gateway. */
    @Override
    public Flux<LinkMessage> unsolicited() {
        return Flux.empty();
    }
}
