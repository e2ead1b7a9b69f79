package io.thingflux.emulator.ec600s;

import io.thingflux.link.ConnectRefusedException;
import io.thingflux.link.LinkMessage;
import io.thingflux.link.LinkState;
import io.thingflux.link.MqttLink;
import io.thingflux.link.SubscribeAck;
import io.thingflux.link.SubscriptionRefusedException;
import io.thingflux.mqtt.ConnectReturnCode;
import io.thingflux.mqtt.MqttQos;
import io.thingflux.mqtt.MqttTopics;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Predicate;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * An in-memory MQTT broker for tests: hands out {@link MqttLink}s (a {@link MqttLinkFactory}),
 * routes publishes between them by topic filter, records what was published and with which CONNECT
 * fields, and can refuse connections and filters.
 */
final class FakeBroker implements MqttLinkFactory {

    /** A connection the broker refused, with its CONNACK return code. */
    final List<MqttConnectRequest> connects = new CopyOnWriteArrayList<>();

    final List<LinkMessage> published = new CopyOnWriteArrayList<>();
    final Set<FakeLink> links = ConcurrentHashMap.newKeySet();
    volatile Predicate<MqttConnectRequest> accept = r -> true;

    /** The CONNACK code a refused connect fails with; null: the connect fails without a CONNACK. */
    volatile ConnectReturnCode refusal;

    volatile Predicate<String> refuseFilter = f -> false;

    @Override
    public MqttLink create(MqttConnectRequest request) {
        return new FakeLink(request);
    }

    /** The cloud publishes: every connected link with a matching subscription gets it. */
    void publish(String topic, byte[] payload, MqttQos qos) {
        route(null, topic, payload, qos);
    }

    /** Like the Aliyun platform, a device's own uplink is not routed back to it. */
    private void route(FakeLink from, String topic, byte[] payload, MqttQos qos) {
        for (FakeLink l : links) {
            if (l != from) {
                l.deliver(new LinkMessage(topic, payload, qos, false));
            }
        }
    }

    /** The broker drops every connection (as a crash would). */
    void dropAll() {
        for (FakeLink l : links) {
            l.drop();
        }
    }

    /** Number of live subscriptions to {@code filter} across links. */
    int subscribers(String filter) {
        return links.stream()
                .mapToInt(l -> (int) l.subs.stream().filter(s -> s.filter.equals(filter)).count())
                .sum();
    }

    private record Sub(String filter, Sinks.Many<LinkMessage> sink) {}

    final class FakeLink implements MqttLink {
        final MqttConnectRequest request;
        final Sinks.Many<LinkState> states = Sinks.many().replay().latest();
        final Sinks.Many<LinkMessage> unsolicited = Sinks.many().multicast().directBestEffort();
        final List<Sub> subs = new CopyOnWriteArrayList<>();
        volatile LinkState state = LinkState.DISCONNECTED;

        FakeLink(MqttConnectRequest request) {
            this.request = request;
            states.tryEmitNext(state);
        }

        private synchronized void set(LinkState s) {
            state = s;
            states.tryEmitNext(s);
        }

        @Override
        public Mono<Void> connect() {
            return Mono.defer(
                    () -> {
                        connects.add(request);
                        if (!accept.test(request)) {
                            set(LinkState.CLOSED);
                            ConnectReturnCode code = refusal;
                            return Mono.error(
                                    code == null
                                            ? new IllegalStateException(
                                                    "connection failed before a CONNACK")
                                            : new ConnectRefusedException(code));
                        }
                        links.add(this);
                        set(LinkState.CONNECTED);
                        return Mono.empty();
                    });
        }

        @Override
        public Mono<Void> disconnect() {
            return Mono.fromRunnable(
                    () -> {
                        links.remove(this);
                        subs.clear();
                        set(LinkState.CLOSED);
                    });
        }

        void drop() {
            links.remove(this);
            subs.clear();
            set(LinkState.RECONNECTING);
        }

        @Override
        public LinkState state() {
            return state;
        }

        @Override
        public Flux<LinkState> states() {
            return states.asFlux();
        }

        @Override
        public Mono<Void> publish(String topic, byte[] payload, MqttQos qos) {
            return Mono.defer(
                    () -> {
                        if (state != LinkState.CONNECTED) {
                            return Mono.error(new IllegalStateException("not connected"));
                        }
                        published.add(new LinkMessage(topic, payload, qos, false));
                        route(this, topic, payload, qos);
                        return Mono.empty();
                    });
        }

        @Override
        public Flux<LinkMessage> subscribe(
                List<String> filters, MqttQos qos, Consumer<? super SubscribeAck> onAck) {
            return Flux.defer(
                    () -> {
                        Predicate<String> refuse = refuseFilter;
                        List<String> granted = filters.stream().filter(refuse.negate()).toList();
                        onAck.accept(
                                new SubscribeAck(
                                        granted, filters.stream().filter(refuse).toList()));
                        if (granted.isEmpty()) {
                            return Flux.error(new SubscriptionRefusedException(filters));
                        }
                        Sinks.Many<LinkMessage> sink =
                                Sinks.many().unicast().onBackpressureBuffer();
                        List<Sub> mine = granted.stream().map(f -> new Sub(f, sink)).toList();
                        subs.addAll(mine);
                        return sink.asFlux().doFinally(s -> subs.removeAll(mine));
                    });
        }

        @Override
        public Flux<LinkMessage> unsolicited() {
            return unsolicited.asFlux();
        }

        void deliver(LinkMessage m) {
            boolean matched = false;
            for (Sub s : subs) {
                if (MqttTopics.matches(s.filter, m.topic())) {
                    matched = true;
                    s.sink.emitNext(
                            m,
                            Sinks.EmitFailureHandler.busyLooping(java.time.Duration.ofSeconds(1)));
                }
            }
            if (!matched) {
                unsolicited.tryEmitNext(m);
            }
        }
    }
}
