package io.thingflux.netty.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The real MQTT frames of {@code shared/vectors/mqtt-frames.txt}, exchanged with the Aliyun IoT
 * Platform, parsed into name → bytes (in file order).
 */
public final class SeedFrames {

    /** One frame: its name, direction ({@code C>S} or {@code S>C}), meaning text and bytes. */
    public record Frame(String name, String direction, String meaning, byte[] bytes) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static final Map<String, Frame> FRAMES = load();

    private SeedFrames() {}

    /** The {@code shared/vectors} folder beside the repository root. */
    public static Path vectorsDir() {
        Path dir = Paths.get(System.getProperty("user.dir")).toAbsolutePath();
        for (Path p = dir; p != null; p = p.getParent()) {
            Path candidate = p.resolve("shared").resolve("vectors");
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("shared/vectors not found above " + dir);
    }

    public static List<Frame> all() {
        return new ArrayList<>(FRAMES.values());
    }

    public static Frame get(String name) {
        Frame f = FRAMES.get(name);
        if (f == null) {
            throw new IllegalArgumentException("no seed frame named " + name);
        }
        return f;
    }

    public static byte[] bytes(String name) {
        return get(name).bytes().clone();
    }

    private static Map<String, Frame> load() {
        List<String> lines;
        try {
            lines = Files.readAllLines(vectorsDir().resolve("mqtt-frames.txt"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, Frame> frames = new LinkedHashMap<>();
        String name = null;
        String direction = null;
        StringBuilder meaning = new StringBuilder();
        boolean inMeaning = false;
        for (String line : lines) {
            if (line.startsWith("frame: ")) {
                name = line.substring(7).trim();
                direction = null;
                meaning.setLength(0);
                inMeaning = false;
            } else if (line.startsWith("direction: ")) {
                direction = line.substring(11).trim();
                inMeaning = false;
            } else if (line.startsWith("meaning: ")) {
                meaning.append(line.substring(9).trim());
                inMeaning = true;
            } else if (line.startsWith("hex: ")) {
                byte[] bytes = HexFormat.of().parseHex(line.substring(5).trim().replace(" ", ""));
                frames.put(name, new Frame(name, direction, meaning.toString(), bytes));
                inMeaning = false;
            } else if (inMeaning && line.startsWith("  ")) {
                meaning.append(' ').append(line.trim());
            }
        }
        return frames;
    }
}
