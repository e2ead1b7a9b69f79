package io.thingflux.emulator.platform.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;

/**
 * The emulator's one way to read and write JSON: Jackson trees read from and written as UTF-8, for
 * the Alink posts and replies, the admin API's bodies and the publish recording.
 */
final class EmulatorJson {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private EmulatorJson() {}

    static ObjectNode object() {
        return JsonNodeFactory.instance.objectNode();
    }

    /** The JSON object in {@code json}, or {@code null} when it is not JSON or not an object. */
    static JsonNode readObject(byte[] json) {
        JsonNode node = readAny(json);
        return node != null && node.isObject() ? node : null;
    }

    /** The JSON value in {@code json}, or {@code null} when it is not JSON. */
    static JsonNode readAny(byte[] json) {
        try {
            JsonNode node = MAPPER.readTree(json);
            return node == null || node.isMissingNode() ? null : node;
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * {@code node} as UTF-8 JSON.
     *
     * @throws IllegalStateException when Jackson cannot write it (a string with a lone surrogate)
     */
    static byte[] bytes(JsonNode node) {
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** {@code node} as JSON text. */
    static String text(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON: " + e.getOriginalMessage(), e);
        }
    }
}
