package io.thingflux.netty.client.internal;

import io.thingflux.link.LinkMessage;
import io.thingflux.mqtt.MqttQos;
import io.thingflux.mqtt.Publish;
import io.thingflux.netty.client.PublishResult;
import reactor.core.publisher.MonoSink;

/**
 * One publish on its way out: queued in the outbox, then (QoS 1/2) in flight under a packet id until
 * PUBACK or PUBCOMP. Confined to the client's event loop once submitted.
 */
final class OutgoingPublish {

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
    private final MonoSink<PublishResult> sink;
    int packetId;
    byte state = QUEUED;
    boolean cancelled;

    OutgoingPublish(LinkMessage message, MonoSink<PublishResult> sink, long startNanos) {
        this.message = message;
        this.sink = sink;
        this.startNanos = startNanos;
    }

    MqttQos qos() {
        return message.qos();
    }

    /** The PUBLISH packet with the current packet id. */
    Publish packet(boolean dup) {
        return new Publish(message.topic(), message.qos(), dup && message.qos() != MqttQos.AT_MOST_ONCE,
                message.retain(), message.qos() == MqttQos.AT_MOST_ONCE ? 0 : packetId, message.payloadUnsafe());
    }

    void succeed() {
        if (state != DONE) {
            state = DONE;
            if (!cancelled) {
                sink.success(new PublishResult(message, null));
            }
        }
    }

    void fail(Throwable error) {
        if (state != DONE) {
            state = DONE;
            if (!cancelled) {
                sink.error(error);
            }
        }
    }
}
