package io.thingflux.interop.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnAckVariableHeader;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttConnectPayload;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttConnectVariableHeader;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageFactory;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttPublishVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;
import io.netty.handler.codec.mqtt.MqttSubAckPayload;
import io.netty.handler.codec.mqtt.MqttSubscribeMessage;
import io.netty.handler.codec.mqtt.MqttSubscribePayload;
import io.netty.handler.codec.mqtt.MqttTopicSubscription;
import io.netty.handler.codec.mqtt.MqttUnsubAckMessage;
import io.netty.handler.codec.mqtt.MqttUnsubscribeMessage;
import io.netty.handler.codec.mqtt.MqttUnsubscribePayload;
import io.thingflux.mqtt.ConnAck;
import io.thingflux.mqtt.Connect;
import io.thingflux.mqtt.ConnectReturnCode;
import io.thingflux.mqtt.Disconnect;
import io.thingflux.mqtt.MqttPacket;
import io.thingflux.mqtt.MqttQos;
import io.thingflux.mqtt.PingReq;
import io.thingflux.mqtt.PingResp;
import io.thingflux.mqtt.PubAck;
import io.thingflux.mqtt.PubComp;
import io.thingflux.mqtt.PubRec;
import io.thingflux.mqtt.PubRel;
import io.thingflux.mqtt.Publish;
import io.thingflux.mqtt.SubAck;
import io.thingflux.mqtt.SubAckReturnCode;
import io.thingflux.mqtt.Subscribe;
import io.thingflux.mqtt.Subscription;
import io.thingflux.mqtt.UnsubAck;
import io.thingflux.mqtt.Unsubscribe;
import io.thingflux.mqtt.Will;
import java.util.ArrayList;
import java.util.List;

/**
 * Maps between thingflux's packet records and Netty codec-mqtt's {@link MqttMessage}, field by
 * field, so the two codecs can be compared. The mapping is strict: a Netty message that our model
 * cannot express (a SUBACK code MQTT 3.1.1 does not define, a fixed-header flag a type must not
 * carry) fails the mapping instead of being smoothed over, so a lenient decode on Netty's side
 * shows up as a difference.
 */
final class NettyMqttMessages {

    private NettyMqttMessages() {}

