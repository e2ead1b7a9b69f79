package io.thingflux.alink.internal;

import io.thingflux.link.LinkMessage;
import io.thingflux.link.LinkState;
import io.thingflux.link.MqttLink;
import io.thingflux.link.SubscribeAck;
import io.thingflux.mqtt.MqttQos;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
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
 * anywhere (a logout's reply, the gateway's disconnect on a user thread). Both signal the device
 * under this link's monitor, so a message and the end never overlap and nothing follows the end.
 * The messages are pushed without buffering: the device reads them at once into its own bounded
 * buffer.
 */
public final class RoutedLink implements MqttLink {

    /** What the gateway does for its routed links; one object shared by all of them. */
    public interface Owner {
        /** What {@link RoutedLink#disconnect()} of {@code link} does (a logout). */
        Mono<Void> disconnect(RoutedLink link);

        /** The error of a publish while {@code link} is not {@link RoutedLink#online(boolean)}. */
        RuntimeException offline(RoutedLink link);
    }

    private final MqttLink gateway;
    private final Owner owner;

    /** What the owner keeps with the link (the device and its identity); see {@link #attach}. */
    private volatile Object identity;

    private Object device;

    private volatile boolean online;

    /** Guarded by this. */
    private boolean ended;

    /** Guarded by this. */
    private FluxSink<LinkMessage> sink;

    /**
     * @param gateway the gateway's link
     * @param owner what disconnects and offline publishes do
     */
    public RoutedLink(MqttLink gateway, Owner owner) {
        this.gateway = Objects.requireNonNull(gateway, "gateway");
        this.owner = Objects.requireNonNull(owner, "owner");
    }

    /** Sets the device on this link, once, before it is routed to. */
    public void attach(Object device) {
        this.device = device;
    }

    /** The device set by {@link #attach}. */
    public Object device() {
        return device;
    }

    /** Sets the identity the owner logs the device in with (kept for the logins after a drop). */
    public void identity(Object identity) {
        this.identity = identity;
    }

    public Object identity() {
        return identity;
    }

    /** Sets whether the device may publish now (it is logged in). */
    public void online(boolean online) {
        this.online = online;
    }

    public boolean isOnline() {
        return online;
    }

    /** Hands {@code m} to the device, if it listens. */
    public synchronized void deliver(LinkMessage m) {
        if (sink != null && !ended) {
            sink.next(m);
        }
    }

    /** Completes the device's messages for good: the device ends. */
    public synchronized void end() {
        online = false;
        if (ended) {
            return;
        }
        ended = true;
        if (sink != null) {
            sink.complete();
        }
    }

    /** The gateway connects the link: nothing to do. */
    @Override
    public Mono<Void> connect() {
        return Mono.empty();
    }

    @Override
    public Mono<Void> disconnect() {
        return Mono.defer(() -> owner.disconnect(this));
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
                () ->
                        online
                                ? gateway.publish(topic, payload, qos)
                                : Mono.error(owner.offline(this)));
    }

    @Override
    public Flux<LinkMessage> subscribe(
            List<String> filters, MqttQos qos, Consumer<? super SubscribeAck> onAck) {
        if (filters.isEmpty()) {
            throw new IllegalArgumentException("filters must not be empty");
        }
        return Flux.push(
                s -> {
                    synchronized (this) {
                        if (ended) {
                            s.complete();
                            return;
                        }
                        sink = s;
                    }
                    s.onDispose(
                            () -> {
                                synchronized (this) {
                                    if (sink == s) {
                                        sink = null;
                                    }
                                }
                            });
                    onAck.accept(new SubscribeAck(filters, List.of()));
                },
                FluxSink.OverflowStrategy.IGNORE);
    }

    /** Nothing arrives unsubscribed for one device behind a gateway. */
    @Override
    public Flux<LinkMessage> unsolicited() {
        return Flux.empty();
    }
}
