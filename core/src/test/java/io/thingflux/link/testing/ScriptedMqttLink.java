package io.thingflux.link.testing;

import io.thingflux.link.LinkMessage;
import io.thingflux.link.LinkState;
import io.thingflux.link.MqttLink;
import io.thingflux.link.SubscribeAck;
import io.thingflux.link.SubscriptionRefusedException;
import io.thingflux.mqtt.MqttQos;
import io.thingflux.mqtt.MqttTopics;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * An in-memory {@link MqttLink} a test scripts: it records what is published and subscribed, lets
 * the test deliver messages to the active subscriptions (or, when none matches, to {@link
 * #unsolicited()}), and can answer publishes automatically, refuse filters, hold acknowledgements
 * back, or fail to connect.
 *
 * <p>Synchronous: {@link #deliver} emits on the caller's thread, and a responder registered with
 * {@link #onPublish} runs inside {@code publish} before its {@code Mono} completes (a reply can
 * thus arrive before the publisher sees its publish complete, as on a fast network). A subscription
 * is acknowledged (its {@link SubscribeAck} passed to the callback) inside {@code subscribe}, or,
 * after {@link #holdAcks()}, when the test calls {@link #releaseAcks()}; it delivers only once
 * acknowledged. Each subscription buffers at most {@value #SUBSCRIPTION_BUFFER} undelivered
 * messages; {@link #deliver} throws {@link IllegalStateException} beyond. Thread-safe.
 */
public final class ScriptedMqttLink implements MqttLink {

    /** Messages a subscription holds for a subscriber that has not requested them. */
    public static final int SUBSCRIPTION_BUFFER = 1024;

    /** A subscription as the link saw it. */
    public record SubscribeRequest(String filter, MqttQos qos) {}

    private record Responder(String filter, BiConsumer<LinkMessage, ScriptedMqttLink> action) {}

    private record Active(long key, List<String> filters, Sinks.Many<LinkMessage> sink) {

        boolean matches(String topic) {
            for (String f : filters) {
                if (MqttTopics.matches(f, topic)) {
                    return true;
                }
            }
            return false;
        }
    }

    /** A subscription the link has not acknowledged yet. */
    private record Pending(
            long key,
            List<String> filters,
            Sinks.Many<LinkMessage> sink,
            Consumer<? super SubscribeAck> onAck) {}

    private final Object lock = new Object();
    private final List<Pending> held = new ArrayList<>();
    private boolean holdAcks;
    private final List<LinkMessage> published = new ArrayList<>();
    private final Sinks.Many<LinkMessage> publishes =
            Sinks.many().replay().limit(SUBSCRIPTION_BUFFER);
    private final List<SubscribeRequest> subscribeRequests = new ArrayList<>();
    private final List<List<String>> subscribeCalls = new ArrayList<>();
    private final List<String> unsubscribed = new ArrayList<>();
    private final Map<Long, Active> active = new LinkedHashMap<>();
    private final Set<String> refused = new HashSet<>();
    private final List<Responder> responders = new ArrayList<>();
    private final List<Consumer<ScriptedMqttLink>> onConnect = new ArrayList<>();
    private final List<LinkMessage> undelivered = new ArrayList<>();
    private final Sinks.Many<LinkMessage> unsolicited = Sinks.many().multicast().directBestEffort();
    private final Sinks.Many<LinkState> states = Sinks.many().replay().latest();
    private LinkState state = LinkState.DISCONNECTED;
    private Throwable connectFailure;
    private Throwable publishFailure;
    private int connects;
    private int disconnects;
    private long nextKey;

    public ScriptedMqttLink() {
        states.tryEmitNext(LinkState.DISCONNECTED);
    }

    // ---- scripting ----

    /** Makes {@link #connect()} fail with {@code failure} (a refused CONNACK, say). */
    public ScriptedMqttLink failConnect(Throwable failure) {
        synchronized (lock) {
            connectFailure = failure;
        }
        return this;
    }

    /**
     * Makes every {@link #publish} fail with {@code failure}, or succeed again with {@code null}.
     */
    public ScriptedMqttLink failPublish(Throwable failure) {
        synchronized (lock) {
            publishFailure = failure;
        }
        return this;
    }

    /**
     * Makes a subscription to exactly {@code filter} fail with {@link
     * SubscriptionRefusedException}; in a multi-filter subscription it is reported refused and the
     * others carry on.
     */
    public ScriptedMqttLink refuse(String filter) {
        synchronized (lock) {
            refused.add(filter);
        }
        return this;
    }

    /** Holds the acknowledgement of every later subscription back until {@link #releaseAcks()}. */
    public ScriptedMqttLink holdAcks() {
        synchronized (lock) {
            holdAcks = true;
        }
        return this;
    }

    /**
     * Acknowledges the subscriptions held back (refusing the filters {@link #refuse} named), in
     * order, on the caller's thread, and stops holding later ones back.
     *
     * @return how many subscriptions were acknowledged
     */
    public int releaseAcks() {
        List<Pending> now;
        synchronized (lock) {
            holdAcks = false;
            now = List.copyOf(held);
            held.clear();
        }
        now.forEach(this::acknowledge);
        return now.size();
    }

    /** Runs {@code action} after every successful {@link #connect()}, e.g. to push a message. */
    public ScriptedMqttLink onConnect(Consumer<ScriptedMqttLink> action) {
        synchronized (lock) {
            onConnect.add(action);
        }
        return this;
    }

    /**
     * Runs {@code action} for every publish to a topic matching {@code filter}, e.g. to deliver a
     * reply.
     */
    public ScriptedMqttLink onPublish(
            String filter, BiConsumer<LinkMessage, ScriptedMqttLink> action) {
        MqttTopics.requireValidFilter(filter);
        synchronized (lock) {
            responders.add(new Responder(filter, action));
        }
        return this;
    }

    /** Delivers a UTF-8 payload at QoS 0; see {@link #deliver(LinkMessage)}. */
    public int deliver(String topic, String payload) {
        return deliver(
                new LinkMessage(
                        topic,
                        payload.getBytes(StandardCharsets.UTF_8),
                        MqttQos.AT_MOST_ONCE,
                        false));
    }

    /**
     * Delivers {@code message} to every active subscription whose filter matches, or, when none
     * does, to the subscribers of {@link #unsolicited()}; with none of those either it is kept in
     * {@link #undelivered()}.
     *
     * @return how many subscriptions (or unsolicited subscribers) it reached
     * @throws IllegalStateException when a subscription's buffer is full
     */
    public int deliver(LinkMessage message) {
        List<Active> targets = new ArrayList<>();
        synchronized (lock) {
            for (Active a : active.values()) {
                if (a.matches(message.topic())) {
                    targets.add(a);
                }
            }
        }
        for (Active a : targets) {
            Sinks.EmitResult r = a.sink.tryEmitNext(message);
            if (r.isFailure()) {
                throw new IllegalStateException(
                        "subscription " + a.filters + " did not take " + message + ": " + r);
            }
        }
        if (!targets.isEmpty()) {
            return targets.size();
        }
        int n = unsolicited.currentSubscriberCount();
        if (n == 0 || unsolicited.tryEmitNext(message).isFailure()) {
            synchronized (lock) {
                undelivered.add(message);
            }
            return 0;
        }
        return n;
    }

    // ---- observations ----

    /** Everything published so far, in order. */
    public List<LinkMessage> published() {
        synchronized (lock) {
            return List.copyOf(published);
        }
    }

    /** What was published to {@code topic}, in order. */
    public List<LinkMessage> publishedTo(String topic) {
        synchronized (lock) {
            return published.stream().filter(m -> m.topic().equals(topic)).toList();
        }
    }

    /**
     * Every publish, past (the last {@value #SUBSCRIPTION_BUFFER}) and future, for awaiting one.
     */
    public Flux<LinkMessage> publishes() {
        return publishes.asFlux();
    }

    /**
     * Every filter subscribed to, in order, refused ones included (one entry per filter of a
     * multi-filter call).
     */
    public List<SubscribeRequest> subscribeRequests() {
        synchronized (lock) {
            return List.copyOf(subscribeRequests);
        }
    }

    /**
     * The filters of each subscribe call, in order: one for a single filter, all of a multi-filter
     * call.
     */
    public List<List<String>> subscribeCalls() {
        synchronized (lock) {
            return List.copyOf(subscribeCalls);
        }
    }

    /** The filters with a subscriber now. */
    public Set<String> activeFilters() {
        synchronized (lock) {
            Set<String> s = new HashSet<>();
            active.values().forEach(a -> s.addAll(a.filters));
            return s;
        }
    }

    /** The filters unsubscribed (by cancel), in order. */
    public List<String> unsubscribed() {
        synchronized (lock) {
            return List.copyOf(unsubscribed);
        }
    }

    /** Messages {@link #deliver} found no receiver for. */
    public List<LinkMessage> undelivered() {
        synchronized (lock) {
            return List.copyOf(undelivered);
        }
    }

    public int connectCount() {
        synchronized (lock) {
            return connects;
        }
    }

    public int disconnectCount() {
        synchronized (lock) {
            return disconnects;
        }
    }

    // ---- MqttLink ----

    @Override
    public Mono<Void> connect() {
        return Mono.defer(
                () -> {
                    List<Consumer<ScriptedMqttLink>> hooks;
                    synchronized (lock) {
                        if (state == LinkState.CLOSED) {
                            return Mono.error(new IllegalStateException("link closed"));
                        }
                        if (connectFailure != null) {
                            setState(LinkState.CLOSED);
                            return Mono.error(connectFailure);
                        }
                        connects++;
                        setState(LinkState.CONNECTED);
                        hooks = List.copyOf(onConnect);
                    }
                    hooks.forEach(h -> h.accept(this));
                    return Mono.<Void>empty();
                });
    }

    @Override
    public Mono<Void> disconnect() {
        return Mono.fromRunnable(
                () -> {
                    List<Active> all;
                    synchronized (lock) {
                        disconnects++;
                        if (state == LinkState.CLOSED) {
                            return;
                        }
                        setState(LinkState.CLOSED);
                        all = List.copyOf(active.values());
                        active.clear();
                    }
                    all.forEach(a -> a.sink.tryEmitComplete());
                    unsolicited.tryEmitComplete();
                    states.tryEmitComplete();
                });
    }

    @Override
    public LinkState state() {
        synchronized (lock) {
            return state;
        }
    }

    @Override
    public Flux<LinkState> states() {
        return states.asFlux();
    }

    @Override
    public Mono<Void> publish(String topic, byte[] payload, MqttQos qos) {
        return Mono.defer(
                () -> {
                    MqttTopics.requireValidName(topic);
                    LinkMessage m = new LinkMessage(topic, payload.clone(), qos, false);
                    List<Responder> matching = new ArrayList<>();
                    synchronized (lock) {
                        if (publishFailure != null) {
                            return Mono.error(publishFailure);
                        }
                        if (state != LinkState.CONNECTED) {
                            return Mono.error(new IllegalStateException("not connected: " + state));
                        }
                        published.add(m);
                        publishes.tryEmitNext(m);
                        for (Responder r : responders) {
                            if (MqttTopics.matches(r.filter, topic)) {
                                matching.add(r);
                            }
                        }
                    }
                    matching.forEach(r -> r.action.accept(m, this));
                    return Mono.<Void>empty();
                });
    }

    /**
     * One subscription for all of {@code filters}: acknowledged at once on the subscriber's thread
     * (or held back, see {@link #holdAcks()}) with the filters {@link #refuse} named as refused;
     * the others deliver once acknowledged; errors when all are refused.
     */
    @Override
    public Flux<LinkMessage> subscribe(
            List<String> filters, MqttQos qos, Consumer<? super SubscribeAck> onAck) {
        List<String> all = List.copyOf(filters);
        if (all.isEmpty()) {
            throw new IllegalArgumentException("at least one topic filter is needed");
        }
        all.forEach(MqttTopics::requireValidFilter);
        Objects.requireNonNull(onAck, "onAck");
        return Flux.defer(
                () -> {
                    Sinks.Many<LinkMessage> sink =
                            Sinks.many()
                                    .unicast()
                                    .onBackpressureBuffer(
                                            new ArrayBlockingQueue<>(SUBSCRIPTION_BUFFER));
                    Pending pending;
                    boolean hold;
                    synchronized (lock) {
                        subscribeCalls.add(all);
                        for (String filter : all) {
                            subscribeRequests.add(new SubscribeRequest(filter, qos));
                        }
                        pending = new Pending(nextKey++, all, sink, onAck);
                        hold = holdAcks;
                        if (hold) {
                            held.add(pending);
                        }
                    }
                    if (!hold) {
                        acknowledge(pending);
                    }
                    return sink.asFlux()
                            .doOnCancel(
                                    () -> {
                                        synchronized (lock) {
                                            held.remove(pending);
                                            Active a = active.remove(pending.key());
                                            if (a != null) {
                                                unsubscribed.addAll(a.filters());
                                            }
                                        }
                                    });
                });
    }

    /**
     * Passes the acknowledgement to the subscription's callback, then lets it deliver (or fails
     * it).
     */
    private void acknowledge(Pending p) {
        List<String> granted = new ArrayList<>();
        List<String> refusedHere = new ArrayList<>();
        synchronized (lock) {
            for (String filter : p.filters()) {
                (refused.contains(filter) ? refusedHere : granted).add(filter);
            }
        }
        p.onAck().accept(new SubscribeAck(granted, refusedHere));
        if (granted.isEmpty()) {
            p.sink().tryEmitError(new SubscriptionRefusedException(refusedHere));
            return;
        }
        synchronized (lock) {
            active.put(p.key(), new Active(p.key(), List.copyOf(granted), p.sink()));
        }
    }

    @Override
    public Flux<LinkMessage> unsolicited() {
        return unsolicited.asFlux();
    }

    private void setState(LinkState s) {
        state = s;
        states.tryEmitNext(s);
    }

    @Override
    public String toString() {
        synchronized (lock) {
            return "ScriptedMqttLink[state="
                    + state
                    + ", published="
                    + published.size()
                    + ", active="
                    + active.size()
                    + "]";
        }
    }
}
