package io.thingflux.netty.client.internal;

import io.thingflux.link.LinkMessage;
import io.thingflux.mqtt.MqttQos;
import io.thingflux.mqtt.Publish;
import io.thingflux.netty.client.PublishResult;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;

/**
 * One publish on its way out: queued in the outbox, then (QoS 1/2) in flight under a packet id
 * until PUBACK or PUBCOMP. It is also the subscription of the caller's {@code Mono}, whose result
 * it signals on the event loop. Its publish-side state is confined to the client's event loop once
 * submitted.
 */
final class OutgoingPublish extends Operators.MonoSubscriber<PublishResult, PublishResult> {

    /**
     * The result subscriber of a publish read back from a durable outbox: nobody waits for it; a
     * failure is logged (the outbox's own warnings say what was lost).
     */
    private static final CoreSubscriber<PublishResult> NOBODY =
            new CoreSubscriber<>() {
                @Override
                public void onSubscribe(org.reactivestreams.Subscription s) {}

                @Override
                public void onNext(PublishResult r) {}

                @Override
                public void onError(Throwable e) {
                    org.slf4j.LoggerFactory.getLogger(OutgoingPublish.class)
                            .info("a publish read back from the outbox failed: {}", e.toString());
                }

                @Override
                public void onComplete() {}
            };

    /** Waiting in the outbox. */
    static final byte QUEUED = 0;

    /** QoS 1 sent, waiting for PUBACK; QoS 2 sent, waiting for PUBREC. */
    static final byte AWAITING_ACK = 1;

    /** QoS 2: PUBREC received and PUBREL sent, waiting for PUBCOMP. */
    static final byte AWAITING_PUBCOMP = 2;

    /** Completed, failed or cancelled. */
    static final byte DONE = 3;

    final LinkMessage message;
    final long startNanos;
    private final ClientSession session;
    int packetId;
    byte state = QUEUED;

    /** Times the broker closed the connection while this was the oldest in flight. */
    byte brokerCloses;

    /** Read back from a file outbox: its first send carries DUP. */
    boolean recovered;

    /** The caller cancelled (seen on the event loop). */
    boolean cancelled;

    /** Links of the outbox or the in-flight window, whichever holds it; on the event loop. */
    OutgoingPublish prev;

    OutgoingPublish next;

    /** The link of the hand-off stack, written by the publishing thread before the push. */
    OutgoingPublish handoffNext;

    private OutgoingPublish(
            ClientSession session,
            LinkMessage message,
            CoreSubscriber<? super PublishResult> actual) {
        super(actual);
        this.session = session;
        this.message = message;
        this.startNanos = System.nanoTime();
    }

    /**
     * A publish read back from a durable outbox; nobody waits for its result. Its first send
     * carries DUP.
     */
    static OutgoingPublish recovered(ClientSession session, LinkMessage message) {
        OutgoingPublish p = new OutgoingPublish(session, message, NOBODY);
        p.recovered = true;
        return p;
    }

    /** The cold {@code Mono} of publishing {@code message} with {@code session}. */
    static Mono<PublishResult> mono(ClientSession session, LinkMessage message) {
        return new Mono<>() {
            @Override
            public void subscribe(CoreSubscriber<? super PublishResult> actual) {
                OutgoingPublish p = new OutgoingPublish(session, message, actual);
                actual.onSubscribe(p);
                session.submit(p);
            }
        };
    }

    MqttQos qos() {
        return message.qos();
    }

    /** The PUBLISH packet with the current packet id. */
    Publish packet(boolean dup) {
        return new Publish(
                message.topic(),
                message.qos(),
                dup && message.qos() != MqttQos.AT_MOST_ONCE,
                message.retain(),
                message.qos() == MqttQos.AT_MOST_ONCE ? 0 : packetId,
                message.payloadUnsafe());
    }

    /** Completes the caller's {@code Mono} with the result; on the event loop. */
    void succeed() {
        if (state != DONE) {
            state = DONE;
            if (!cancelled && !isCancelled()) {
                complete(new PublishResult(message, null));
            }
        }
    }

    /** Fails the caller's {@code Mono}; on the event loop. */
    void fail(Throwable error) {
        if (state != DONE) {
            state = DONE;
            if (!cancelled && !isCancelled()) {
                actual.onError(error);
            }
        }
    }

    /** Fails the caller's {@code Mono} on the calling thread: the event loop is gone. */
    void rejected(Throwable error) {
        if (!isCancelled()) {
            actual.onError(error);
        }
    }

    @Override
    public void cancel() {
        if (!isCancelled()) {
            super.cancel();
            session.executeQuietly(() -> session.outgoing().cancel(this));
        }
    }
}
