package io.thingflux.netty.client;

import io.thingflux.link.LinkMessage;
import io.thingflux.link.LinkState;
import io.thingflux.link.MqttLink;
import io.thingflux.mqtt.MqttQos;
import java.util.Objects;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** The {@link MqttLink} seam over a {@link MqttClient}: what the thing model and the EC600S emulator use. */
public final class NettyMqttLink implements MqttLink {

    private final MqttClient client;

    public NettyMqttLink(MqttClient client) {
        this.client = Objects.requireNonNull(client, "client");
    }

    /** A link over a new client with {@code options} on {@code resources}. */
    public static NettyMqttLink create(MqttClientOptions options, MqttClientResources resources) {
        return new NettyMqttLink(MqttClient.create(options, resources));
    }

    /** The client underneath. */
    public MqttClient client() {
        return client;
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

    @Override
    public Flux<LinkMessage> unsolicited() {
        return client.unsolicited();
    }
}
