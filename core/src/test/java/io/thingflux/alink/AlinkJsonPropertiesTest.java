package io.thingflux.alink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Round trips of generated values through {@link AlinkJson}, from a seeded generator: each
 * assertion names the seed and the case, and {@code -Dthingflux.test.seed=<n>} replays or varies a
 * run.
 */
class AlinkJsonPropertiesTest {

    private static final long SEED = Long.getLong("thingflux.test.seed", 0x5EED_A11CL);
    private static final int CASES = 5_000;

    private static String text(byte[] json) {
        return new String(json, StandardCharsets.UTF_8);
    }

    /**
     * Any double, from its raw bits: every exponent (subnormals included) and all 52 mantissa bits.
     */
    private static double anyDouble(SplittableRandom random) {
        return Double.longBitsToDouble(random.nextLong());
    }

    @Test
    void everyFiniteDoubleIsWrittenWithADecimalPointOrExponentAndReadsBackExactly() {
        SplittableRandom random = new SplittableRandom(SEED);
        List<Double> values =
                new ArrayList<>(
                        List.of(
                                0.0,
                                -0.0,
                                Double.MIN_VALUE,
                                -Double.MIN_VALUE,
                                Double.MIN_NORMAL,
                                Math.nextDown(Double.MIN_NORMAL),
                                Double.MAX_VALUE,
                                -Double.MAX_VALUE,
                                1.0,
                                0.1,
                                1e-320,
                                4.9e-324,
                                1e23,
                                9007199254740993.0,
                                2.2250738585072014E-308));
        while (values.size() < CASES) {
            double d = anyDouble(random);
            if (Double.isFinite(d)) {
                values.add(d);
            }
            values.add(
                    random.nextDouble()
                            * Math.pow(10, random.nextInt(-30, 30))); // everyday magnitudes too
        }
        for (double d : values) {
            String json = text(AlinkJson.encodeValue(Map.of("v", d)));
            String number = json.substring("{\"v\":".length(), json.length() - 1);
            assertThat(number)
                    .as("seed %d, %s (bits %x)", SEED, d, Double.doubleToRawLongBits(d))
                    .containsAnyOf(".", "E");
            Object back =
                    AlinkJson.decodeObject(json.getBytes(StandardCharsets.UTF_8), "v").get("v");
            assertThat(back)
                    .as(
                            "seed %d, %s (bits %x) written %s",
                            SEED, d, Double.doubleToRawLongBits(d), number)
                    .isInstanceOf(Double.class);
            assertThat(Double.doubleToRawLongBits((Double) back))
                    .as("seed %d, %s written %s", SEED, d, number)
                    .isEqualTo(Double.doubleToRawLongBits(d));
        }
    }

    @Test
    void everyFloatIsWrittenWithTheDigitsThatReadBackAsTheSameFloat() {
        SplittableRandom random = new SplittableRandom(SEED);
        for (int i = 0; i < CASES; i++) {
            float f = Float.intBitsToFloat(random.nextInt());
            if (!Float.isFinite(f)) {
                continue;
            }
            String number = text(AlinkJson.encodeValue(f));
            assertThat(number).as("seed %d, %s", SEED, f).containsAnyOf(".", "E");
            assertThat(Float.floatToRawIntBits(Float.parseFloat(number)))
                    .as("seed %d, %s written %s", SEED, f, number)
                    .isEqualTo(Float.floatToRawIntBits(f));
            assertThat(AlinkJson.decode(number.getBytes(StandardCharsets.US_ASCII)))
                    .isInstanceOf(Double.class);
        }
    }

