package io.thingflux.emulator.platform.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;

/**
 * The emulator's one way to read and write JSON: one Jackson {@code ObjectMapper}, as trees for the
 * admin API's bodies and the publish recording, and as a parser and generator streaming the Alink
 * posts and their replies (what every device sends, read without building a tree).
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

    /** A parser of {@code json}, able to read a tree from where it stands. */
    static JsonParser parser(byte[] json) throws IOException {
        return MAPPER.createParser(json);
    }

    /** The value the parser stands on (its first token read), as a tree. */
    static JsonNode readTree(JsonParser p) throws IOException {
        return MAPPER.readTree(p);
    }

    /** What {@code w} writes, as UTF-8 JSON. */
    static byte[] write(Writer w) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        try (JsonGenerator g = MAPPER.createGenerator(out)) {
            w.write(g);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write JSON: " + e.getMessage(), e);
        }
        return out.toByteArray();
    }

    /** Writes one JSON document with a generator. */
    interface Writer {
        void write(JsonGenerator g) throws IOException;
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
