package io.thingflux.link.outbox;

import io.thingflux.link.LinkMessage;

/**
 * The in-memory outbox: a store that keeps nothing, since the link's own queues already hold what
 * is pending. Links test {@link OutboxStore#durable()} once and then skip every call on it.
 */
final class MemoryOutbox implements OutboxStore {

    static final OutboxStorage STORAGE =
            new OutboxStorage() {
                @Override
                public OutboxStore open(String identity) {
                    return INSTANCE;
                }

                @Override
                public String toString() {
                    return "memory";
                }
            };

    static final MemoryOutbox INSTANCE = new MemoryOutbox();

    private MemoryOutbox() {}

    @Override
    public boolean durable() {
        return false;
    }

    @Override
    public Recovered recovered() {
        return Recovered.EMPTY;
    }

    @Override
    public long append(LinkMessage message) {
        return 0;
    }

    @Override
    public void packetId(long seq, int packetId) {}

    @Override
    public void released(long seq) {}

    @Override
    public void remove(long seq) {}

    @Override
    public void qos2Received(int packetId) {}

    @Override
    public void qos2Released(int packetId) {}

    @Override
    public void close() {}
}
