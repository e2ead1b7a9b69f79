package io.thingflux.interop.codec;

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
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/**
 * Random valid MQTT 3.1.1 packets of all fourteen types: UTF-8 topics with characters from every plane, payloads
 * whose sizes cross the one-, two- and three-byte remaining-length boundaries (and our encoder's wrap threshold),
 * wills, credentials and every QoS and flag combination the specification allows.
 */
final class MqttPacketArbitraries {

    private MqttPacketArbitraries() {
    }

    static Arbitrary<MqttPacket> packets() {
        // PUBLISH, CONNECT and SUBSCRIBE carry the most fields: weighted up
        return Arbitraries.frequencyOf(
                Tuple.of(4, widen(connects())),
                Tuple.of(1, widen(connAcks())),
                Tuple.of(8, widen(publishes())),
                Tuple.of(1, widen(packetIds().map(PubAck::new))),
                Tuple.of(1, widen(packetIds().map(PubRec::new))),
                Tuple.of(1, widen(packetIds().map(PubRel::new))),
                Tuple.of(1, widen(packetIds().map(PubComp::new))),
                Tuple.of(3, widen(subscribes())),
                Tuple.of(1, widen(subAcks())),
                Tuple.of(2, widen(unsubscribes())),
                Tuple.of(1, widen(packetIds().map(UnsubAck::new))),
                Tuple.of(1, widen(Arbitraries.just(PingReq.INSTANCE))),
                Tuple.of(1, widen(Arbitraries.just(PingResp.INSTANCE))),
                Tuple.of(1, widen(Arbitraries.just(Disconnect.INSTANCE))));
    }

    private static Arbitrary<MqttPacket> widen(Arbitrary<? extends MqttPacket> arbitrary) {
        return arbitrary.map(p -> p);
    }

    /** One Unicode code point as a string: mostly ASCII, some two-, three- and four-byte UTF-8. No U+0000, no wildcard. */
    static Arbitrary<String> codePoint() {
        Arbitrary<Integer> ascii = Arbitraries.integers().between(0x20, 0x7E).filter(c -> c != '+' && c != '#');
        Arbitrary<Integer> twoBytes = Arbitraries.integers().between(0x80, 0x7FF);
        Arbitrary<Integer> threeBytes = Arbitraries.integers().between(0x800, 0xFFFD)
                .filter(c -> c < Character.MIN_SURROGATE || c > Character.MAX_SURROGATE);
        Arbitrary<Integer> fourBytes = Arbitraries.integers().between(0x10000, 0x10FFFF);
        Arbitrary<Integer> control = Arbitraries.integers().between(0x01, 0x1F);
        return Arbitraries.frequencyOf(
                Tuple.of(70, ascii), Tuple.of(8, twoBytes), Tuple.of(8, threeBytes), Tuple.of(8, fourBytes),
                Tuple.of(2, control)).map(Character::toString);
    }

    static Arbitrary<String> text(int minCodePoints, int maxCodePoints) {
        return codePoint().list().ofMinSize(minCodePoints).ofMaxSize(maxCodePoints).map(l -> String.join("", l));
    }

    /** A topic name: one or more levels of text (a level may be empty, e.g. a leading '/'). */
    static Arbitrary<String> topicNames() {
        return text(1, 40);
    }

    /** A topic filter: levels of text or '+', optionally ending in '#'. */
    static Arbitrary<String> topicFilters() {
        Arbitrary<String> level = Arbitraries.frequencyOf(
                Tuple.of(6, text(0, 12).map(s -> s.replace("/", ""))),
                Tuple.of(2, Arbitraries.just("+")));
        Arbitrary<String> levels = level.list().ofMinSize(1).ofMaxSize(6).map(l -> String.join("/", l));
        return Combinators.combine(levels, Arbitraries.integers().between(0, 3)).as((l, hash) -> {
            if (hash == 0) {
                return l.isEmpty() ? "#" : l + "/#";
            }
            return l.isEmpty() ? "/" : l;
        });
    }

