package io.thingflux.bench;

import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * One simulated Aliyun thing-model device as a {@link LoadClient} drives it. Nothing blocks: every
 * operation returns at once and completes later, on the client's threads.
 */
public interface BenchDevice {

    /**
     * Connects with the Aliyun sign and subscribes to what the device receives (the property post
     * {@code _reply} and property sets). Completes at the SUBACK, when the device can post and
     * receive its replies: every load client counts the same exchange (CONNECT/CONNACK,
     * SUBSCRIBE/SUBACK) as a connect, so connect rates and latencies compare. Fails when the
     * connect is refused or a filter the bench needs is refused.
     */
    CompletableFuture<Void> connect();

    /**
     * Sends one Alink property post ({@code thing.event.property.post}) with {@code params} to
     * {@code /sys/{pk}/{dn}/thing/event/property/post}. Completes when the platform's reply with
     * the same id arrives with code 200; fails when the reply has another code, when none came
     * within the reply timeout, or when the message could not be sent.
     */
    CompletableFuture<Void> postProperties(Map<String, ?> params);

    /** Disconnects cleanly; completes when done (or at once when not connected). */
    CompletableFuture<Void> disconnect();
}
