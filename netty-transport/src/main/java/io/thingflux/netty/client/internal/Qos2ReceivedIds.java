package io.thingflux.netty.client.internal;

import io.netty.util.collection.IntObjectHashMap;
import io.thingflux.link.outbox.OutboxStore;

/**
 * The packet ids of incoming QoS 2 messages delivered but not yet released by PUBREL (MQTT 3.1.1
 * §4.3.3, method B), kept across connections of a persistent session so a message is delivered
 * once. Created on first use; confined to the client's event loop. At most 65,535 entries (one per
 * packet id). With a durable outbox each change is written to it and the ids it held are restored,
 * so a message delivered before a crash is not delivered again after it.
 */
final class Qos2ReceivedIds {

    private IntObjectHashMap<Boolean> ids;

    /** Where the ids are kept across processes; null for the in-memory outbox. */
    private final OutboxStore store;

    /** Kept in memory only. */
    Qos2ReceivedIds() {
        this.store = null;
    }

    /** The ids {@code store} held when it was opened, restored. */
    Qos2ReceivedIds(OutboxStore store) {
        this.store = store.durable() ? store : null;
        for (int id : store.recovered().qos2Received()) {
            if (ids == null) {
                ids = new IntObjectHashMap<>(4);
            }
            ids.put(id, Boolean.TRUE);
        }
    }

    /** Records {@code id}; false when it was already there (a duplicate). */
    boolean add(int id) {
        if (ids == null) {
            ids = new IntObjectHashMap<>(4);
        }
        boolean added = ids.put(id, Boolean.TRUE) == null;
        if (added && store != null) {
            store.qos2Received(id);
        }
        return added;
    }

    void remove(int id) {
        if (ids != null && ids.remove(id) != null && store != null) {
            store.qos2Released(id);
        }
    }

    void clear() {
        if (ids != null && store != null) {
            for (int id : ids.keySet()) {
                store.qos2Released(id);
            }
        }
        ids = null;
    }

    int size() {
        return ids == null ? 0 : ids.size();
    }
}
