package io.thingflux.serial.at;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Coverage-guided fuzzing of the AT framer, including {@code +QMTRECV} lines with a counted payload
 * (Jazzer). For any byte stream: nothing but frames comes out (no exception), no line or payload
 * exceeds its bound, and how the stream is cut into reads never changes the frames: the module's
 * bytes may arrive in any chunks (a prompt or a payload split across reads).
 */
class AtFramerFuzzTest {

    private static final int MAX_LINE = 256;
    private static final int MAX_PAYLOAD = 512;

    @FuzzTest(maxExecutions = 300_000, maxDuration = "2m")
    void framesDoNotDependOnHowTheStreamIsChunkedAndStayBounded(FuzzedDataProvider data) {
        int cuts = data.consumeInt(0, 16);
        int[] cutAt = new int[cuts];
        for (int i = 0; i < cuts; i++) {
            cutAt[i] = data.consumeInt(0, 4096);
        }
        byte[] stream = data.consumeRemainingAsBytes();

        List<String> whole = frames(stream, new int[0]);
        List<String> chunked = frames(stream, cutAt);

        assertThat(chunked).isEqualTo(whole);
    }

    /**
     * Frames of {@code stream} fed in pieces cut at {@code cutAt}, rendered comparable and
     * bound-checked.
     */
    private static List<String> frames(byte[] stream, int[] cutAt) {
        List<String> out = new ArrayList<>();
        AtFramer framer =
                new AtFramer(
                        AtFramer.QMTRECV_WITH_LENGTH,
                        MAX_LINE,
                        MAX_PAYLOAD,
                        frame -> {
                            if (frame instanceof AtFrame.Line line) {
                                assertThat(line.text()).isNotEmpty();
                                assertThat(line.text().length()).isLessThanOrEqualTo(MAX_LINE);
                                out.add("L:" + line.text());
                            } else if (frame instanceof AtFrame.PayloadLine p) {
                                assertThat(p.payload().length).isLessThanOrEqualTo(MAX_PAYLOAD);
                                out.add("P:" + p.header() + ":" + Arrays.toString(p.payload()));
                            } else {
                                out.add("prompt");
                            }
                        });
        int[] cuts = cutAt.clone();
        Arrays.sort(cuts);
        int from = 0;
        for (int cut : cuts) {
            int to = Math.min(cut, stream.length);
            if (to > from) {
                framer.feed(stream, from, to - from);
                from = to;
            }
        }
        if (from < stream.length) {
            framer.feed(stream, from, stream.length - from);
        }
        return out;
    }
}
