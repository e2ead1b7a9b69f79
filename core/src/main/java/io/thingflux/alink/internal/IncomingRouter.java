package io.thingflux.alink.internal;

import io.thingflux.alink.AlinkTopics;
import io.thingflux.alink.ThingMessage;
import io.thingflux.alink.ThingMessageDecoder;
import io.thingflux.link.LinkMessage;
import java.util.Objects;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;

/**
 * Routes what the link delivers to one device: decodes it ({@link ThingMessageDecoder}), settles
 * the request a reply or NTP response answers, and offers the rest (and those too while someone
 * reads them) to the device's messages.
 *
 * <p>The messages wait in one bounded {@link MessageBuffer}, shared by all subscribers: what
 * arrives before the first subscriber is kept up to the bound; when the slowest subscriber lets it
 * fill, the newest message is dropped, counted in {@link #droppedMessages()} and logged at WARN
 * (the 1st, 2nd, 4th, 8th... drop). A reply or NTP response that settled a request is not kept
 * while nobody reads the messages: its request has it, and a device whose messages nobody reads
 * must not fill the buffer with the answers to its own posts. {@link #accept} must be called
 * serially (one link source at a time, as the link's I/O thread delivers).
 */
public final class IncomingRouter {

    private static final Logger log = LoggerFactory.getLogger(IncomingRouter.class);

    /** What a pending request of a device waits for. */
    public sealed interface Awaited {
        /** The reply with the request's id on {@code requestTopic + "_reply"}. */
        record Reply(String requestTopic) implements Awaited {
            public Reply {
                Objects.requireNonNull(requestTopic, "requestTopic");
            }
        }

        /** The NTP response carrying {@code deviceSendTime}. */
        record Ntp(long deviceSendTime) implements Awaited {}
    }

    private final AlinkTopics topics;
    private final ThingMessageDecoder decoder;
    private final PendingRequests<Awaited, ThingMessage> pending;

    private final int bufferSize;
    private final MessageBuffer<ThingMessage> buffer;

    // written by accept only, which is called serially
    private volatile long dropped;

    /**
     * @param bufferSize how many messages wait for the slowest subscriber, or for the first
     */
    public IncomingRouter(
            AlinkTopics topics,
            LongSupplier clock,
            PendingRequests<Awaited, ThingMessage> pending,
            int bufferSize) {
        this.topics = Objects.requireNonNull(topics, "topics");
        this.decoder = new ThingMessageDecoder(topics, clock);
        this.pending = Objects.requireNonNull(pending, "pending");
        this.bufferSize = bufferSize;
        this.buffer = new MessageBuffer<>(bufferSize);
    }

    /** Decodes {@code m}, settles the request it answers, and offers it to the messages. */
    public void accept(LinkMessage m) {
        ThingMessage msg = decoder.decode(m);
        boolean settled = false;
        if (msg instanceof ThingMessage.Reply r) {
            long id = parseId(r.reply().id());
            settled =
                    id > 0
                            && pending.complete(
                                    id,
                                    a -> a instanceof Awaited.Reply w && isReplyTopic(w, r.topic()),
                                    r);
        } else if (msg instanceof ThingMessage.NtpResponse n) {
            settled =
                    pending.completeEach(
                                    a ->
                                            a instanceof Awaited.Ntp w
                                                    && w.deviceSendTime() == n.deviceSendTime(),
                                    n)
                            > 0;
        }
        if (settled && !buffer.hasSubscribers()) {
            return; // its request has it; kept for a later reader, it would only fill the buffer
        }
        MessageBuffer.Offer result = buffer.offer(msg);
        if (result == MessageBuffer.Offer.FULL) {
            long n = ++dropped; // accept is called serially: the one writer
            if (Long.bitCount(n) == 1) {
                // 1st, 2nd, 4th, 8th...: a slow reader must not flood the log
                log.warn(
                        "{}: incoming message on {} dropped (buffer of {} full), {} dropped so far:"
                                + " messages() is read too slowly",
                        topics,
                        m.topic(),
                        bufferSize,
                        n);
            }
        } else if (result == MessageBuffer.Offer.TERMINATED) {
            // ended while this message was on its way, e.g. the reply it carried led its caller
            // to disconnect at once: nobody can read it any more, and no reader was too slow
            log.debug("{}: message on {} arrived after the device ended", topics, m.topic());
        }
    }

    private static boolean isReplyTopic(Awaited.Reply awaited, String topic) {
        String t = awaited.requestTopic();
        return topic.length() == t.length() + AlinkTopics.REPLY_SUFFIX.length()
                && topic.startsWith(t)
                && topic.endsWith(AlinkTopics.REPLY_SUFFIX);
    }

    /** The messages, shared by all subscribers; complete after {@link #complete()}. */
    public Flux<ThingMessage> messages() {
        return buffer;
    }

    /** How many messages were dropped because the buffer was full. */
    public long droppedMessages() {
        return dropped;
    }

    /** Completes the messages (after those buffered). */
    public void complete() {
        buffer.complete();
    }

    /**
     * An id as a device writes them (1..{@link PendingRequests#MAX_ID} in decimal, no sign, no
     * leading zero), or -1.
     */
    public static long parseId(String id) {
        int n = id == null ? 0 : id.length();
        if (n < 1 || n > 10 || id.charAt(0) == '0') {
            return -1;
        }
        long v = 0;
        for (int i = 0; i < n; i++) {
            char c = id.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v <= PendingRequests.MAX_ID ? v : -1;
    }
}