    /**
     * Payload sizes around the interesting boundaries: empty, tiny, 127/128 (remaining length 1 → 2 bytes), 1024
     * (our encoder's wrap threshold), 16383/16384 (2 → 3 bytes) and 2097151/2097152 (3 → 4 bytes).
     */
    static Arbitrary<byte[]> payloads() {
        Arbitrary<Integer> sizes = Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.just(0)),
                Tuple.of(30, Arbitraries.integers().between(1, 64)),
                Tuple.of(12, Arbitraries.integers().between(60, 140)),
                Tuple.of(12, Arbitraries.integers().between(980, 1100)),
                Tuple.of(6, Arbitraries.integers().between(16_300, 16_400)),
                Tuple.of(1, Arbitraries.integers().between(2_097_100, 2_097_200)));
        // the content comes from a seed: generating megabytes byte by byte through jqwik would be slow
        return Combinators.combine(sizes, Arbitraries.longs()).as((n, seed) -> {
            byte[] bytes = new byte[n];
            new SplittableRandom(seed).nextBytes(bytes);
            return bytes;
        });
    }

    static Arbitrary<Integer> packetIds() {
        return Arbitraries.frequencyOf(
                Tuple.of(8, Arbitraries.integers().between(1, 65_535)),
                Tuple.of(1, Arbitraries.of(1, 255, 256, 32_767, 32_768, 65_535)));
    }

    static Arbitrary<MqttQos> qos() {
        return Arbitraries.of(MqttQos.class);
    }

    static Arbitrary<Connect> connects() {
        Arbitrary<Will> wills = Combinators.combine(topicNames(),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(300), qos(), Arbitraries.of(true, false))
                .as(Will::new);
        Arbitrary<String> usernames = text(0, 30);
        Arbitrary<byte[]> passwords = Arbitraries.bytes().array(byte[].class).ofMaxSize(80);
        // MQTT 3.1 (level 3) requires a client id of 1..23 characters (MQTT 3.1 §3.1); 3.1.1 allows any length
        Arbitrary<Integer> levels = Arbitraries.of(Connect.MQTT_3_1_1, Connect.MQTT_3_1_1, Connect.MQTT_3_1);
        return levels.flatMap(level -> Combinators.combine(
                (level == Connect.MQTT_3_1 ? text(1, 11).filter(s -> s.length() <= 23) : text(0, 40)),
                Arbitraries.of(true, false),
                Arbitraries.integers().between(0, 65_535),
                wills.injectNull(0.5),
                usernames.injectNull(0.4),
                passwords.injectNull(0.4))
                .as((clientId, clean, keepAlive, will, username, password) ->
                        new Connect(level, clientId, clean, keepAlive, will, username, username == null ? null : password)));
    }

    static Arbitrary<ConnAck> connAcks() {
        return Combinators.combine(Arbitraries.of(ConnectReturnCode.class), Arbitraries.of(true, false))
                .as((code, session) -> new ConnAck(session && code == ConnectReturnCode.ACCEPTED, code));
    }

    static Arbitrary<Publish> publishes() {
        return Combinators.combine(topicNames(), qos(), Arbitraries.of(true, false), Arbitraries.of(true, false),
                packetIds(), payloads())
                .as((topic, qos, dup, retain, id, payload) -> qos == MqttQos.AT_MOST_ONCE
                        ? new Publish(topic, qos, false, retain, 0, payload)
                        : new Publish(topic, qos, dup, retain, id, payload));
    }

    static Arbitrary<Subscribe> subscribes() {
        Arbitrary<Subscription> subscriptions = Combinators.combine(topicFilters(), qos()).as(Subscription::new);
        return Combinators.combine(packetIds(), subscriptions.list().ofMinSize(1).ofMaxSize(5)).as(Subscribe::new);
    }

    static Arbitrary<SubAck> subAcks() {
        return Combinators.combine(packetIds(), Arbitraries.of(SubAckReturnCode.class).list().ofMinSize(1).ofMaxSize(8))
                .as(SubAck::new);
    }

    static Arbitrary<Unsubscribe> unsubscribes() {
        return Combinators.combine(packetIds(), topicFilters().list().ofMinSize(1).ofMaxSize(5)).as(Unsubscribe::new);
    }
}
