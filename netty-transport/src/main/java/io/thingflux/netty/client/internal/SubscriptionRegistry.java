package io.thingflux.netty.client.internal;

import io.netty.channel.Channel;
import io.thingflux.link.LinkMessage;
import io.thingflux.link.SubscriptionRefusedException;
import io.thingflux.mqtt.SubAck;
import io.thingflux.mqtt.SubAckReturnCode;
import io.thingflux.mqtt.Subscribe;
import io.thingflux.mqtt.Unsubscribe;
import io.thingflux.netty.client.MqttClosedException;
import io.thingflux.netty.client.PacketIdsExhaustedException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import reactor.core.publisher.Sinks;

/**
 * The subscriptions of a client, kept across connections: sends SUBSCRIBE for each new subscriber
 * (or on the next connection when offline), matches SUBACK, resubscribes after a reconnect when the
 * broker has no session, sends UNSUBSCRIBE for filters nobody uses any more, and dispatches each
 * incoming message to every subscriber it matches (messages matching none go to the unsolicited
 * sink, which drops them when nobody listens). Confined to the client's event loop.
 */
final class SubscriptionRegistry {

    private final ClientSession session;
    private final PacketIdAllocator packetIds;
    private final List<IncomingSubscription> active = new ArrayList<>(2);

    /**
     * Created by the first {@link #unsolicited()} call: most clients never ask for unsolicited
     * messages.
     */
    private volatile Sinks.Many<LinkMessage> unsolicited;

    /** Set by {@link #terminateAll}: a sink created afterwards starts completed. */
    private boolean terminated;

    SubscriptionRegistry(ClientSession session, PacketIdAllocator packetIds) {
        this.session = session;
        this.packetIds = packetIds;
    }

    /** Registers a subscriber and sends its SUBSCRIBE now if connected. */
    void add(IncomingSubscription s) {
        active.add(s);
        Channel ch = session.connectedChannel();
        if (ch != null) {
            sendSubscribe(ch, s);
            ch.flush();
        }
    }

    /** A subscriber cancelled: UNSUBSCRIBE the filters no other subscriber uses. */
    void remove(IncomingSubscription s) {
        if (!active.remove(s)) {
            return;
        }
        if (s.pendingPacketId != 0) {
            packetIds.release(s.pendingPacketId);
            s.pendingPacketId = 0;
        }
        Set<String> stillUsed = new HashSet<>();
        for (IncomingSubscription other : active) {
            stillUsed.addAll(Arrays.asList(other.filters()));
        }
        List<String> unused = new ArrayList<>();
        for (String f : s.filters()) {
            if (!stillUsed.contains(f) && !unused.contains(f)) {
                unused.add(f);
            }
        }
        // an UNSUBSCRIBE is never resent, so it may leave as soon as the connection is accepted
        Channel ch = session.acceptedChannel();
        if (ch != null && !unused.isEmpty()) {
            Unsubscribe marker;
            try {
                int id = packetIds.allocate(UNSUBSCRIBE_OWNER);
                marker = new Unsubscribe(id, unused);
            } catch (PacketIdsExhaustedException e) {
                session.log()
                        .warn(
                                "{} cannot UNSUBSCRIBE {}: {}",
                                session.logPrefix(),
                                unused,
                                e.getMessage());
                return;
            }
            ch.writeAndFlush(marker, ch.voidPromise());
        }
    }

    private static final Object UNSUBSCRIBE_OWNER = new Object();

    private void sendSubscribe(Channel ch, IncomingSubscription s) {
        int id;
        try {
            id = packetIds.allocate(s);
        } catch (PacketIdsExhaustedException e) {
            active.remove(s);
            s.fail(e);
            return;
        }
        s.pendingPacketId = id;
        s.acknowledged = false;
        ch.write(new Subscribe(id, s.subscriptions()), ch.voidPromise());
    }

    /** SUBACK: report the granted codes; a subscriber whose every filter was refused fails. */
    void onSubAck(SubAck ack) {
        Object owner = packetIds.release(ack.packetId());
        if (!(owner instanceof IncomingSubscription s)) {
            session.log()
                    .debug(
                            "{} SUBACK for unknown packet id {} ignored",
                            session.logPrefix(),
                            ack.packetId());
            return;
        }
        List<SubAckReturnCode> codes = ack.returnCodes();
        s.onSubAck(codes);
        boolean anyGranted = codes.stream().anyMatch(c -> !c.isFailure());
        if (!anyGranted) {
            active.remove(s);
            s.fail(new SubscriptionRefusedException(s.filters()[0]));
        }
    }

