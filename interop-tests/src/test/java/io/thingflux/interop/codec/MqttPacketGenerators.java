package io.thingflux.interop.codec;

import static io.thingflux.netty.testing.SeededCases.between;
import static io.thingflux.netty.testing.SeededCases.bytes;
import static io.thingflux.netty.testing.SeededCases.list;
import static io.thingflux.netty.testing.SeededCases.oneOf;
import static io.thingflux.netty.testing.SeededCases.weighted;

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
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Random valid MQTT 3.1.1 packets of all fourteen types: UTF-8 topics with characters from every
 * plane (the ends of each UTF-8 length class included), payloads whose sizes cross the one-, two-
 * and three-byte remaining-length boundaries (and our encoder's wrap threshold), wills, credentials
 * and every QoS and flag combination the specification allows. Each generator draws from the {@link
 * SplittableRandom} of one case.
 */
final class MqttPacketGenerators {

    private MqttPacketGenerators() {}

    static MqttPacket packet(SplittableRandom r) {
        // PUBLISH, CONNECT and SUBSCRIBE carry the most fields: weighted up
        return switch (weighted(r, 4, 1, 8, 1, 1, 1, 1, 3, 1, 2, 1, 1, 1, 1)) {
            case 0 -> connect(r);
            case 1 -> connAck(r);
            case 2 -> publish(r);
            case 3 -> new PubAck(packetId(r));
            case 4 -> new PubRec(packetId(r));
            case 5 -> new PubRel(packetId(r));
            case 6 -> new PubComp(packetId(r));
            case 7 -> subscribe(r);
            case 8 -> subAck(r);
            case 9 -> unsubscribe(r);
            case 10 -> new UnsubAck(packetId(r));
            case 11 -> PingReq.INSTANCE;
            case 12 -> PingResp.INSTANCE;
            default -> Disconnect.INSTANCE;
        };
    }

    /**
     * A packet from {@link #packet} that satisfies {@code accept} (generated again until one does).
     */
    static MqttPacket packet(SplittableRandom r, Predicate<MqttPacket> accept) {
        MqttPacket p;
        do {
            p = packet(r);
        } while (!accept.test(p));
        return p;
    }

    /**
     * One Unicode code point as a string: mostly ASCII, some two-, three- and four-byte UTF-8. No
     * U+0000, no wildcard.
     */
    static String codePoint(SplittableRandom r) {
        int c;
        switch (weighted(r, 70, 8, 8, 8, 2)) {
            case 0 -> {
                do {
                    c = between(r, 0x20, 0x7E);
                } while (c == '+' || c == '#');
            }
            case 1 -> c = between(r, 0x80, 0x7FF);
            case 2 -> {
                do {
                    c = between(r, 0x800, 0xFFFD);
                } while (c >= Character.MIN_SURROGATE && c <= Character.MAX_SURROGATE);
            }
            case 3 -> c = between(r, 0x10000, 0x10FFFF);
            default -> c = between(r, 0x01, 0x1F);
        }
        return Character.toString(c);
    }

    static String text(SplittableRandom r, int minCodePoints, int maxCodePoints) {
        return String.join(
                "", list(r, minCodePoints, maxCodePoints, MqttPacketGenerators::codePoint));
    }

    /** A topic name: one or more levels of text (a level may be empty, e.g. a leading '/'). */
    static String topicName(SplittableRandom r) {
        return text(r, 1, 40);
    }

    /** A topic filter: levels of text or '+', optionally ending in '#'. */
    static String topicFilter(SplittableRandom r) {
        String l =
                String.join(
                        "/",
                        list(
                                r,
                                1,
                                6,
                                g ->
                                        weighted(g, 6, 2) == 0
                                                ? text(g, 0, 12).replace("/", "")
                                                : "+"));
        if (between(r, 0, 3) == 0) {
            return l.isEmpty() ? "#" : l + "/#";
        }
        return l.isEmpty() ? "/" : l;
    }

    /**
     * Payload sizes around the interesting boundaries: empty, tiny, 127/128 (remaining length 1 → 2
     * bytes), 1024 (our encoder's wrap threshold), 16383/16384 (2 → 3 bytes) and 2097151/2097152 (3
     * → 4 bytes).
     */
    static byte[] payload(SplittableRandom r) {
        int n =
                switch (weighted(r, 3, 30, 12, 12, 6, 1)) {
                    case 0 -> 0;
                    case 1 -> between(r, 1, 64);
                    case 2 -> between(r, 60, 140);
                    case 3 -> between(r, 980, 1100);
                    case 4 -> between(r, 16_300, 16_400);
                    default -> between(r, 2_097_100, 2_097_200);
                };
        return bytes(r, n);
    }

    static int packetId(SplittableRandom r) {
        return weighted(r, 8, 1) == 0
                ? between(r, 1, 65_535)
                : oneOf(r, 1, 255, 256, 32_767, 32_768, 65_535);
    }

    static MqttQos qos(SplittableRandom r) {
        return oneOf(r, MqttQos.values());
    }

    /**
     * {@code value}, or null with probability {@code nullProbability} (decided before the value is
     * generated).
     */
    private static <T> T orNull(
            SplittableRandom r, double nullProbability, Function<SplittableRandom, T> value) {
        return r.nextDouble() < nullProbability ? null : value.apply(r);
    }

    static Connect connect(SplittableRandom r) {
        // MQTT 3.1 (level 3) requires a client id of 1..23 characters (MQTT 3.1 §3.1); 3.1.1 allows
        // any length
        int level = oneOf(r, Connect.MQTT_3_1_1, Connect.MQTT_3_1_1, Connect.MQTT_3_1);
        String clientId;
        if (level == Connect.MQTT_3_1) {
            do {
                clientId = text(r, 1, 11);
            } while (clientId.length() > 23);
        } else {
            clientId = text(r, 0, 40);
        }
        boolean clean = r.nextBoolean();
        int keepAlive = between(r, 0, 65_535);
        Will will =
                orNull(
                        r,
                        0.5,
                        g ->
                                new Will(
                                        topicName(g),
                                        bytes(g, between(g, 0, 300)),
                                        qos(g),
                                        g.nextBoolean()));
        String username = orNull(r, 0.4, g -> text(g, 0, 30));
        byte[] password = orNull(r, 0.4, g -> bytes(g, between(g, 0, 80)));
        return new Connect(
                level,
                clientId,
                clean,
                keepAlive,
                will,
                username,
                username == null ? null : password);
    }

    static ConnAck connAck(SplittableRandom r) {
        ConnectReturnCode code = oneOf(r, ConnectReturnCode.values());
        boolean session = r.nextBoolean();
        return new ConnAck(session && code == ConnectReturnCode.ACCEPTED, code);
    }

    static Publish publish(SplittableRandom r) {
        String topic = topicName(r);
        MqttQos qos = qos(r);
        boolean dup = r.nextBoolean();
        boolean retain = r.nextBoolean();
        int id = packetId(r);
        byte[] payload = payload(r);
        return qos == MqttQos.AT_MOST_ONCE
                ? new Publish(topic, qos, false, retain, 0, payload)
                : new Publish(topic, qos, dup, retain, id, payload);
    }

    static Subscribe subscribe(SplittableRandom r) {
        int id = packetId(r);
        return new Subscribe(id, list(r, 1, 5, g -> new Subscription(topicFilter(g), qos(g))));
    }

    static SubAck subAck(SplittableRandom r) {
        int id = packetId(r);
        return new SubAck(id, list(r, 1, 8, g -> oneOf(g, SubAckReturnCode.values())));
    }

    static Unsubscribe unsubscribe(SplittableRandom r) {
        int id = packetId(r);
        return new Unsubscribe(id, list(r, 1, 5, MqttPacketGenerators::topicFilter));
    }
}
