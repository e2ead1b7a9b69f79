package io.thingflux.netty.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.thingflux.mqtt.MqttQos;
import io.thingflux.mqtt.Publish;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The decoder reuses the topic of a connection's recent PUBLISHes, and never hands out a wrong one.
 */
class DecoderTopicReuseTest {

    private static final String BASE = "/sys/a1wFylTxYeD/co_0001/thing/event/property/";

    @Test
    void aRepeatedTopicIsTheSameStringInstance() {
        List<Publish> decoded =
                decodeAll(
                        List.of(
                                Publish.qos0(BASE + "post", "1"),
                                Publish.qos0(BASE + "post", "2"),
                                Publish.qos0(BASE + "post", "3")));
        assertThat(decoded.get(1).topic()).isSameAs(decoded.get(0).topic());
        assertThat(decoded.get(2).topic()).isSameAs(decoded.get(0).topic());
    }

    @Test
    void topicsOfEqualLengthDifferingInOneByteAreNeverConfused() {
        // the differing byte sits in the first eight, in a middle eight and in the tail shorter
        // than eight
        List<String> topics =
                List.of(
                        BASE + "postA",
                        BASE + "postB",
                        "X" + BASE.substring(1) + "postA",
                        BASE.substring(0, 20) + "Z" + BASE.substring(21) + "postA");
        List<Publish> sent = new ArrayList<>();
        for (int round = 0; round < 5; round++) {
            for (String t : topics) {
                sent.add(
                        new Publish(
                                t,
                                MqttQos.AT_LEAST_ONCE,
                                false,
                                false,
                                sent.size() + 1,
                                new byte[] {(byte) round}));
            }
        }
        assertThat(decodeAll(sent)).containsExactlyElementsOf(sent);
    }

    @Test
    void moreTopicsThanTheCacheHoldsDecodeCorrectlyInRotation() {
        List<Publish> sent = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < TopicCache.ENTRIES * 2 + 1; i++) {
                sent.add(Publish.qos0("t/" + i, "r" + round));
            }
        }
        assertThat(decodeAll(sent)).containsExactlyElementsOf(sent);
    }

    @Test
    void longAndNonAsciiTopicsDecodeCorrectlyWhenRepeated() {
        String longTopic = "a/".repeat(TopicCache.MAX_TOPIC_BYTES);
        String nonAscii = "温度/传感器/😀";
        List<Publish> sent =
                List.of(
                        Publish.qos0(longTopic, "1"),
                        Publish.qos0(nonAscii, "2"),
                        Publish.qos0(longTopic, "3"),
                        Publish.qos0(nonAscii, "4"),
                        Publish.qos0("温度/传感器/😁", "5"));
        List<Publish> decoded = decodeAll(sent);
        assertThat(decoded).containsExactlyElementsOf(sent);
        assertThat(decoded.get(3).topic()).isSameAs(decoded.get(1).topic());
    }

    private static List<Publish> decodeAll(List<Publish> packets) {
        EmbeddedChannel ch = new EmbeddedChannel(new MqttDecoder());
        List<Publish> decoded = new ArrayList<>();
        for (Publish p : packets) {
            ch.writeInbound(MqttEncoder.encode(UnpooledByteBufAllocator.DEFAULT, p));
            decoded.add(ch.readInbound());
        }
        assertThat(ch.finishAndReleaseAll()).isFalse();
        return decoded;
    }
}
