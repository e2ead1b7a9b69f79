package io.thingflux.emulator.platform.internal;

import io.thingflux.mqtt.MqttQos;
import java.util.ArrayList;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * The broker's topic-filter tree: one node per filter level, subscribers with their granted QoS at
 * the node where their filter ends. Matching a topic name walks the literal, {@code +} and {@code
 * #} branches (MQTT 3.1.1 §4.7) without locking; subscribing and unsubscribing are serialised on
 * one lock, and unsubscribing prunes the nodes left empty so the tree stays as small as the live
 * filters.
 *
 * <p>The result of matching a topic name is cached until the next subscribe or unsubscribe; the
 * cache holds at most {@value #MATCH_CACHE_LIMIT} topic names and is cleared when full and whenever
 * a subscription is removed.
 *
 * @param <S> the subscriber type
 */
public final class SubscriptionTree<S> {

    private static final class Node<S> {
        final Node<S> parent;
        final String level;
        final ConcurrentHashMap<String, Node<S>> children = new ConcurrentHashMap<>(2);
        final ConcurrentHashMap<S, MqttQos> subscribers = new ConcurrentHashMap<>(2);

        Node(Node<S> parent, String level) {
            this.parent = parent;
            this.level = level;
        }
    }

    /** Topic names whose matches are cached, at most. */
    static final int MATCH_CACHE_LIMIT = 10_000;

    /**
     * The subscriptions one topic name matched, in visiting order, while the tree was at {@code
     * version}.
     */
    private record CachedMatch(long version, Object[] subscribers, MqttQos[] qos) {}

    private final Node<S> root = new Node<>(null, "");
    private final Object writeLock = new Object();
    private final ConcurrentHashMap<String, CachedMatch> matchCache = new ConcurrentHashMap<>();

    /**
     * Incremented after every change of the tree; a cached match of an older version is not used.
     */
    private volatile long version;

    /**
     * Adds (or replaces the QoS of) {@code subscriber}'s subscription to the valid filter {@code
     * filter}.
     */
    public void subscribe(String filter, S subscriber, MqttQos qos) {
        String[] levels = filter.split("/", -1);
        synchronized (writeLock) {
            Node<S> node = root;
            for (String level : levels) {
                Node<S> parent = node;
                node = node.children.computeIfAbsent(level, l -> new Node<>(parent, l));
            }
            node.subscribers.put(subscriber, qos);
            version++;
        }
    }

    /**
     * Removes {@code subscriber}'s subscription to {@code filter}; returns whether there was one.
     */
    public boolean unsubscribe(String filter, S subscriber) {
        String[] levels = filter.split("/", -1);
        synchronized (writeLock) {
            Node<S> node = root;
            for (String level : levels) {
                node = node.children.get(level);
                if (node == null) {
                    return false;
                }
            }
            boolean removed = node.subscribers.remove(subscriber) != null;
            version++;
            if (removed && !matchCache.isEmpty()) {
                matchCache.clear(); // no cached match may keep a subscriber that left alive
            }
            while (node != root && node.subscribers.isEmpty() && node.children.isEmpty()) {
                node.parent.children.remove(node.level, node);
                node = node.parent;
            }
            return removed;
        }
    }

    /**
     * Calls {@code visitor} for every subscription whose filter matches the topic name {@code
     * topic}. A subscriber with several matching filters is visited once per filter.
     */
    @SuppressWarnings("unchecked")
    public void match(String topic, BiConsumer<S, MqttQos> visitor) {
        // read before walking: a change during the walk makes the entry stale at once
        long v = version;
        CachedMatch cached = matchCache.get(topic);
        if (cached == null || cached.version() != v) {
            ArrayList<Object> subscribers = new ArrayList<>(2);
            ArrayList<MqttQos> qos = new ArrayList<>(2);
            matchFrom(
                    root,
                    topic.split("/", -1),
                    0,
                    (s, q) -> {
                        subscribers.add(s);
                        qos.add(q);
                    },
                    topic.startsWith("$"));
            cached = new CachedMatch(v, subscribers.toArray(), qos.toArray(new MqttQos[0]));
            if (matchCache.size() >= MATCH_CACHE_LIMIT) {
                matchCache.clear();
            }
            matchCache.put(topic, cached);
        }
        Object[] subscribers = cached.subscribers();
        MqttQos[] qos = cached.qos();
        for (int i = 0; i < subscribers.length; i++) {
            visitor.accept((S) subscribers[i], qos[i]);
        }
    }

    private void matchFrom(
            Node<S> node,
            String[] levels,
            int index,
            BiConsumer<S, MqttQos> visitor,
            boolean dollarTopic) {
        boolean wildcards = index > 0 || !dollarTopic; // MQTT-4.7.2-1
        if (wildcards) {
            Node<S> hash = node.children.get("#");
            if (hash != null) {
                hash.subscribers.forEach(visitor); // "a/#" matches "a" and everything below it
            }
        }
        if (index == levels.length) {
            node.subscribers.forEach(visitor);
            return;
        }
        if (wildcards) {
            Node<S> plus = node.children.get("+");
            if (plus != null) {
                matchFrom(plus, levels, index + 1, visitor, dollarTopic);
            }
        }
        Node<S> child = node.children.get(levels[index]);
        if (child != null) {
            matchFrom(child, levels, index + 1, visitor, dollarTopic);
        }
    }

    /** Whether no subscription is left (for tests and leak checks). */
    public boolean isEmpty() {
        return root.children.isEmpty();
    }
}
