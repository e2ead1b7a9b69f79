package io.thingflux.bench.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Map;

/** Reads the few Alink fields a hand-written client needs: a message's id, code and params. */
final class AlinkReplies {

    static final ObjectMapper MAPPER = new ObjectMapper();

    private AlinkReplies() {}

    /** The parsed JSON, or {@code null} when the payload is not a JSON object. */
    static JsonNode parse(byte[] payload) {
        try {
            JsonNode n = MAPPER.readTree(payload);
            return n != null && n.isObject() ? n : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** The id as text, whether sent as a string or a number; {@code null} when absent. */
    static String id(JsonNode message) {
        JsonNode id = message.get("id");
        return id == null || id.isNull() ? null : id.asText();
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> params(JsonNode message) {
        JsonNode params = message.get("params");
        return params != null && params.isObject()
                ? MAPPER.convertValue(params, Map.class)
                : Map.of();
    }
}
