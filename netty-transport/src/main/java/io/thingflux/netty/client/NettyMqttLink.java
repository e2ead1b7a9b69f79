package io.thingflux.netty.client;

import io.thingflux.link.LinkMessage;
import io.thingflux.link.LinkState;
import io.thingflux.link.MqttLink;
import io.thingflux.link.SubscribeAck;
import io.thingflux.mqtt.MqttQos;
import io.thingflux.mqtt.Subscription;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The {@link MqttLink} seam over a {@link MqttClient}: what the thing model and the EC600S emulator
 * use. Like every link it signals everything on its I/O thread, the client's event loop, whatever
 * scheduler the client was given: the device above it moves signals to its own scheduler.
 */
public final class NettyMqttLink implements MqttLink {

    /** The client as given, for {@link #client()}. */
    private final MqttClient userClient;

    /**
     * The same client signalling on its event loop; every operation of the link goes through it.
     */
    private final MqttClient client;

    public NettyMqttLink(MqttClient client) {
        this.userClient = Objects.requireNonNull(client, "client");
        this.client = client.onEventLoop();
    }

    /** A link over a new client with {@code options} on {@code resources}. */
    public static NettyMqttLink create(MqttClientOptions options, MqttClientResources resources) {
        return new NettyMqttLink(MqttClient.create(options, resources));
    }

    /** The client underneath, as given (signalling on its own scheduler, if it has one). */
    public MqttClient client() {
        return userClient;
    }

    @Override
    public Mono<Void> connect() {
        return client.connect().then();
    }

    @Override
    public Mono<Void> disconnect() {
        return client.disconnect();
    }

    @Override
    public LinkState state() {
        return client.state();
    }

    @Override
    public Flux<LinkState> states() {
        return client.states();
    }

    @Override
    public Mono<Void> publish(String topic, byte[] payload, MqttQos qos) {
        return client.publish(topic, payload, qos).then();
    }

    @Override
    public Flux<LinkMessage> subscribe(String filter, MqttQos qos) {
        return client.subscribe(filter, qos);
    }

    /**
     * One SUBSCRIBE carrying every filter and one subscription in the client for them all; each
     * SUBACK (the first and each after a resubscribe) is passed to {@code onAck} as granted and
     * refused filters, read from the subscription when it comes (see {@link
     * MqttSubscribeFlux#doOnAck}): the link keeps no copy of the filters.
     */
    @Override
    public Flux<LinkMessage> subscribe(
            List<String> filters, MqttQos qos, Consumer<? super SubscribeAck> onAck) {
        Objects.requireNonNull(qos, "qos");
        Objects.requireNonNull(onAck, "onAck");
        List<Subscription> list = new ArrayList<>(filters.size());
        for (String filter : filters) {
            list.add(new Subscription(filter, qos));
        }
        return client.subscribe(list).doOnAck(onAck);
    }

    @Override
    public Flux<LinkMessage> unsolicited() {
        return client.unsolicited();
    }
}
