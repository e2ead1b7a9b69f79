package io.thingflux.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PayloadJsonTest {

    @Test
    void validUtf8IsWrittenAsTextWithoutAnEncodingField() {
        ObjectNode n =
                PayloadJson.put(
                        JsonLines.object(),
                        "payload",
                        "温度 21.5 ✓".getBytes(StandardCharsets.UTF_8));

        assertThat(n.path("payload").asText()).isEqualTo("温度 21.5 ✓");
        assertThat(n.has("encoding")).isFalse();
    }

    @Test
    void anEmptyPayloadIsAnEmptyString() {
        ObjectNode n = PayloadJson.put(JsonLines.object(), "payload", new byte[0]);

        assertThat(n.path("payload").asText("x")).isEmpty();
        assertThat(n.has("encoding")).isFalse();
    }

    /**
     * Lone 0xFF; a truncated 3-byte sequence; an overlong NUL; a UTF-16 surrogate encoded in UTF-8.
     */
    @ParameterizedTest
    @ValueSource(strings = {"ff", "41e282", "c080", "eda080"})
    void invalidUtf8IsWrittenAsBase64AndRoundTrips(String hex) {
        byte[] bytes = java.util.HexFormat.of().parseHex(hex);

        ObjectNode n = PayloadJson.put(JsonLines.object(), "payload", bytes);

        assertThat(n.path("encoding").asText()).isEqualTo("base64");
        assertThat(Base64.getDecoder().decode(n.path("payload").asText())).containsExactly(bytes);
    }
}
