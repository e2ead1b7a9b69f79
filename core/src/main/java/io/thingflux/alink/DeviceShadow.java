package io.thingflux.alink;

import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * The device shadow of one {@link AliyunDevice}: gets the shadow document, reports state ({@code
 * reported}), deletes reported keys, clears applied desired state, and turns the platform's {@code
 * control} pushes into a {@link Flux} of desired state.
 *
 * <p>Versions: the shadow keeps the last version it saw (from a reply or a control push). Each
 * update and delete sends that version plus one; the platform refuses an older one with {@link
 * ShadowException} (code {@link ShadowException#VERSION_CONFLICT}). A control push whose version is
 * not newer than the last seen is stale and dropped. After applying desired state, call {@link
 * #applied(Map)}: it reports the values and clears {@code desired}, as the platform expects. A new
 * device object starts at version 0: call {@link #get()} once after connecting to learn the
 * shadow's version, and subscribe to {@link #controls()} once (each subscriber moves the version).
 *
 * <p>Shadow replies carry no request id, so a request is answered by the next reply on {@code
 * /shadow/get}: issue one request at a time (each {@code Mono} completes before the next starts).
 * The device must subscribe to {@link AlinkTopics#platformSubscriptions()}.
 */
public final class DeviceShadow {

    private final AliyunDevice device;
    private final AtomicLong version = new AtomicLong(0);

    DeviceShadow(AliyunDevice device) {
        this.device = Objects.requireNonNull(device, "device");
    }

    /** The last shadow version seen, or 0. */
    public long version() {
        return version.get();
    }

    /** Asks for the shadow document; the reply's {@code state} holds reported and desired. */
    public Mono<ThingMessage.ShadowMessage> get() {
        return send(Map.of("method", "get"));
    }

    /** Reports {@code reported} with the next version. */
    public Mono<ThingMessage.ShadowMessage> report(Map<String, ?> reported) {
        return Mono.defer(() -> report(reported, version.get() + 1));
    }

    /**
     * Reports {@code reported} with an explicit {@code version} (-1 resets the shadow's version);
     * fails with {@link ShadowException} when the platform holds a newer one.
     */
    public Mono<ThingMessage.ShadowMessage> report(Map<String, ?> reported, long version) {
        AlinkValidation.requireValue(reported, "reported");
        return send(update(Map.of("reported", reported), version));
    }

    /**
     * Reports {@code applied} (the desired values the device applied) and clears {@code desired}
     * ({@code "desired":"null"}), with the next versions.
     */
    public Mono<ThingMessage.ShadowMessage> applied(Map<String, ?> applied) {
        Mono<ThingMessage.ShadowMessage> clear =
                Mono.defer(() -> send(update(Map.of("desired", "null"), version.get() + 1)));
        return applied.isEmpty() ? clear : report(applied).then(clear);
    }

    /** Deletes the reported {@code keys} ({@code "key":"null"}) with the next version. */
    public Mono<ThingMessage.ShadowMessage> delete(Collection<String> keys) {
        Map<String, Object> reported = new LinkedHashMap<>();
        keys.forEach(k -> reported.put(AlinkValidation.requireIdentifier(k, "key"), "null"));
        return Mono.defer(() -> send(delete(reported, version.get() + 1)));
    }

    /** Deletes the whole reported state ({@code "reported":"null"}) with the next version. */
    public Mono<ThingMessage.ShadowMessage> deleteAll() {
        return Mono.defer(() -> send(delete("null", version.get() + 1)));
    }

    /**
     * The platform's {@code control} pushes that are newer than the last version seen, as they
     * arrive; each moves the version on. Stale pushes are dropped.
     */
    public Flux<ThingMessage.ShadowMessage> controls() {
        return device.messages()
                .ofType(ThingMessage.ShadowMessage.class)
                .filter(ThingMessage.ShadowMessage::isControl)
                .filter(m -> m.version() < 0 || advance(m.version()));
    }

    /** Moves the version to {@code v} if it is newer; returns whether it was. */
    private boolean advance(long v) {
        long seen;
        do {
            seen = version.get();
            if (v <= seen) {
                return false;
            }
        } while (!version.compareAndSet(seen, v));
        return true;
    }

    private static Map<String, Object> update(Map<String, Object> state, long version) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("method", "update");
        m.put("state", state);
        m.put("version", version);
        return m;
    }

    private static Map<String, Object> delete(Object reported, long version) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("method", "delete");
        m.put("state", Map.of("reported", reported));
        m.put("version", version);
        return m;
    }

    /** Publishes {@code request} and waits for the next shadow reply. */
    private Mono<ThingMessage.ShadowMessage> send(Map<String, Object> request) {
        byte[] payload = AlinkJson.encodeValue(request);
        Duration timeout = device.options().replyTimeout();
        return Mono.defer(
                () -> {
                    Sinks.One<ThingMessage.ShadowMessage> reply = Sinks.one();
                    Disposable listening =
                            device.messages()
                                    .ofType(ThingMessage.ShadowMessage.class)
                                    .filter(m -> !m.isControl())
                                    .next()
                                    .subscribe(reply::tryEmitValue, reply::tryEmitError);
                    return device.publishUnanswered(device.topics().shadowUpdate(), payload)
                            .then(reply.asMono())
                            .timeout(
                                    timeout,
                                    Mono.error(
                                            () ->
                                                    new AlinkTimeoutException(
                                                            "shadow " + request.get("method"),
                                                            "-",
                                                            timeout)))
                            .doFinally(signal -> listening.dispose())
                            .handle(
                                    (m, sink) -> {
                                        if ("error".equals(m.status())) {
                                            sink.error(
                                                    new ShadowException(
                                                            m.errorCode(), errorMessage(m)));
                                            return;
                                        }
                                        if (m.version() >= 0) {
                                            version.set(m.version());
                                        }
                                        sink.next(m);
                                    });
                });
    }

    private static String errorMessage(ThingMessage.ShadowMessage m) {
        return m.payload().get("content") instanceof Map<?, ?> c
                        && c.get("errormessage") instanceof String s
                ? s
                : null;
    }

    @Override
    public String toString() {
        return "DeviceShadow[" + device + ", version=" + version.get() + "]";
    }
}
