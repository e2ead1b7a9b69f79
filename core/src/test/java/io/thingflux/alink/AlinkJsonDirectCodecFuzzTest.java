package io.thingflux.alink;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Arrays;

/**
 * Coverage-guided differential fuzzing (Jazzer) of the direct Alink codec against Jackson, which it stands in
 * for on the hot path: for any payload, {@link AlinkJson#decodeReply} (the flat reader, falling back to
 * Jackson) gives the same reply as Jackson's reading, or the same error; and any value Jackson parses out of
 * the payload is written by {@link AlinkJson#encodeValue} (the direct writer) to exactly Jackson's bytes.
 */
class AlinkJsonDirectCodecFuzzTest {

    @FuzzTest(maxExecutions = 500_000, maxDuration = "2m")
    void theDirectReaderAndWriterAgreeWithJackson(FuzzedDataProvider data) {
        byte[] payload = data.consumeRemainingAsBytes();

        Object expected;
        try {
            expected = AlinkJson.decodeReplyWithJackson(payload);
        } catch (AlinkException e) {
            expected = e;
        }
        Object actual;
        try {
            actual = AlinkJson.decodeReply(payload);
        } catch (AlinkException e) {
            actual = e;
        }
        if (expected instanceof AlinkException e) {
            assertThat(actual).isInstanceOf(e.getClass());
            assertThat(((AlinkException) actual).getMessage()).isEqualTo(e.getMessage());
        } else {
            assertThat(actual).isEqualTo(expected);
            AlinkReply reply = (AlinkReply) expected;
            if (reply.data() != null) {
                assertThat(((AlinkReply) actual).data().getClass()).isEqualTo(reply.data().getClass());
            }
        }

        Object value;
        try {
            value = AlinkJson.decode(payload);
        } catch (AlinkException e) {
            return;
        }
        byte[] viaJackson;
        try {
            viaJackson = AlinkJson.encodeValueWithJackson(value);
        } catch (RuntimeException e) {
            Class<?> refused = e.getClass();
            try {
                AlinkJson.encodeValue(value);
            } catch (RuntimeException direct) {
                assertThat(direct).isInstanceOf(refused);
                return;
            }
            throw new AssertionError("Jackson refused a value the direct writer wrote: " + e);
        }
        byte[] direct = AlinkJson.encodeValue(value);
        assertThat(Arrays.equals(direct, viaJackson))
                .as("direct writer %s, Jackson %s", new String(direct, java.nio.charset.StandardCharsets.UTF_8),
                        new String(viaJackson, java.nio.charset.StandardCharsets.UTF_8))
                .isTrue();
    }
}
