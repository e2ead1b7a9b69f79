package io.thingflux.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Puts a binary payload into a JSON object: as text when it is valid UTF-8, else as base64 with
 * {@code "encoding":"base64"}.
 */
final class PayloadJson {

    private PayloadJson() {}

    /**
     * Sets {@code field} of {@code node} to the payload, and {@code encoding} when it is base64.
     */
    public static ObjectNode put(ObjectNode node, String field, byte[] payload) {
        String text = utf8(payload);
        if (text != null) {
            node.put(field, text);
        } else {
            node.put(field, Base64.getEncoder().encodeToString(payload));
            node.put("encoding", "base64");
        }
        return node;
    }

    /**
     * The payload as text when it is valid UTF-8 (strictly: malformed or unmappable input is
     * refused), else {@code null}.
     */
    static String utf8(byte[] payload) {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(payload))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
