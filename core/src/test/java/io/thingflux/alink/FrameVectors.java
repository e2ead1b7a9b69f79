package io.thingflux.alink;

import io.thingflux.aliyun.AliyunSignVectors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads {@code shared/vectors/mqtt-frames.txt} and takes PUBLISH frames apart by hand (no codec in
 * core).
 */
final class FrameVectors {

    /**
     * The {@code shared/vectors} folder above the module (beside the main checkout or a worktree's
     * parent).
     */
    static final Path VECTORS = AliyunSignVectors.vectorsDir();

    private FrameVectors() {}

    /** Frame name to its bytes. */
    static Map<String, byte[]> frames() {
        List<String> lines;
        try {
            lines = Files.readAllLines(VECTORS.resolve("mqtt-frames.txt"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, byte[]> frames = new LinkedHashMap<>();
        String name = null;
        for (String line : lines) {
            if (line.startsWith("frame: ")) {
                name = line.substring("frame: ".length()).trim();
            } else if (line.startsWith("hex: ") && name != null) {
                frames.put(
                        name,
                        HexFormat.ofDelimiter(" ")
                                .parseHex(line.substring("hex: ".length()).trim()));
            }
        }
        return frames;
    }

    /** A PUBLISH frame's topic and payload. */
    record Publish(String topic, byte[] payload, int qos) {
        String payloadAsString() {
            return new String(payload, StandardCharsets.UTF_8);
        }
    }

    static Publish publish(String frameName) {
        byte[] f = frames().get(frameName);
        if (f == null || (f[0] & 0xF0) != 0x30) {
            throw new IllegalArgumentException(frameName + " is not a PUBLISH vector");
        }
        int qos = (f[0] >> 1) & 3;
        int i = 1;
        int remaining = 0;
        int shift = 0;
        int b;
        do {
            b = f[i++] & 0xFF;
            remaining |= (b & 0x7F) << shift;
            shift += 7;
        } while ((b & 0x80) != 0);
        int end = i + remaining;
        int topicLength = ((f[i] & 0xFF) << 8) | (f[i + 1] & 0xFF);
        i += 2;
        String topic = new String(f, i, topicLength, StandardCharsets.UTF_8);
        i += topicLength;
        if (qos > 0) {
            i += 2;
        }
        byte[] payload = java.util.Arrays.copyOfRange(f, i, end);
        return new Publish(topic, payload, qos);
    }
}
