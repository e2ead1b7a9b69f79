package io.thingflux.netty.broker.internal;

import io.thingflux.mqtt.MqttQos;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * The broker's topic-filter tree: one node per filter level, subscribers with their granted QoS at the
 * node where their filter ends. Matching a topic name walks the literal, {@code +} and {@code #} branches
 * (MQTT 3.1.1 §4.7) without locking; subscribing and unsubscribing are serialised on one lock, and
 * unsubscribing prunes the nodes left empty so the tree stays as small as the live filters.
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

    private final Node<S> root = new Node<>(null, "");
    private final Object writeLock = new Object();

    /** Adds (or replaces the QoS of) {@code subscriber}'s subscription to the valid filter {@code filter}. */
    public void subscribe(String filter, S subscriber, MqttQos qos) {
        String[] levels = filter.split("/", -1);
        synchronized (writeLock) {
            Node<S> node = root;
            for (String level : levels) {
                Node<S> parent = node;
                node = node.children.computeIfAbsent(level, l -> new Node<>(parent, l));
            }
            node.subscribers.put(subscriber, qos);
        }
    }

    /** Removes {@code subscriber}'s subscription to {@code filter}; returns whether there was one. */
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
            while (node != root && node.subscribers.isEmpty() && node.children.isEmpty()) {
                node.parent.children.remove(node.level, node);
                node = node.parent;
            }
            return removed;
        }
    }

    /**
     * Calls {@code visitor} for every subscription whose filter matches the topic name {@code topic}. A
     * subscriber with several matching filters is visited once per filter.
     */
    public void match(String topic, BiConsumer<S, MqttQos> visitor) {
        String[] levels = topic.split("/", -1);
        matchFrom(root, levels, 0, visitor, topic.startsWith("$"));
    }

    private void matchFrom(Node<S> node, String[] levels, int index, BiConsumer<S, MqttQos> visitor,
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
