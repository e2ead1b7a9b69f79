package io.thingflux.netty.client;

import io.thingflux.link.LinkMessage;
import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of one publish: the message, and the error if it could not be delivered. QoS 0
 * succeeds when written to the socket, QoS 1 on PUBACK, QoS 2 on PUBCOMP.
 *
 * @param error {@code null} on success
 */
public record PublishResult(LinkMessage message, Throwable error) {

    public PublishResult {
        Objects.requireNonNull(message, "message");
    }

    /** Whether the message was delivered as its QoS promises. */
    public boolean isSuccess() {
        return error == null;
    }

    /** The failure, if any. */
    public Optional<Throwable> failure() {
        return Optional.ofNullable(error);
    }
}
