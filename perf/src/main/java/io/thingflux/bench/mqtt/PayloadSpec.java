package io.thingflux.bench.mqtt;

import java.util.SplittableRandom;

/**
 * What a bench publisher sends: a fixed-size payload (zeros), random bytes, or a {@link
 * PayloadTemplate}; with {@code header} (the default) a {@link BenchHeader} goes in front, which
 * subscribers need for latency, loss and duplicates. A fixed or random size includes the header.
 *
 * @param kind fixed, random or template
 * @param size the payload's size in bytes (fixed and random)
 * @param template the template (template only)
 * @param header whether the bench header goes in front
 */
public record PayloadSpec(Kind kind, int size, PayloadTemplate template, boolean header) {

    /** The default payload: 256 fixed bytes with the header. */
    public static final PayloadSpec DEFAULT = new PayloadSpec(Kind.FIXED, 256, null, true);

    /** The largest payload the bench makes. */
    public static final int MAX_SIZE = 256 * 1024 * 1024 - 1;

    /** How the body is made. */
    public enum Kind {
        FIXED,
        RANDOM,
        TEMPLATE
    }

    public PayloadSpec {
        if (kind == Kind.TEMPLATE && template == null) {
            throw new IllegalArgumentException("a template payload needs a template");
        }
        if (kind != Kind.TEMPLATE && (size < 0 || size > MAX_SIZE)) {
            throw new IllegalArgumentException("payload size must be 0.." + MAX_SIZE);
        }
    }

    /**
     * Parses the command line's form: {@code fixed:N}, {@code random:N} or {@code template:TEXT}.
     *
     * @throws IllegalArgumentException saying what is wrong
     */
    public static PayloadSpec parse(String text, boolean header) {
        int colon = text.indexOf(':');
        String kind = colon < 0 ? text : text.substring(0, colon);
        String arg = colon < 0 ? "" : text.substring(colon + 1);
        try {
            return switch (kind) {
                case "fixed" -> new PayloadSpec(Kind.FIXED, Integer.parseInt(arg), null, header);
                case "random" -> new PayloadSpec(Kind.RANDOM, Integer.parseInt(arg), null, header);
                case "template" ->
                        new PayloadSpec(Kind.TEMPLATE, 0, PayloadTemplate.parse(arg), header);
                default ->
                        throw new IllegalArgumentException(
                                "payload must be fixed:N, random:N or template:TEXT, was '"
                                        + text
                                        + "'");
            };
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("payload size is not a number: '" + arg + "'");
        }
    }

    /** One message's payload. */
    public byte[] make(
            int stage,
            int qos,
            int publisher,
            long seq,
            long scheduledEpochMicros,
            String device,
            SplittableRandom random) {
        int h = header ? BenchHeader.LENGTH : 0;
        byte[] out;
        switch (kind) {
            case TEMPLATE -> {
                byte[] body =
                        template.render(
                                new PayloadTemplate.Context(
                                        seq, scheduledEpochMicros / 1000, device, publisher),
                                random);
                out = new byte[h + body.length];
                System.arraycopy(body, 0, out, h, body.length);
            }
            case RANDOM -> {
                out = new byte[Math.max(h, size)];
                for (int i = h; i < out.length; i++) {
                    out[i] = (byte) random.nextInt(256);
                }
            }
            default -> out = new byte[Math.max(h, size)];
        }
        if (header) {
            BenchHeader.write(out, stage, qos, publisher, seq, scheduledEpochMicros);
        }
        return out;
    }
}
