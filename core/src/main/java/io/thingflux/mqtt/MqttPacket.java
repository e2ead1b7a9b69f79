package io.thingflux.mqtt;

/**
 * One MQTT 3.1.1 control packet. Every type is an immutable record; the body-less ones ({@link
 * PingReq}, {@link PingResp}, {@link Disconnect}) are singletons.
 *
 * <pre>{@code
 * switch (packet.type()) {
 *     case PUBLISH -> onPublish((Publish) packet);
 *     case PUBACK -> onPubAck((PubAck) packet);
 *     ...
 * }
 * }</pre>
 */
public sealed interface MqttPacket
        permits Connect,
                ConnAck,
                Publish,
                PubAck,
                PubRec,
                PubRel,
                PubComp,
                Subscribe,
                SubAck,
                Unsubscribe,
                UnsubAck,
                PingReq,
                PingResp,
                Disconnect {

    /** The control packet type. */
    PacketType type();

    /** The lowest and highest packet identifier (MQTT-2.3.1-1). */
    int MIN_PACKET_ID = 1;

    int MAX_PACKET_ID = 65_535;

    /**
     * @throws IllegalArgumentException if {@code packetId} is outside 1..65535
     */
    static int requirePacketId(int packetId) {
        if (packetId < MIN_PACKET_ID || packetId > MAX_PACKET_ID) {
            throw new IllegalArgumentException("packet id must be 1..65535, was " + packetId);
        }
        return packetId;
    }
}
