package io.thingflux.aliyun;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The cases of {@code shared/vectors/aliyun-sign.txt}, each a map of its {@code key: value} lines.
 */
public final class AliyunSignVectors {

    /**
     * One case: its name and fields, in file order; an empty value (e.g. {@code timestamp:}) is "".
     */
    public record SignCase(String name, Map<String, String> fields) {
        public String get(String key) {
            String v = fields.get(key);
            if (v == null) {
                throw new IllegalStateException("case " + name + " has no " + key);
            }
            return v;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private AliyunSignVectors() {}

    /** The {@code shared/vectors} folder: the first one found walking up from {@code user.dir}. */
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

    public static List<SignCase> all() {
        List<String> lines;
        try {
            lines = Files.readAllLines(vectorsDir().resolve("aliyun-sign.txt"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<SignCase> cases = new ArrayList<>();
        String name = null;
        Map<String, String> fields = null;
        for (String line : lines) {
            if (line.startsWith("#") || line.isBlank()) {
                continue;
            }
            int colon = line.indexOf(':');
            if (colon < 0) {
                throw new IllegalStateException("unexpected line in aliyun-sign.txt: " + line);
            }
            String key = line.substring(0, colon).trim();
            String value = line.substring(colon + 1).trim();
            if (key.equals("case")) {
                name = value;
                fields = new LinkedHashMap<>();
                cases.add(new SignCase(name, fields));
            } else if (fields == null) {
                throw new IllegalStateException("field before the first case: " + line);
            } else {
                fields.put(key, value);
            }
        }
        return cases;
    }
}
