package io.thingflux.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PostParamsTest {

    @ParameterizedTest
    @ValueSource(ints = {BenchOptions.MIN_PAYLOAD_BYTES, 256, 1024, BenchOptions.MAX_PAYLOAD_BYTES})
    void anAlinkPostWithATenDigitIdIsExactlyTheRequestedSize(int bytes) throws Exception {
        Map<String, Object> params = PostParams.sized(bytes);
        byte[] post = PostParams.alinkPost("4294967295", params);
        assertThat(post).hasSize(bytes);
        JsonNode json = new ObjectMapper().readTree(post);
        assertThat(json.get("method").asText()).isEqualTo("thing.event.property.post");
        assertThat(json.get("version").asText()).isEqualTo("1.0");
        assertThat(json.get("params").get("Temperature").asDouble()).isEqualTo(21.5);
    }
}
