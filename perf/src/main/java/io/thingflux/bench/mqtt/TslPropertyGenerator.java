package io.thingflux.bench.mqtt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Property values for an Aliyun product's thing model (TSL, the JSON the console exports): one
 * value per read-write or read-only property, within its type's rules so that posts pass the
 * platform's checks: {@code int}, {@code float}, {@code double} between {@code min} and {@code max}
 * on the {@code step} grid, {@code bool} 0 or 1, {@code enum} one of its keys, {@code text} up to
 * its {@code length}, {@code date} a time in milliseconds as text, {@code struct} and {@code array}
 * made of these.
 */
public final class TslPropertyGenerator {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<Map.Entry<String, JsonNode>> properties;

    private TslPropertyGenerator(List<Map.Entry<String, JsonNode>> properties) {
        this.properties = List.copyOf(properties);
    }

    /**
     * Reads the TSL in {@code file}.
     *
     * @throws IllegalArgumentException when it is not a TSL with properties, naming the file
     */
    public static TslPropertyGenerator read(Path file) {
        try {
            return of(JSON.readTree(file.toFile()));
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read TSL " + file + ": " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("TSL " + file + ": " + e.getMessage());
        }
    }

    /** The generator of the TSL {@code tsl} (its {@code properties} array). */
    public static TslPropertyGenerator of(JsonNode tsl) {
        JsonNode props = tsl.path("properties");
        if (!props.isArray() || props.isEmpty()) {
            throw new IllegalArgumentException("no \"properties\" array");
        }
        List<Map.Entry<String, JsonNode>> out = new ArrayList<>();
        for (JsonNode p : props) {
            String id = p.path("identifier").asText("");
            if (id.isEmpty()) {
                throw new IllegalArgumentException("a property has no identifier");
            }
            JsonNode type = p.path("dataType");
            check(id, type);
            out.add(Map.entry(id, type));
        }
        return new TslPropertyGenerator(out);
    }

    private static void check(String id, JsonNode type) {
        String t = type.path("type").asText("");
        switch (t) {
            case "int", "float", "double", "bool", "enum", "text", "date", "struct", "array" -> {}
            default ->
                    throw new IllegalArgumentException(
                            "property " + id + ": unsupported type '" + t + "'");
        }
        if (t.equals("enum") && (!type.path("specs").isObject() || type.path("specs").isEmpty())) {
            throw new IllegalArgumentException("property " + id + ": enum without values");
        }
    }

    /** The property identifiers, in TSL order. */
    public List<String> identifiers() {
        return properties.stream().map(Map.Entry::getKey).toList();
    }

    /** One post's values, drawn from {@code random}. */
    public Map<String, Object> next(SplittableRandom random) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> p : properties) {
            out.put(p.getKey(), value(p.getValue(), random));
        }
        return out;
    }

    private static Object value(JsonNode type, SplittableRandom random) {
        JsonNode specs = type.path("specs");
        switch (type.path("type").asText()) {
            case "int" -> {
                long min = specs.path("min").asLong(0);
                long max = Math.max(min, specs.path("max").asLong(min + 100));
                long step = Math.max(1, specs.path("step").asLong(1));
                return min + step * random.nextLong((max - min) / step + 1);
            }
            case "float", "double" -> {
                double min = specs.path("min").asDouble(0);
                double max = Math.max(min, specs.path("max").asDouble(min + 100));
                double step = specs.path("step").asDouble(0.01);
                if (step <= 0) {
                    step = 0.01;
                }
                long steps = (long) Math.floor((max - min) / step);
                int scale = Math.max(0, BigDecimal.valueOf(step).stripTrailingZeros().scale());
                return BigDecimal.valueOf(min + step * random.nextLong(steps + 1))
                        .setScale(scale, RoundingMode.HALF_EVEN)
                        .doubleValue();
            }
            case "bool" -> {
                return random.nextInt(2);
            }
            case "enum" -> {
                List<String> keys = new ArrayList<>();
                specs.fieldNames().forEachRemaining(keys::add);
                return Integer.parseInt(keys.get(random.nextInt(keys.size())));
            }
            case "text" -> {
                int length = Math.max(1, specs.path("length").asInt(10));
                int n = 1 + random.nextInt(Math.min(length, 32));
                StringBuilder s = new StringBuilder(n);
                for (int i = 0; i < n; i++) {
                    s.append((char) ('a' + random.nextInt(26)));
                }
                return s.toString();
            }
            case "date" -> {
                return Long.toString(System.currentTimeMillis());
            }
            case "struct" -> {
                Map<String, Object> m = new LinkedHashMap<>();
                for (JsonNode f : specs) {
                    m.put(f.path("identifier").asText(), value(f.path("dataType"), random));
                }
                return m;
            }
            default -> {
                int size = Math.max(1, Math.min(8, specs.path("size").asInt(1)));
                List<Object> l = new ArrayList<>(size);
                for (int i = 0; i < size; i++) {
                    l.add(value(specs.path("item"), random));
                }
                return l;
            }
        }
    }
}
