package io.thingflux.emulator.platform.internal;

import io.thingflux.emulator.platform.DeviceStatus;
import io.thingflux.emulator.platform.PropertyValue;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.publisher.MonoSink;

/**
 * What the emulator knows of one device: whether it is online or ever was, the latest value of each
 * reported property (at most {@link #MAX_PROPERTIES} identifiers), the device's recent replies to
 * downlink requests (set_reply, service replies; the last {@link #MAX_RECENT_REPLIES} kept) and the
 * callers waiting for a reply or an RRPC response.
 */
final class DeviceState {

    /** Property identifiers kept per device; values of further identifiers are ignored. */
    static final int MAX_PROPERTIES = 1000;

    /** Replies kept per device for a caller that asks after the reply arrived. */
    static final int MAX_RECENT_REPLIES = 64;

    final String productKey;
    final String deviceName;

    /** {@code /sys/{pk}/{dn}/}, the start of the device's thing-model topics. */
    final String sysPrefix;

    private final AtomicInteger connections = new AtomicInteger();
    private volatile boolean everOnline;
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

    DeviceState(String productKey, String deviceName) {
        this.productKey = productKey;
        this.deviceName = deviceName;
        this.sysPrefix = "/sys/" + productKey + "/" + deviceName + "/";
    }

    void online() {
        everOnline = true;
        connections.incrementAndGet();
    }

    void offline() {
        connections.decrementAndGet();
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
