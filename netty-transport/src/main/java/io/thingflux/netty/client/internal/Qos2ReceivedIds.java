package io.thingflux.netty.client.internal;

import io.netty.util.collection.IntObjectHashMap;

/**
 * The packet ids of incoming QoS 2 messages delivered but not yet released by PUBREL (MQTT 3.1.1
 * §4.3.3, method B), kept across connections of a persistent session so a message is delivered
 * once. Created on first use; confined to the client's event loop. At most 65,535 entries (one per
 * packet id).
 */
final class Qos2ReceivedIds {

    private IntObjectHashMap<Boolean> ids;

    /** Records {@code id}; false when it was already there (a duplicate). */
    boolean add(int id) {
        if (ids == null) {
            ids = new IntObjectHashMap<>(4);
        }
        return ids.put(id, Boolean.TRUE) == null;
    }

    void remove(int id) {
        if (ids != null) {
            ids.remove(id);
        }
    }

    void clear() {
        ids = null;
    }

    int size() {
        return ids == null ? 0 : ids.size();
    }
}
