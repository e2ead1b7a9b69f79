package io.thingflux.emulator.platform.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.thingflux.emulator.platform.DistinctPublish;
import io.thingflux.emulator.platform.EmulatorRequestException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The dedup view of what devices published: per device, each distinct (topic, payload bytes) once,
 * in order of first arrival, with how many times it arrived and how many of those carried DUP (see
 * {@link DistinctPublish} for what counts as the same message).
 *
 * <p>Bounded at {@code limit} distinct messages over all devices: a new message beyond it is not
 * tracked (arrivals of tracked ones still count), and from then on every query fails with {@link
 * EmulatorRequestException} ({@value #FULL}), since the view could no longer prove a message
 * absent. Called from every broker event loop; one lock, held for a map lookup.
 */
final class PublishDedupView {

    /** The error code of a query on a view that overflowed. */
    static final String FULL = "thingflux.emulator.DedupViewFull";

    private record Device(String productKey, String deviceName) {}

    /** ByteBuffer compares and hashes its content. */
    private record Message(String topic, ByteBuffer payload) {}

    private static final class Count {
        int arrivals;
        int dupArrivals;
    }

    private final int limit;
    private final Map<Device, LinkedHashMap<Message, Count>> devices = new HashMap<>();
    private int size;
    private boolean overflowed;

    PublishDedupView(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be >= 1, was " + limit);
        }
        this.limit = limit;
    }

    /** One arrival; {@code payload} is kept (not copied): the caller never changes it. */
    synchronized void record(String pk, String dn, String topic, byte[] payload, boolean dup) {
        Map<Message, Count> messages =
                devices.computeIfAbsent(new Device(pk, dn), d -> new LinkedHashMap<>());
        Message key = new Message(topic, ByteBuffer.wrap(payload));
        Count count = messages.get(key);
        if (count == null) {
            if (size == limit) {
                overflowed = true;
                return;
            }
            size++;
            count = new Count();
            messages.put(key, count);
        }
        count.arrivals++;
        if (dup) {
            count.dupArrivals++;
        }
    }

    /**
     * What the device published, in order of first arrival; empty when it published nothing.
     *
     * @throws EmulatorRequestException when the view overflowed
     */
    List<DistinctPublish> of(String pk, String dn) {
        List<Message> keys;
        List<int[]> counts = new ArrayList<>();
        synchronized (this) {
            if (overflowed) {
                throw new EmulatorRequestException(
                        FULL,
                        "the dedup view passed its bound of "
                                + limit
                                + " distinct messages and is incomplete");
            }
            Map<Message, Count> messages = devices.get(new Device(pk, dn));
            if (messages == null) {
                messages = Map.of();
            }
            keys = new ArrayList<>(messages.keySet());
            for (Count c : messages.values()) {
                counts.add(new int[] {c.arrivals, c.dupArrivals});
            }
        }
        List<DistinctPublish> out = new ArrayList<>(keys.size());
        for (int i = 0; i < keys.size(); i++) {
            Message m = keys.get(i);
            byte[] payload = m.payload().array().clone();
            out.add(
                    new DistinctPublish(
                            m.topic(),
                            payload,
                            alinkId(payload),
                            counts.get(i)[0],
                            counts.get(i)[1]));
        }
        return out;
    }

    /** The {@code id} of an Alink JSON object, or null. */
    private static String alinkId(byte[] payload) {
        JsonNode n = EmulatorJson.readObject(payload);
        JsonNode id = n == null ? null : n.get("id");
        return id != null && id.isValueNode() && !id.isNull() ? id.asText() : null;
    }
}