    /** UNSUBACK: frees its packet id. */
    void onUnsubAck(int packetId) {
        if (packetIds.owner(packetId) == UNSUBSCRIBE_OWNER) {
            packetIds.release(packetId);
        }
    }

    /**
     * A connection was accepted. Without a session on the broker every subscriber is subscribed
     * again (unless resubscribing is off, then they fail); with one, only those whose SUBACK never
     * came.
     */
    void onConnected(Channel ch, boolean sessionPresent) {
        boolean wrote = false;
        for (IncomingSubscription s : new ArrayList<>(active)) {
            if (sessionPresent && s.acknowledged) {
                continue;
            }
            if (!sessionPresent && s.acknowledged && !session.options().resubscribe()) {
                active.remove(s);
                s.fail(
                        new MqttClosedException(
                                "the broker lost the session and resubscribing is off"));
                continue;
            }
            sendSubscribe(ch, s);
            wrote = true;
        }
        if (wrote) {
            ch.flush();
        }
    }

    /**
     * The connection was lost: outstanding SUBSCRIBE/UNSUBSCRIBE ids are freed (they are resent
     * later).
     */
    void onDisconnected() {
        for (IncomingSubscription s : active) {
            if (s.pendingPacketId != 0) {
                packetIds.release(s.pendingPacketId);
                s.pendingPacketId = 0;
            }
        }
    }

    /**
     * Hands {@code d} to every subscriber it matches, or to the unsolicited sink. The matches are
     * collected first: a subscriber signalled on the event loop may cancel, which changes the list.
     */
    void dispatch(Delivery d) {
        String topic = d.message.topic();
        IncomingSubscription first = null;
        IncomingSubscription[] more = null;
        int n = 0;
        for (int i = 0, size = active.size(); i < size; i++) {
            IncomingSubscription s = active.get(i);
            if (s.matches(topic)) {
                if (n == 0) {
                    first = s;
                } else {
                    if (more == null) {
                        more = new IncomingSubscription[size];
                    }
                    more[n] = s;
                }
                n++;
            }
        }
        if (n == 0) {
            d.expect(0);
            emitUnsolicited(d.message);
            return;
        }
        d.expect(n);
        first.offer(d);
        for (int i = 1; i < n; i++) {
            more[i].offer(d);
        }
    }

    private void emitUnsolicited(LinkMessage m) {
        Sinks.Many<LinkMessage> sink = unsolicited;
        if (sink == null || sink.currentSubscriberCount() == 0) {
            session.countDrop("unmatched");
            return;
        }
        if (sink.tryEmitNext(m).isFailure()) {
            session.countDrop("unmatched");
        }
    }

    /** Messages matching no subscriber; hot, best effort. Any thread. */
    Sinks.Many<LinkMessage> unsolicited() {
        Sinks.Many<LinkMessage> sink = unsolicited;
        if (sink != null) {
            return sink;
        }
        synchronized (this) {
            if (unsolicited == null) {
                // without the serializing wrapper: every emission runs on the client's event loop,
                // one at a time
                Sinks.Many<LinkMessage> created =
                        Sinks.unsafe().many().multicast().directBestEffort();
                if (terminated) {
                    created.tryEmitComplete();
                }
                unsolicited = created;
            }
            return unsolicited;
        }
    }

    /** Ends every subscriber: completes them ({@code error == null}) or fails them. */
    void terminateAll(Throwable error) {
        List<IncomingSubscription> all = new ArrayList<>(active);
        active.clear();
        for (IncomingSubscription s : all) {
            if (s.pendingPacketId != 0) {
                packetIds.release(s.pendingPacketId);
            }
            if (error == null) {
                s.complete();
            } else {
                s.fail(error);
            }
        }
        Sinks.Many<LinkMessage> sink;
        synchronized (this) {
            terminated = true;
            sink = unsolicited;
        }
        if (sink != null) {
            sink.tryEmitComplete();
        }
    }

    int size() {
        return active.size();
    }
}
