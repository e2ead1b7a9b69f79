package io.thingflux.netty.client.internal;

import io.netty.util.collection.IntObjectHashMap;
import io.thingflux.netty.client.PacketIdsExhaustedException;

/**
 * Hands out MQTT packet identifiers (1..65535, MQTT 3.1.1 §2.3.1) and remembers which operation
 * each one belongs to until it is acknowledged, so it doubles as the table that correlates PUBACK,
 * PUBREC, PUBCOMP, SUBACK and UNSUBACK with their request.
 *
 * <p>Ids are given out round-robin, skipping those in use; when all 65,535 are in use {@link
 * #allocate} throws {@link PacketIdsExhaustedException} and nothing changes. The table is created
 * on first use and holds only ids in use and is dropped when none is, so an idle client holds no
 * table. Confined to the client's event loop.
 */
final class PacketIdAllocator {

    static final int MAX_ID = 65_535;

    private IntObjectHashMap<Object> inUse;
    private int last;

    /** Takes the next free id for {@code owner}. */
    int allocate(Object owner) {
        if (inUse == null) {
            inUse = new IntObjectHashMap<>(8);
        }
        if (inUse.size() >= MAX_ID) {
            throw new PacketIdsExhaustedException();
        }
        int id = last;
        do {
            id = id == MAX_ID ? 1 : id + 1;
        } while (inUse.containsKey(id));
        inUse.put(id, owner);
        last = id;
        return id;
    }

    /**
     * Takes {@code id} for {@code owner} (a publish read back from a durable outbox keeps its id);
     * false when it is in use.
     */
    boolean reserve(int id, Object owner) {
        if (inUse == null) {
            inUse = new IntObjectHashMap<>(8);
        }
        if (id < 1 || id > MAX_ID || inUse.containsKey(id)) {
            return false;
        }
        inUse.put(id, owner);
        return true;
    }

    /** The owner of {@code id}, or {@code null} when the id is free. */
    Object owner(int id) {
        return inUse == null ? null : inUse.get(id);
    }

    /**
     * Frees {@code id}; returns its former owner or {@code null}. The table goes once no id is in
     * use.
     */
    Object release(int id) {
        IntObjectHashMap<Object> map = inUse;
        if (map == null) {
            return null;
        }
        Object owner = map.remove(id);
        if (map.isEmpty()) {
            inUse = null;
        }
        return owner;
    }

    /** How many ids are in use. */
    int inUse() {
        return inUse == null ? 0 : inUse.size();
    }
}