    /**
     * The Netty message carrying the same fields as {@code packet}. A PUBLISH wraps the payload
     * (the caller releases).
     */
    static MqttMessage toNetty(MqttPacket packet) {
        switch (packet.type()) {
            case CONNECT:
                return connect((Connect) packet);
            case CONNACK:
                {
                    ConnAck a = (ConnAck) packet;
                    return new MqttConnAckMessage(
                            header(MqttMessageType.CONNACK, MqttQoS.AT_MOST_ONCE),
                            new MqttConnAckVariableHeader(
                                    MqttConnectReturnCode.valueOf((byte) a.returnCode().code()),
                                    a.sessionPresent()));
                }
            case PUBLISH:
                {
                    Publish p = (Publish) packet;
                    MqttFixedHeader fh =
                            new MqttFixedHeader(
                                    MqttMessageType.PUBLISH,
                                    p.dup(),
                                    nettyQos(p.qos()),
                                    p.retain(),
                                    0);
                    return new MqttPublishMessage(
                            fh,
                            new MqttPublishVariableHeader(
                                    p.topic(), p.qos() == MqttQos.AT_MOST_ONCE ? -1 : p.packetId()),
                            Unpooled.wrappedBuffer(p.payloadUnsafe()));
                }
            case PUBACK:
                return idOnly(
                        MqttMessageType.PUBACK, MqttQoS.AT_MOST_ONCE, ((PubAck) packet).packetId());
            case PUBREC:
                return idOnly(
                        MqttMessageType.PUBREC, MqttQoS.AT_MOST_ONCE, ((PubRec) packet).packetId());
            case PUBREL:
                return idOnly(
                        MqttMessageType.PUBREL,
                        MqttQoS.AT_LEAST_ONCE,
                        ((PubRel) packet).packetId());
            case PUBCOMP:
                return idOnly(
                        MqttMessageType.PUBCOMP,
                        MqttQoS.AT_MOST_ONCE,
                        ((PubComp) packet).packetId());
            case SUBSCRIBE:
                {
                    Subscribe s = (Subscribe) packet;
                    List<MqttTopicSubscription> subs = new ArrayList<>();
                    for (Subscription sub : s.subscriptions()) {
                        subs.add(new MqttTopicSubscription(sub.filter(), nettyQos(sub.qos())));
                    }
                    return new MqttSubscribeMessage(
                            header(MqttMessageType.SUBSCRIBE, MqttQoS.AT_LEAST_ONCE),
                            MqttMessageIdVariableHeader.from(s.packetId()),
                            new MqttSubscribePayload(subs));
                }
            case SUBACK:
                {
                    SubAck s = (SubAck) packet;
                    int[] codes =
                            s.returnCodes().stream().mapToInt(SubAckReturnCode::code).toArray();
                    return new MqttSubAckMessage(
                            header(MqttMessageType.SUBACK, MqttQoS.AT_MOST_ONCE),
                            MqttMessageIdVariableHeader.from(s.packetId()),
                            new MqttSubAckPayload(codes));
                }
            case UNSUBSCRIBE:
                {
                    Unsubscribe u = (Unsubscribe) packet;
                    return new MqttUnsubscribeMessage(
                            header(MqttMessageType.UNSUBSCRIBE, MqttQoS.AT_LEAST_ONCE),
                            MqttMessageIdVariableHeader.from(u.packetId()),
                            new MqttUnsubscribePayload(u.filters()));
                }
            case UNSUBACK:
                return new MqttUnsubAckMessage(
                        header(MqttMessageType.UNSUBACK, MqttQoS.AT_MOST_ONCE),
                        MqttMessageIdVariableHeader.from(((UnsubAck) packet).packetId()));
            case PINGREQ:
                return MqttMessage.PINGREQ;
            case PINGRESP:
                return MqttMessage.PINGRESP;
            case DISCONNECT:
                return MqttMessage.DISCONNECT;
            default:
                throw new IllegalArgumentException("unmapped packet type " + packet.type());
        }
    }

    private static MqttMessage connect(Connect c) {
        Will will = c.will();
        MqttConnectVariableHeader vh =
                new MqttConnectVariableHeader(
                        c.protocolName(),
                        c.protocolLevel(),
                        c.username() != null,
                        c.passwordUnsafe() != null,
                        will != null && will.retain(),
                        will == null ? 0 : will.qos().code(),
                        will != null,
                        c.cleanSession(),
                        c.keepAliveSeconds());
        MqttConnectPayload payload =
                new MqttConnectPayload(
                        c.clientId(),
                        will == null ? null : will.topic(),
                        will == null ? null : will.payloadUnsafe(),
                        c.username(),
                        c.passwordUnsafe());
        return new MqttConnectMessage(
                header(MqttMessageType.CONNECT, MqttQoS.AT_MOST_ONCE), vh, payload);
    }

    private static MqttFixedHeader header(MqttMessageType type, MqttQoS qos) {
        return new MqttFixedHeader(type, false, qos, false, 0);
    }

    private static MqttMessage idOnly(MqttMessageType type, MqttQoS qos, int packetId) {
        return MqttMessageFactory.newMessage(
                header(type, qos), MqttMessageIdVariableHeader.from(packetId), null);
    }

