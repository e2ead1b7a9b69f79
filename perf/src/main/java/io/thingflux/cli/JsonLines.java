package io.thingflux.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.Objects;

/**
 * Writes JSON objects to the command's standard output, one per line, flushed per line, from any
 * thread (lines never interleave).
 */
final class JsonLines {

    /** The mapper the CLI writes and reads JSON with. */
    public static final ObjectMapper MAPPER = new ObjectMapper();

    private final PrintWriter out;

    public JsonLines(PrintWriter out) {
        this.out = Objects.requireNonNull(out, "out");
    }

    /** A new empty object to fill and {@link #write}. */
    public static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    /** Writes {@code line} as one line of compact JSON and flushes. */
    public void write(ObjectNode line) {
        String text;
        try {
            text = MAPPER.writeValueAsString(line);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree that cannot be written", e);
        }
        synchronized (this) {
            out.println(text);
            out.flush();
        }
    }
}
