package io.thingflux.serial.at;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The framer: lines, prompts and counted payloads, however the bytes are chunked. */
class AtFramerTest {

    private static final String PAYLOAD = "{\"a\":\"1,2\"}\r\n\"\r\nOK\r\n> ";
    private static final byte[] STREAM =
            ("AT+CSQ\r\r\n+CSQ: 20,99\r\n\r\nOK\r\n"
                            + "\r\n> "
                            + "\r\n+QMTRECV: 0,0,\"a/b\","
                            + PAYLOAD.getBytes(StandardCharsets.UTF_8).length
                            + ",\""
                            + PAYLOAD
                            + "\"\r\n"
                            + "\r\n+QMTSTAT: 0,1\r\n")
                    .getBytes(StandardCharsets.UTF_8);

    private static List<String> frames(byte[] stream, List<Integer> cuts) {
        List<String> out = new ArrayList<>();
        AtFramer framer = new AtFramer(f -> out.add(describe(f)));
        int off = 0;
        for (int cut : cuts) {
            int end = Math.min(stream.length, off + cut);
            framer.feed(stream, off, end - off);
            off = end;
        }
        framer.feed(stream, off, stream.length - off);
        return out;
    }

    private static String describe(AtFrame f) {
        if (f instanceof AtFrame.Line l) {
            return "line:" + l.text();
        }
        if (f instanceof AtFrame.PayloadLine p) {
            return "payload:" + p.header() + "|" + new String(p.payload(), StandardCharsets.UTF_8);
        }
        return "prompt";
    }

    private static final List<String> EXPECTED =
            List.of(
                    "line:AT+CSQ",
                    "line:+CSQ: 20,99",
                    "line:OK",
                    "prompt",
                    "payload:+QMTRECV: 0,0,\"a/b\","
                            + PAYLOAD.getBytes(StandardCharsets.UTF_8).length
                            + ",|"
                            + PAYLOAD,
                    "line:+QMTSTAT: 0,1");

    @Test
    void framesLinesPromptsAndCountedPayloads() {
        assertThat(frames(STREAM, List.of())).containsExactlyElementsOf(EXPECTED);
    }

    @Test
    void byteByByteGivesTheSameFrames() {
        List<Integer> ones = new ArrayList<>();
        for (int i = 0; i < STREAM.length; i++) {
            ones.add(1);
        }
        assertThat(frames(STREAM, ones)).containsExactlyElementsOf(EXPECTED);
    }

    @Test
    void anyChunkingGivesTheSameFrames() {
        long seed = 0x5EED_A7F0L;
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < 300; i++) {
            List<Integer> cuts = cuts(random);
            assertThat(frames(STREAM, cuts))
                    .as("seed %x, case %d: cuts %s", seed, i, cuts)
                    .containsExactlyElementsOf(EXPECTED);
        }
    }

    /**
     * 0 to 60 chunk sizes of 1 to 40 bytes; now and then the ends of both ranges (no cuts, 60 cuts,
     * 1, 40).
     */
    private static List<Integer> cuts(SplittableRandom random) {
        int n = edgeOrBetween(random, 0, 60);
        List<Integer> cuts = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            cuts.add(edgeOrBetween(random, 1, 40));
        }
        return cuts;
    }

    private static int edgeOrBetween(SplittableRandom random, int min, int max) {
        int edge = random.nextInt(20);
        return edge == 0 ? min : edge == 1 ? max : random.nextInt(min, max + 1);
    }

    @Test
    void overlongLineIsDiscardedAndCountedThenFramingResumes() {
        List<String> out = new ArrayList<>();
        AtFramer framer =
                new AtFramer(AtFramer.QMTRECV_WITH_LENGTH, 16, 1024, f -> out.add(describe(f)));
        framer.feed(("+X: " + "y".repeat(100) + "\r\nOK\r\n").getBytes(StandardCharsets.US_ASCII));
        assertThat(out).containsExactly("line:OK");
        assertThat(framer.discardedLines()).isEqualTo(1);
    }

    @Test
    void payloadLongerThanTheBoundIsReadAsAnOrdinaryLine() {
        List<String> out = new ArrayList<>();
        AtFramer framer =
                new AtFramer(AtFramer.QMTRECV_WITH_LENGTH, 1024, 4, f -> out.add(describe(f)));
        framer.feed("+QMTRECV: 0,0,\"t\",5,\"hello\"\r\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(out).containsExactly("line:+QMTRECV: 0,0,\"t\",5,\"hello\"");
    }

    @Test
    void emptyCountedPayloadIsFramed() {
        List<String> out = new ArrayList<>();
        AtFramer framer = new AtFramer(f -> out.add(describe(f)));
        framer.feed("+QMTRECV: 1,0,\"t\",0,\"\"\r\nOK\r\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(out).containsExactly("payload:+QMTRECV: 1,0,\"t\",0,|", "line:OK");
    }

    @Test
    void binaryPayloadBytesArriveUnchanged() {
        ByteArrayOutputStream s = new ByteArrayOutputStream();
        byte[] bin = new byte[256];
        for (int i = 0; i < bin.length; i++) {
            bin[i] = (byte) i;
        }
        s.writeBytes("+QMTRECV: 0,0,\"t\",256,\"".getBytes(StandardCharsets.US_ASCII));
        s.writeBytes(bin);
        s.writeBytes("\"\r\n".getBytes(StandardCharsets.US_ASCII));
        List<AtFrame> out = new ArrayList<>();
        new AtFramer(out::add).feed(s.toByteArray());
        assertThat(out)
                .singleElement()
                .isInstanceOfSatisfying(
                        AtFrame.PayloadLine.class, p -> assertThat(p.payload()).isEqualTo(bin));
    }
}
