package io.thingflux.bench.mqtt;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * A payload template: text with placeholders, checked when it is parsed. A placeholder is a
 * {@code {} directly followed by a lower-case word and {@code }} or {@code :}; any other {@code {}
 * is literal text, so JSON templates need no escaping. Placeholders:
 *
 * <ul>
 *   <li>{@code {seq}}: the message's sequence number of its publisher (0, 1, ...)
 *   <li>{@code {ts}}: its scheduled send time, milliseconds since the epoch
 *   <li>{@code {device}}: the publisher's client id (an Aliyun device's name)
 *   <li>{@code {client}}: the publisher's index in the run
 *   <li>{@code {int:MIN:MAX}}: a random integer in [MIN, MAX]
 *   <li>{@code {float:MIN:MAX}} or {@code {float:MIN:MAX:DECIMALS}}: a random number in [MIN, MAX)
 *       with DECIMALS (default 2) decimals
 * </ul>
 */
public final class PayloadTemplate {

    private sealed interface Part {}

    private record Literal(String text) implements Part {}

    private record Field(String name) implements Part {}

    private record RandomInt(long min, long max) implements Part {}

    private record RandomFloat(double min, double max, int decimals) implements Part {}

    private final String source;
    private final List<Part> parts;

    private PayloadTemplate(String source, List<Part> parts) {
        this.source = source;
        this.parts = List.copyOf(parts);
    }

    /** What one rendering knows about its message. */
    public record Context(long seq, long epochMillis, String device, int client) {}

    /**
     * Parses {@code text}.
     *
     * @throws IllegalArgumentException naming the column (from 1) of the first bad placeholder
     */
    public static PayloadTemplate parse(String text) {
        List<Part> parts = new ArrayList<>();
        StringBuilder literal = new StringBuilder();
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            int wordEnd = i + 1;
            while (c == '{'
                    && wordEnd < text.length()
                    && text.charAt(wordEnd) >= 'a'
                    && text.charAt(wordEnd) <= 'z') {
                wordEnd++;
            }
            boolean placeholder =
                    c == '{'
                            && wordEnd > i + 1
                            && wordEnd < text.length()
                            && (text.charAt(wordEnd) == '}' || text.charAt(wordEnd) == ':');
            if (c == '{' && wordEnd > i + 1 && wordEnd == text.length()) {
                throw error(i, "placeholder {" + text.substring(i + 1, wordEnd) + " is not closed");
            }
            if (!placeholder) {
                literal.append(c);
                i++;
                continue;
            }
            int close = text.indexOf('}', wordEnd);
            if (close < 0) {
                throw error(i, "placeholder {" + text.substring(i + 1, wordEnd) + " is not closed");
            }
            if (literal.length() > 0) {
                parts.add(new Literal(literal.toString()));
                literal.setLength(0);
            }
            parts.add(placeholder(text.substring(i + 1, close), i));
            i = close + 1;
        }
        if (literal.length() > 0) {
            parts.add(new Literal(literal.toString()));
        }
        return new PayloadTemplate(text, parts);
    }

    private static Part placeholder(String body, int at) {
        String[] f = body.split(":", -1);
        try {
            switch (f[0]) {
                case "seq", "ts", "device", "client" -> {
                    if (f.length != 1) {
                        throw error(at, "{" + f[0] + "} takes no arguments");
                    }
                    return new Field(f[0]);
                }
                case "int" -> {
                    if (f.length != 3) {
                        throw error(at, "write {int:MIN:MAX}, was {" + body + "}");
                    }
                    long min = Long.parseLong(f[1].trim());
                    long max = Long.parseLong(f[2].trim());
                    if (min > max) {
                        throw error(at, "{" + body + "}: MIN is above MAX");
                    }
                    return new RandomInt(min, max);
                }
                case "float" -> {
                    if (f.length != 3 && f.length != 4) {
                        throw error(at, "write {float:MIN:MAX} or {float:MIN:MAX:DECIMALS}");
                    }
                    double min = Double.parseDouble(f[1].trim());
                    double max = Double.parseDouble(f[2].trim());
                    int decimals = f.length == 4 ? Integer.parseInt(f[3].trim()) : 2;
                    if (!(min <= max) || decimals < 0 || decimals > 15) {
                        throw error(at, "{" + body + "}: MIN must be <= MAX, DECIMALS 0..15");
                    }
                    return new RandomFloat(min, max, decimals);
                }
                default ->
                        throw error(
                                at,
                                "unknown placeholder {"
                                        + f[0]
                                        + "} (known: seq, ts, device, client, int, float)");
            }
        } catch (NumberFormatException e) {
            throw error(at, "{" + body + "}: not a number: " + e.getMessage());
        }
    }

    private static IllegalArgumentException error(int index, String message) {
        return new IllegalArgumentException("template column " + (index + 1) + ": " + message);
    }

    /** The text the template was parsed from. */
    public String source() {
        return source;
    }

    /** Renders one message's payload as UTF-8. */
    public byte[] render(Context ctx, SplittableRandom random) {
        StringBuilder out = new StringBuilder(source.length() + 16);
        for (Part p : parts) {
            if (p instanceof Literal l) {
                out.append(l.text());
            } else if (p instanceof Field f) {
                switch (f.name()) {
                    case "seq" -> out.append(ctx.seq());
                    case "ts" -> out.append(ctx.epochMillis());
                    case "device" -> out.append(ctx.device());
                    default -> out.append(ctx.client());
                }
            } else if (p instanceof RandomInt r) {
                out.append(r.min() == r.max() ? r.min() : random.nextLong(r.min(), r.max() + 1));
            } else if (p instanceof RandomFloat r) {
                double v = r.min() == r.max() ? r.min() : random.nextDouble(r.min(), r.max());
                out.append(String.format(Locale.ROOT, "%." + r.decimals() + "f", v));
            }
        }
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }
}
