package io.thingflux.emulator.platform.internal;

import io.thingflux.emulator.platform.DeviceStatus;
import io.thingflux.emulator.platform.PropertyValue;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.publisher.MonoSink;

/**
 * What the emulator knows of one device: whether it is online or ever was, the latest value of each
 * reported property (at most {@link #MAX_PROPERTIES} identifiers), the last {@link #MAX_HISTORY}
 * property values and events it reported (for the OpenAPI's history queries; the oldest is dropped
 * beyond it), the device's recent replies to downlink requests (set_reply, service replies; the
 * last {@link #MAX_RECENT_REPLIES} kept) and the callers waiting for a reply or an RRPC response.
 */
final class DeviceState {

    /** Property identifiers kept per device; values of further identifiers are ignored. */
    static final int MAX_PROPERTIES = 1000;

    /** Replies kept per device for a caller that asks after the reply arrived. */
    static final int MAX_RECENT_REPLIES = 64;

    /** Property values and events kept per device for the history queries, each. */
    static final int MAX_HISTORY = 1000;

    /**
     * An event the device posted ({@code thing.event.<identifier>.post}).
     *
     * @param outputJson the event's {@code params.value} as JSON text
     */
    record Event(String identifier, String outputJson, long timeMillis) {}

    final String productKey;
    final String deviceName;

    /** {@code /sys/{pk}/{dn}/}, the start of the device's thing-model topics. */
    final String sysPrefix;

    private final AtomicInteger connections = new AtomicInteger();
    private volatile boolean everOnline;
    private volatile long lastOnlineMillis;
    private final ConcurrentHashMap<String, PropertyValue> properties = new ConcurrentHashMap<>();
    private final Map<String, String> recentReplies =
            new LinkedHashMap<>(16, 0.75f, false) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
                    return size() > MAX_RECENT_REPLIES;
                }
            };
    private final Map<String, MonoSink<String>> replyWaiters = new HashMap<>();
    private final ConcurrentHashMap<String, MonoSink<byte[]>> rrpcWaiters =
            new ConcurrentHashMap<>();

    /** Guards the two histories. */
    private final Object historyLock = new Object();

    private ArrayDeque<PropertyValue> propertyHistory;
    private ArrayDeque<Event> eventHistory;

    DeviceState(String productKey, String deviceName) {
        this.productKey = productKey;
        this.deviceName = deviceName;
        this.sysPrefix = "/sys/" + productKey + "/" + deviceName + "/";
    }

    void online() {
        everOnline = true;
        lastOnlineMillis = System.currentTimeMillis();
        connections.incrementAndGet();
    }

    void offline() {
        connections.decrementAndGet();
    }

    /** When the device last connected (ms), or 0. */
    long lastOnlineMillis() {
        return lastOnlineMillis;
    }

    boolean isOnline() {
        return connections.get() > 0;
    }

    DeviceStatus status() {
        return isOnline()
                ? DeviceStatus.ONLINE
                : everOnline ? DeviceStatus.OFFLINE : DeviceStatus.UNACTIVE;
    }

    void putProperty(PropertyValue value) {
        if (properties.size() < MAX_PROPERTIES || properties.containsKey(value.identifier())) {
            properties.put(value.identifier(), value);
            synchronized (historyLock) {
                if (propertyHistory == null) {
                    propertyHistory = new ArrayDeque<>();
                } else if (propertyHistory.size() >= MAX_HISTORY) {
                    propertyHistory.pollFirst();
                }
                propertyHistory.addLast(value);
            }
        }
    }

    /** The kept values of property {@code identifier}, in arrival order. */
    List<PropertyValue> propertyHistory(String identifier) {
        synchronized (historyLock) {
            return propertyHistory == null
                    ? List.of()
                    : propertyHistory.stream()
                            .filter(v -> v.identifier().equals(identifier))
                            .toList();
        }
    }

    /**
     * Keeps {@code payload} when {@code topic} is an event post ({@code
     * /sys/{pk}/{dn}/thing/event/{identifier}/post}, not a property post).
     */
    void recordIfEvent(String topic, byte[] payload) {
        int from = sysPrefix.length() + "thing/event/".length();
        if (!topic.startsWith(sysPrefix)
                || !topic.startsWith("thing/event/", sysPrefix.length())
                || !topic.endsWith("/post")
                || topic.length() <= from + "/post".length()) {
            return;
        }
        String identifier = topic.substring(from, topic.length() - "/post".length());
        if (identifier.startsWith("property") || identifier.contains("/")) {
            return;
        }
        com.fasterxml.jackson.databind.JsonNode request = EmulatorJson.readObject(payload);
        com.fasterxml.jackson.databind.JsonNode params =
                request == null ? null : request.get("params");
        if (params == null || !params.isObject()) {
            return;
        }
        long now = System.currentTimeMillis();
        long time = params.hasNonNull("time") ? params.get("time").asLong(now) : now;
        com.fasterxml.jackson.databind.JsonNode value = params.get("value");
        Event event = new Event(identifier, value == null ? "{}" : EmulatorJson.text(value), time);
        synchronized (historyLock) {
            if (eventHistory == null) {
                eventHistory = new ArrayDeque<>();
            } else if (eventHistory.size() >= MAX_HISTORY) {
                eventHistory.pollFirst();
            }
            eventHistory.addLast(event);
        }
    }

    /** The kept events, in arrival order. */
    List<Event> eventHistory() {
        synchronized (historyLock) {
            return eventHistory == null ? List.of() : List.copyOf(eventHistory);
        }
    }

    Map<String, PropertyValue> properties() {
        return Map.copyOf(properties);
    }

    /**
     * A reply of the device to downlink request {@code id}: completes a waiter or is kept for a
     * later one.
     */
    void reply(String id, String replyJson) {
        MonoSink<String> waiter;
        synchronized (this) {
            waiter = replyWaiters.remove(id);
            if (waiter == null) {
                recentReplies.put(id, replyJson);
            }
        }
        if (waiter != null) {
            waiter.success(replyJson);
        }
    }

    /**
     * Completes {@code sink} with the reply to {@code id} now or when it arrives; cancelling
     * removes the waiter.
     */
    void awaitReply(String id, MonoSink<String> sink) {
        String known;
        synchronized (this) {
            known = recentReplies.remove(id);
            if (known == null) {
                replyWaiters.put(id, sink);
            }
        }
        if (known != null) {
            sink.success(known);
        } else {
            sink.onDispose(
                    () -> {
                        synchronized (this) {
                            replyWaiters.remove(id, sink);
                        }
                    });
        }
    }

    void awaitRrpc(String messageId, MonoSink<byte[]> sink) {
        rrpcWaiters.put(messageId, sink);
        sink.onDispose(() -> rrpcWaiters.remove(messageId, sink));
    }

    /** An RRPC response from the device; returns whether someone was waiting for it. */
    boolean rrpcResponse(String messageId, byte[] payload) {
        MonoSink<byte[]> sink = rrpcWaiters.remove(messageId);
        if (sink != null) {
            sink.success(payload);
            return true;
        }
        return false;
    }
}
