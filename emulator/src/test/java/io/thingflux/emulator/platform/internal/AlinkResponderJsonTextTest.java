package io.thingflux.emulator.platform.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

class AlinkResponderJsonTextTest {

    @Test
    void propertyValuesReadBackAsTheSameJsonTextTheSerializerWrites() throws Exception {
        String[] values = {"0", "-7", "21", "9223372036854775807", "123456789012345678901234567890", "21.5",
                "-0.0", "1e300", "1.0E-7", "3.141592653589793", "true", "false", "null", "\"\"", "\"on\"",
                "\"a \\\"quoted\\\" \\\\ value\\n\\t\\u0001 é 中\"", "\"/slash\"", "[1,2,{\"a\":null}]",
                "{\"value\":1,\"time\":2}", "{}"};
        for (String v : values) {
            JsonNode node = AlinkResponder.JSON.readTree(v);
            assertThat(AlinkResponder.jsonText(node)).as(v).isEqualTo(node.toString());
        }
    }
}
