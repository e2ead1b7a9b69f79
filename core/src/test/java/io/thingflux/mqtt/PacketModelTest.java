package io.thingflux.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.IntFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The packet records refuse what MQTT 3.1.1 cannot carry, so an invalid packet never reaches the
 * wire.
 */
class PacketModelTest {

    private static final byte[] PAYLOAD = "hi".getBytes(StandardCharsets.UTF_8);
    private static final String MAX_ASCII = "a".repeat(65_535);
    private static final String TOO_LONG_ASCII = "a".repeat(65_536);
    private static final String TOO_LONG_CJK =
            "中".repeat(21_846); // 65538 UTF-8 bytes in 21846 chars

    static Stream<Arguments> packetsWithAnId() {
        return Stream.of(
                Arguments.of("PUBACK", (IntFunction<MqttPacket>) PubAck::new),
                Arguments.of("PUBREC", (IntFunction<MqttPacket>) PubRec::new),
                Arguments.of("PUBREL", (IntFunction<MqttPacket>) PubRel::new),
                Arguments.of("PUBCOMP", (IntFunction<MqttPacket>) PubComp::new),
                Arguments.of("UNSUBACK", (IntFunction<MqttPacket>) UnsubAck::new),
                Arguments.of(
                        "SUBACK",
                        (IntFunction<MqttPacket>)
                                id -> SubAck.of(id, SubAckReturnCode.GRANTED_QOS_0)),
                Arguments.of(
                        "SUBSCRIBE",
                        (IntFunction<MqttPacket>)
                                id -> Subscribe.of(id, "a/#", MqttQos.AT_MOST_ONCE)),
                Arguments.of(
                        "UNSUBSCRIBE", (IntFunction<MqttPacket>) id -> Unsubscribe.of(id, "a/#")),
                Arguments.of(
                        "PUBLISH QoS 1",
                        (IntFunction<MqttPacket>)
                                id ->
                                        new Publish(
                                                "a",
                                                MqttQos.AT_LEAST_ONCE,
                                                false,
                                                false,
                                                id,
                                                PAYLOAD)),
                Arguments.of(
                        "PUBLISH QoS 2",
                        (IntFunction<MqttPacket>)
                                id ->
                                        new Publish(
                                                "a",
                                                MqttQos.EXACTLY_ONCE,
                                                true,
                                                false,
                                                id,
                                                PAYLOAD)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("packetsWithAnId")
    void packetIdMustBeWithin1To65535(String type, IntFunction<MqttPacket> withId) {
        assertThat(withId.apply(1)).isNotNull();
        assertThat(withId.apply(65_535)).isNotNull();
        for (int bad : new int[] {0, -1, 65_536, Integer.MAX_VALUE}) {
            assertThatThrownBy(() -> withId.apply(bad))
                    .as("%s with id %d", type, bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("packet id");
        }
    }

    @Test
    void qos0PublishHasNoPacketIdAndNoDup() {
        assertThat(Publish.qos0("a", "x").packetId()).isZero();
        assertThatThrownBy(() -> new Publish("a", MqttQos.AT_MOST_ONCE, false, false, 5, PAYLOAD))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Publish("a", MqttQos.AT_MOST_ONCE, true, false, 0, PAYLOAD))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("DUP");
    }

    @Test
    void publishTopicMustBeAValidName() {
        assertThatThrownBy(() -> Publish.qos0("a/+", "x"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Publish.qos0("", "x"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Publish.qos0(TOO_LONG_ASCII, "x"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(Publish.qos0(MAX_ASCII, "x").topic()).hasSize(65_535);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"ascii", "cjk"})
    void stringsLongerThan65535Utf8BytesAreRefused(String kind) {
        String tooLong = kind.equals("ascii") ? TOO_LONG_ASCII : TOO_LONG_CJK;
        List<Executable> constructions =
                List.of(
                        () -> Connect.of(tooLong, true, 60),
                        () -> new Connect(4, "c", true, 60, null, tooLong, null),
                        () -> new Will(tooLong, PAYLOAD, MqttQos.AT_MOST_ONCE, false),
                        () -> Publish.qos0(tooLong, "x"),
                        () -> new Subscription(tooLong, MqttQos.AT_MOST_ONCE),
                        () -> Unsubscribe.of(1, tooLong));
        for (Executable e : constructions) {
            assertThatThrownBy(e::execute)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("65535");
        }
    }

    @Test
    void stringsOfExactly65535Utf8BytesAreAccepted() {
        String cjk = "中".repeat(21_845);
        assertThatCode(
                        () -> {
                            Connect.of(MAX_ASCII, true, 60);
                            new Connect(4, "c", true, 60, null, cjk, null);
                            new Will(cjk, PAYLOAD, MqttQos.AT_MOST_ONCE, false);
                            new Subscription(cjk, MqttQos.AT_LEAST_ONCE);
                            Unsubscribe.of(1, MAX_ASCII);
                        })
                .doesNotThrowAnyException();
    }

    @Test
    void binaryFieldsLongerThan65535BytesAreRefused() {
        assertThatThrownBy(() -> new Connect(4, "c", true, 60, null, "u", new byte[65_536]))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(new Connect(4, "c", true, 60, null, "u", new byte[65_535]).password())
                .hasSize(65_535);
        assertThatThrownBy(() -> new Will("w", new byte[65_536], MqttQos.AT_MOST_ONCE, false))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void stringsWithNulOrUnpairedSurrogatesAreRefused() {
        assertThatThrownBy(() -> Connect.of("c\u0000", true, 60)).hasMessageContaining("U+0000");
        assertThatThrownBy(() -> Connect.of("c\uD800", true, 60)).hasMessageContaining("surrogate");
        assertThatThrownBy(() -> new Connect(4, "c", true, 60, null, "\uDC00u", null))
                .hasMessageContaining("surrogate");
    }

    @Test
    void subscribeUnsubscribeAndSubAckNeedAtLeastOneEntry() {
        assertThatThrownBy(() -> new Subscribe(1, List.of()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Unsubscribe(1, List.of()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SubAck(1, List.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void subscriptionAndUnsubscribeFiltersMustBeValid() {
        assertThatThrownBy(() -> new Subscription("a/#/b", MqttQos.AT_MOST_ONCE))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Unsubscribe.of(1, "a/b", "sport+"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void listsAreCopiedSoTheRecordStaysImmutable() {
        List<Subscription> subs =
                new java.util.ArrayList<>(List.of(new Subscription("a", MqttQos.AT_MOST_ONCE)));
        Subscribe s = new Subscribe(1, subs);
        subs.add(new Subscription("b", MqttQos.AT_MOST_ONCE));
        assertThat(s.subscriptions()).hasSize(1);
        assertThatThrownBy(() -> s.subscriptions().add(null))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void connectRefusesAPasswordWithoutUserNameAndOutOfRangeFields() {
        assertThatThrownBy(() -> new Connect(4, "c", true, 60, null, null, PAYLOAD))
                .hasMessageContaining("MQTT-3.1.2-22");
        assertThatThrownBy(() -> new Connect(5, "c", true, 60, null, null, null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Connect.of("c", true, -1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Connect.of("c", true, 65_536))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(Connect.of("c", true, 65_535).keepAliveSeconds()).isEqualTo(65_535);
        assertThat(new Connect(3, "c", true, 0, null, null, null).protocolName())
                .isEqualTo("MQIsdp");
    }

    @Test
    void connAckSessionPresentOnlyWithAcceptance() {
        assertThat(ConnAck.accepted(true).sessionPresent()).isTrue();
        assertThatThrownBy(() -> new ConnAck(true, ConnectReturnCode.NOT_AUTHORIZED))
                .hasMessageContaining("MQTT-3.2.2-4");
    }

    @Test
    void wireEnumsRefuseReservedValues() {
        assertThatThrownBy(() -> MqttQos.valueOf(3)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PacketType.valueOf(0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PacketType.valueOf(15))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ConnectReturnCode.valueOf(6))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SubAckReturnCode.valueOf(0x81))
                .isInstanceOf(IllegalArgumentException.class);
        for (PacketType t : PacketType.values()) {
            assertThat(PacketType.valueOf(t.code())).isSameAs(t);
        }
        assertThat(SubAckReturnCode.valueOf(0x80)).isSameAs(SubAckReturnCode.FAILURE);
        assertThat(ConnectReturnCode.valueOf(5)).isSameAs(ConnectReturnCode.NOT_AUTHORIZED);
    }

    @Test
    void connectPasswordNeverAppearsInToString() {
        byte[] password = "s3cr3t-Pa55".getBytes(StandardCharsets.UTF_8);
        Connect c = new Connect(4, "dev1", true, 60, null, "user", password);
        assertThat(c.toString())
                .doesNotContain("s3cr3t-Pa55")
                .contains("<redacted>")
                .contains("dev1")
                .contains("user");
        assertThat(c.toString()).doesNotContain(java.util.Arrays.toString(password));
        assertThat(c.toString()).doesNotContain(java.util.HexFormat.of().formatHex(password));
    }

    @Test
    void payloadAndPasswordArraysAreNotExposedForWriting() {
        byte[] password = {1, 2, 3};
        Connect c = new Connect(4, "c", true, 60, null, "u", password);
        c.password()[0] = 9;
        assertThat(c.password()).containsExactly(1, 2, 3);
        Publish p = Publish.qos0("t", new byte[] {4, 5}, false);
        p.payload()[0] = 9;
        assertThat(p.payload()).containsExactly(4, 5);
        assertThat(p.payloadBuffer().isReadOnly()).isTrue();
        assertThat(p).isEqualTo(Publish.qos0("t", new byte[] {4, 5}, false));
        assertThat(p.hashCode()).isEqualTo(Publish.qos0("t", new byte[] {4, 5}, false).hashCode());
        assertThat(c).isEqualTo(new Connect(4, "c", true, 60, null, "u", new byte[] {1, 2, 3}));
    }
}
