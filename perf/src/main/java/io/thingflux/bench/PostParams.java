package io.thingflux.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The properties every simulated device posts: a temperature and a padding string sized so that the
 * whole Alink request ({@code {"id":...,"version":"1.0","params":{...},"method":...}}) is about the
 * requested number of bytes. One immutable map is shared by all posts of a run.
 */
public final class PostParams {

    /** The padding property's identifier. */
    public static final String PAD_PROPERTY = "Pad";

    /** The property a downlink's sequence number travels in. */
    public static final String DOWNLINK_SEQ_PROPERTY = "BenchSeq";

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private PostParams() {}

    /** Params whose Alink property post, with a 10-digit id, is {@code payloadBytes} long. */
    public static Map<String, Object> sized(int payloadBytes) {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("Temperature", 21.5);
        params.put(PAD_PROPERTY, "");
        int overhead = alinkPost("4294967295", params).length;
        params.put(PAD_PROPERTY, "x".repeat(Math.max(1, payloadBytes - overhead)));
        return Map.copyOf(params);
    }

    /** The Alink property post request for {@code id} and {@code params}, as UTF-8 JSON. */
    public static byte[] alinkPost(String id, Map<String, ?> params) {
        Map<String, Object> req = new LinkedHashMap<>();
        req.put("id", id);
        req.put("version", "1.0");
        req.put("params", params);
        req.put("method", "thing.event.property.post");
        try {
            return MAPPER.writeValueAsBytes(req);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("params cannot be written as JSON", e);
        }
    }
}
