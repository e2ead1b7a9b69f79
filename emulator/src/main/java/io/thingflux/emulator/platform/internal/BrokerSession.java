package io.thingflux.emulator.platform.internal;

import io.thingflux.mqtt.MqttQos;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One MQTT session: its subscriptions and, while its client is offline with a persistent session
 * (clean session 0), a bounded queue of QoS 1/2 messages (drop-oldest when full, counted). While
 * the client is online the session hands every message to its connection's handler, which runs it
 * on its event loop. Every field is guarded by the session's monitor; critical sections are short.
 */
final class BrokerSession {

    final String key;
    final Principal principal;
    private final BrokerEngine engine;
    private final boolean persistent;
    private final Map<String, MqttQos> subscriptions = new HashMap<>(4);
    private MqttServerHandler handler;
    private ArrayDeque<OutboundMessage> queue;
    private boolean discarded;

    /**
     * Whether a gateway subscribed with {@code +} for product key and device name: deliveries are
     * then checked against its sub-devices ({@link GatewaySessions#mayReceive}).
     */
    volatile boolean wildcardDevices;

    BrokerSession(BrokerEngine engine, String key, Principal principal, boolean persistent) {
        this.engine = engine;
        this.key = key;
        this.principal = principal;
        this.persistent = persistent;
    }

    boolean persistent() {
        return persistent;
    }

    /**
     * Hands {@code message} to the online handler, queues it while offline (persistent, QoS ≥ 1),
     * or drops it.
     */
    void offer(OutboundMessage message) {
        MqttServerHandler h;
        synchronized (this) {
            h = handler;
            if (h == null) {
                if (persistent && !discarded && message.qos() != MqttQos.AT_MOST_ONCE) {
                    if (queue == null) {
                        queue = new ArrayDeque<>();
                    }
                    if (queue.size() >= engine.options().offlineQueueLimit()) {
                        queue.pollFirst();
                        engine.counters().offlineDropped.increment();
                    }
                    queue.addLast(message);
                }
                return;
            }
        }
        h.deliver(message);
    }

    /**
     * Binds the session to {@code h}; returns the messages queued while offline, to be sent first.
     */
    synchronized List<OutboundMessage> bind(MqttServerHandler h) {
        handler = h;
        if (queue == null || queue.isEmpty()) {
            return List.of();
        }
        List<OutboundMessage> queued = new ArrayList<>(queue);
        queue = null;
        return queued;
    }

    /** The handler of the connection bound now, or {@code null}. */
    synchronized MqttServerHandler boundHandler() {
        return handler;
    }

    /** Unbinds whatever handler is bound and returns it (for a takeover). */
    synchronized MqttServerHandler takeOver() {
        MqttServerHandler previous = handler;
        handler = null;
        return previous;
    }

    /** Unbinds {@code h} if it is still the bound handler. */
    synchronized boolean unbind(MqttServerHandler h) {
        if (handler == h) {
            handler = null;
            return true;
        }
        return false;
    }

    /**
     * Adds a subscription unless the session was discarded meanwhile or holds its maximum of
     * filters.
     */
    synchronized boolean subscribe(
            String filter, MqttQos granted, SubscriptionTree<BrokerSession> tree) {
        if (discarded
                || (subscriptions.size() >= engine.options().maxSubscriptions()
                        && !subscriptions.containsKey(filter))) {
            return false;
        }
        subscriptions.put(filter, granted);
        tree.subscribe(filter, this, granted);
        return true;
    }

    synchronized void unsubscribe(String filter, SubscriptionTree<BrokerSession> tree) {
        if (subscriptions.remove(filter) != null) {
            tree.unsubscribe(filter, this);
        }
    }

    /** Ends the session: its subscriptions leave the tree and its queue is dropped. */
    synchronized void discard(SubscriptionTree<BrokerSession> tree) {
        discarded = true;
        subscriptions.keySet().forEach(f -> tree.unsubscribe(f, this));
        subscriptions.clear();
        queue = null;
    }

    synchronized int queuedCount() {
        return queue == null ? 0 : queue.size();
    }

    @Override
    public String toString() {
        return "BrokerSession[" + key + (persistent ? ", persistent" : "") + "]";
    }
}
