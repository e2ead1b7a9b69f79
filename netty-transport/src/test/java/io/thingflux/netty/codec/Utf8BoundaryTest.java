package io.thingflux.netty.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.thingflux.mqtt.Publish;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The edges of the well-formed UTF-8 ranges (Unicode Table 3-7) decode to the code point they
 * encode; their malformed neighbours are refused in {@link MalformedFrameTest}.
 */
class Utf8BoundaryTest {

    private record Edge(String bytesHex, String expected) {}

    @TestFactory
    Stream<DynamicTest> wellFormedEdgeSequencesDecodeToTheirCodePoints() {
        return Stream.of(
                        new Edge("01", "\u0001"),
                        new Edge("7F", "\u007F"),
                        new Edge("C2 80", "\u0080"),
                        new Edge("DF BF", "\u07FF"),
                        new Edge("E0 A0 80", "\u0800"),
                        new Edge("EC BF BF", "\uCFFF"),
                        new Edge("ED 80 80", "\uD000"),
                        new Edge("ED 9F BF", "\uD7FF"),
                        new Edge("EE 80 80", "\uE000"),
                        new Edge(
                                "EF BB BF",
                                "\uFEFF"), // a BOM is a character here and must not be stripped
                        // (MQTT-1.5.3-3)
                        new Edge("EF BF BF", "\uFFFF"),
                        new Edge("F0 90 80 80", "\uD800\uDC00"),
                        new Edge("F3 BF BF BF", "\uDBBF\uDFFF"),
                        new Edge("F4 80 80 80", "\uDBC0\uDC00"),
                        new Edge("F4 8F BF BF", "\uDBFF\uDFFF"))
                .map(
                        e ->
                                DynamicTest.dynamicTest(
                                        e.bytesHex(),
                                        () -> {
                                            // the edge alone, and between ASCII so the non-ASCII
                                            // path starts mid-string
                                            assertThat(decodeTopic(e.bytesHex()))
                                                    .isEqualTo(e.expected());
                                            assertThat(
                                                            decodeTopic(
                                                                    "61 2F "
                                                                            + e.bytesHex()
                                                                            + " 2F 62"))
                                                    .isEqualTo("a/" + e.expected() + "/b");
                                        }));
    }

    private static String decodeTopic(String topicBytesHex) {
        byte[] frame = WireBytes.frame(0x30, WireBytes.field(WireBytes.hex(topicBytesHex)), "78");
        Publish p = (Publish) SeedFrameMeaningTest.decodeOne(frame);
        assertThat(p.payloadAsString()).isEqualTo("x");
        return p.topic();
    }
}