    /**
     * Our record for a message Netty decoded. Does not release {@code message}.
     *
     * @throws IllegalArgumentException when the message holds something MQTT 3.1.1 does not allow
     */
    static MqttPacket fromNetty(MqttMessage message) {
        MqttFixedHeader fh = message.fixedHeader();
        MqttMessageType type = fh.messageType();
        if (type != MqttMessageType.PUBLISH) {
            // Netty resets flags it considers unused (MqttCodecUtil.resetUnusedFields); what is
            // left must match §2.2.2
            MqttQoS expected =
                    type == MqttMessageType.PUBREL
                                    || type == MqttMessageType.SUBSCRIBE
                                    || type == MqttMessageType.UNSUBSCRIBE
                            ? MqttQoS.AT_LEAST_ONCE
                            : MqttQoS.AT_MOST_ONCE;
            if (fh.isDup() || fh.isRetain() || fh.qosLevel() != expected) {
                throw new IllegalArgumentException(
                        "fixed-header flags not allowed for " + type + ": " + fh);
            }
        }
        switch (type) {
            case CONNECT:
                return connect((MqttConnectMessage) message);
            case CONNACK:
                {
                    MqttConnAckVariableHeader vh = ((MqttConnAckMessage) message).variableHeader();
                    return new ConnAck(
                            vh.isSessionPresent(),
                            ConnectReturnCode.valueOf(vh.connectReturnCode().byteValue() & 0xFF));
                }
            case PUBLISH:
                {
                    MqttPublishMessage p = (MqttPublishMessage) message;
                    MqttQos qos = MqttQos.valueOf(fh.qosLevel().value());
                    int packetId = qos == MqttQos.AT_MOST_ONCE ? 0 : p.variableHeader().packetId();
                    return new Publish(
                            p.variableHeader().topicName(),
                            qos,
                            fh.isDup(),
                            fh.isRetain(),
                            packetId,
                            ByteBufUtil.getBytes(p.content()));
                }
            case PUBACK:
                return new PubAck(messageId(message));
            case PUBREC:
                return new PubRec(messageId(message));
            case PUBREL:
                return new PubRel(messageId(message));
            case PUBCOMP:
                return new PubComp(messageId(message));
            case SUBSCRIBE:
                {
                    List<Subscription> subs = new ArrayList<>();
                    for (MqttTopicSubscription s :
                            ((MqttSubscribeMessage) message).payload().topicSubscriptions()) {
                        subs.add(
                                new Subscription(
                                        s.topicFilter(),
                                        MqttQos.valueOf(s.qualityOfService().value())));
                    }
                    return new Subscribe(messageId(message), subs);
                }
            case SUBACK:
                {
                    List<SubAckReturnCode> codes = new ArrayList<>();
                    for (int code : ((MqttSubAckMessage) message).payload().reasonCodes()) {
                        codes.add(SubAckReturnCode.valueOf(code));
                    }
                    return new SubAck(messageId(message), codes);
                }
            case UNSUBSCRIBE:
                return new Unsubscribe(
                        messageId(message), ((MqttUnsubscribeMessage) message).payload().topics());
            case UNSUBACK:
                return new UnsubAck(messageId(message));
            case PINGREQ:
                return PingReq.INSTANCE;
            case PINGRESP:
                return PingResp.INSTANCE;
            case DISCONNECT:
                return Disconnect.INSTANCE;
            default:
                throw new IllegalArgumentException("not an MQTT 3.1.1 packet type: " + type);
        }
    }

    private static Connect connect(MqttConnectMessage m) {
        MqttConnectVariableHeader vh = m.variableHeader();
        MqttConnectPayload pl = m.payload();
        Will will = null;
        if (vh.isWillFlag()) {
            will =
                    new Will(
                            pl.willTopic(),
                            pl.willMessageInBytes(),
                            MqttQos.valueOf(vh.willQos()),
                            vh.isWillRetain());
        } else if (vh.willQos() != 0 || vh.isWillRetain()) {
            throw new IllegalArgumentException("will QoS/retain without the will flag");
        }
        Connect c =
                new Connect(
                        vh.version(),
                        pl.clientIdentifier(),
                        vh.isCleanSession(),
                        vh.keepAliveTimeSeconds(),
                        will,
                        vh.hasUserName() ? pl.userName() : null,
                        vh.hasPassword() ? pl.passwordInBytes() : null);
        if (!c.protocolName().equals(vh.name())) {
            throw new IllegalArgumentException(
                    "protocol name " + vh.name() + " with level " + vh.version());
        }
        return c;
    }

    private static int messageId(MqttMessage message) {
        return ((MqttMessageIdVariableHeader) message.variableHeader()).messageId();
    }

    private static MqttQoS nettyQos(MqttQos qos) {
        return MqttQoS.valueOf(qos.code());
    }

    /** The readable bytes of {@code buf}, which is released. */
    static byte[] drain(ByteBuf buf) {
        try {
            return ByteBufUtil.getBytes(buf);
        } finally {
            buf.release();
        }
    }
}