    @Test
    void everyNaNAndInfinityIsRefused() {
        SplittableRandom random = new SplittableRandom(SEED);
        for (int i = 0; i < CASES; i++) {
            // exponent all ones: an infinity (zero mantissa) or one of the NaNs
            double d = Double.longBitsToDouble(random.nextLong() | 0x7FF0_0000_0000_0000L);
            long bits = Double.doubleToRawLongBits(d);
            assertThatThrownBy(() -> AlinkJson.encodeValue(Map.of("v", d)))
                    .as("seed %d, bits %x", SEED, bits)
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void everyIntegerIsWrittenAsAnIntegerAndReadsBackAsTheSmallestTypeHoldingIt() {
        SplittableRandom random = new SplittableRandom(SEED);
        List<Long> values =
                new ArrayList<>(
                        List.of(
                                0L,
                                -1L,
                                1L,
                                (long) Integer.MAX_VALUE,
                                Integer.MAX_VALUE + 1L,
                                (long) Integer.MIN_VALUE,
                                Integer.MIN_VALUE - 1L,
                                Long.MAX_VALUE,
                                Long.MIN_VALUE));
        while (values.size() < CASES) {
            values.add(random.nextLong() >> random.nextInt(64)); // every magnitude
        }
        for (long l : values) {
            byte[] json = AlinkJson.encodeValue(l);
            assertThat(text(json)).as("seed %d", SEED).isEqualTo(Long.toString(l));
            Object back = AlinkJson.decode(json);
            if (l == (int) l) {
                assertThat(back).as("seed %d, %d", SEED, l).isEqualTo((int) l);
            } else {
                assertThat(back).as("seed %d, %d", SEED, l).isEqualTo(l);
            }
        }
        for (int i = 0; i < CASES / 10; i++) {
            BigInteger big =
                    new BigInteger(64 + random.nextInt(200), new Random(random.nextLong()))
                            .setBit(64);
            BigInteger value = random.nextBoolean() ? big : big.negate();
            assertThat(AlinkJson.decode(AlinkJson.encodeValue(value)))
                    .as("seed %d", SEED)
                    .isEqualTo(value);
        }
    }

    /**
     * Characters JSON treats differently: controls, quote, backslash, solidus, ASCII, BMP,
     * surrogates.
     */
    private static String anyString(SplittableRandom random) {
        return anyString(random, true);
    }

    /**
     * {@link #anyString(SplittableRandom)}, without unpaired surrogates when {@code loneSurrogates}
     * is false: an object key needs that to read back (Jackson reads a lone surrogate in a string
     * value, not in a name).
     */
    private static String anyString(SplittableRandom random, boolean loneSurrogates) {
        StringBuilder sb = new StringBuilder();
        for (int n = random.nextInt(12); n > 0; n--) {
            switch (random.nextInt(loneSurrogates ? 8 : 7)) {
                case 0 -> sb.append((char) random.nextInt(0x20));
                case 1 -> sb.append("\"\\/".charAt(random.nextInt(3)));
                case 2, 3 -> sb.append((char) random.nextInt(0x20, 0x80));
                case 4 -> sb.append((char) random.nextInt(0x80, 0x800));
                case 5 ->
                        sb.append(
                                (char)
                                        (loneSurrogates
                                                ? random.nextInt(0x800, 0x10000)
                                                : random.nextInt(0x800, 0xD800)));
                case 6 -> sb.appendCodePoint(random.nextInt(0x10000, 0x110000));
                default ->
                        sb.append(
                                (char)
                                        random.nextInt(
                                                Character.MIN_SURROGATE,
                                                Character.MAX_SURROGATE + 1));
            }
        }
        return sb.toString();
    }

    /** The JSON string RFC 8259 allows for {@code s}, with the escapes this library chooses. */
    private static String expectedJson(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\b' -> sb.append("\\b");
                case '\t' -> sb.append("\\t");
                case '\n' -> sb.append("\\n");
                case '\f' -> sb.append("\\f");
                case '\r' -> sb.append("\\r");
                default -> {
                    if (c < 0x20 || Character.isSurrogate(c)) {
                        sb.append(String.format("\\u%04X", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }

    @Test
    void everyStringIsEscapedAsRfc8259RequiresAndReadsBackEqual() {
        SplittableRandom random = new SplittableRandom(SEED);
        for (int i = 0; i < CASES; i++) {
            String s = anyString(random);
            byte[] json = AlinkJson.encodeValue(s);
            assertThat(json)
                    .as("seed %d, case %d", SEED, i)
                    .isEqualTo(expectedJson(s).getBytes(StandardCharsets.UTF_8));
            assertThat(AlinkJson.decode(json)).as("seed %d, case %d", SEED, i).isEqualTo(s);
            String key = anyString(random, false);
            assertThat(AlinkJson.decodeObject(AlinkJson.encodeValue(Map.of(key, s)), "v"))
                    .as("seed %d, case %d", SEED, i)
                    .isEqualTo(Map.of(key, s));
        }
    }

    /** A value that reads back as itself: the types {@link AlinkJson} reads. */
    private static Object anyValue(SplittableRandom random, int depth) {
        switch (random.nextInt(depth > 3 ? 7 : 9)) {
            case 0:
                return null;
            case 1:
                return random.nextBoolean();
            case 2:
                return random.nextInt();
            case 3:
                {
                    long l = random.nextLong();
                    return l == (int) l ? (Object) (int) l : (Object) l;
                }
            case 4:
                {
                    double d = anyDouble(random);
                    return Double.isFinite(d) ? d : 0.5;
                }
            case 5:
            case 6:
                return anyString(random);
            case 7:
                {
                    Map<String, Object> m = new LinkedHashMap<>();
                    for (int n = random.nextInt(5); n > 0; n--) {
                        m.put(anyString(random, false), anyValue(random, depth + 1));
                    }
                    return m;
                }
            default:
                {
                    List<Object> l = new ArrayList<>();
                    for (int n = random.nextInt(5); n > 0; n--) {
                        l.add(anyValue(random, depth + 1));
                    }
                    return l;
                }
        }
    }

    @Test
    void everyEnvelopeReadsBackWithItsFields() {
        SplittableRandom random = new SplittableRandom(SEED);
        for (int i = 0; i < CASES; i++) {
            String id = Long.toString(random.nextLong() & Long.MAX_VALUE);
            String method = anyString(random);
            Object params = anyValue(random, 0);
            Integer ack = random.nextBoolean() ? null : random.nextInt(2);
            AlinkRequest request =
                    AlinkJson.decodeRequest(AlinkJson.encodeRequest(id, method, params, ack));
            assertThat(request)
                    .as("seed %d, case %d", SEED, i)
                    .isEqualTo(
                            new AlinkRequest(
                                    id,
                                    AlinkJson.VERSION,
                                    method,
                                    params == null ? Map.of() : params,
                                    ack));
            if (ack == null) {
                assertThat(AlinkJson.requestFrame(method, params).withId(Long.parseLong(id)))
                        .as("seed %d, case %d", SEED, i)
                        .isEqualTo(AlinkJson.encodeRequest(id, method, params, null));
            }

            int code = random.nextInt();
            String message = random.nextBoolean() ? null : anyString(random);
            AlinkReply reply =
                    AlinkJson.decodeReply(AlinkJson.encodeReply(id, code, params, message));
            assertThat(reply)
                    .as("seed %d, case %d", SEED, i)
                    .isEqualTo(
                            new AlinkReply(
                                    id, code, params == null ? Map.of() : params, message, null));
        }
    }
}
