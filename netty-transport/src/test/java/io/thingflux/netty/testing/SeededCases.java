package io.thingflux.netty.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Runs a property over generated cases from a fixed seed, in a plain JUnit test: case {@code i} is
 * generated from its own {@link SplittableRandom} derived from the seed and {@code i}, so a failure
 * names the seed and the case index, and {@code -Dthingflux.case=i} re-runs that one case alone.
 *
 * <p>Also holds the few generator helpers the codec tests share: a weighted choice, and integers
 * and sizes that land on the ends of their range now and then (empty lists, maximum lengths,
 * boundary values), as a property library's edge-case mixing would.
 */
public final class SeededCases {

    /** System property that restricts a run to one case index, to reproduce a failure. */
    public static final String CASE_PROPERTY = "thingflux.case";

    private SeededCases() {}

    /**
     * Generates {@code cases} values with {@code generator} and checks each with {@code property}.
     * A failing case is reported as an {@link AssertionError} naming the seed, the case index and
     * the generated value.
     */
    public static <T> void check(
            long seed,
            int cases,
            Function<SplittableRandom, ? extends T> generator,
            Consumer<? super T> property) {
        String only = System.getProperty(CASE_PROPERTY);
        int from = only == null ? 0 : Integer.parseInt(only);
        int to = only == null ? cases : from + 1;
        for (int i = from; i < to; i++) {
            T value = generator.apply(random(seed, i));
            try {
                property.accept(value);
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError(
                        "seed 0x"
                                + Long.toHexString(seed).toUpperCase(Locale.ROOT)
                                + ", case "
                                + i
                                + " of "
                                + cases
                                + " (re-run alone with -D"
                                + CASE_PROPERTY
                                + "="
                                + i
                                + "): "
                                + abbreviate(String.valueOf(value)),
                        e);
            }
        }
    }

    /**
     * The random source of case {@code index} under {@code seed}, independent of every other case.
     */
    public static SplittableRandom random(long seed, int index) {
        return new SplittableRandom(new SplittableRandom(seed * 31 + index).nextLong());
    }

    /** An index into {@code weights}, chosen with probability proportional to its weight. */
    public static int weighted(SplittableRandom random, int... weights) {
        int total = 0;
        for (int w : weights) {
            total += w;
        }
        int pick = random.nextInt(total);
        for (int i = 0; i < weights.length; i++) {
            pick -= weights[i];
            if (pick < 0) {
                return i;
            }
        }
        throw new IllegalStateException("unreachable");
    }

    /**
     * An integer in {@code [min, max]}: one time in ten {@code min} or {@code max} itself,
     * otherwise uniform.
     */
    public static int between(SplittableRandom random, int min, int max) {
        int edge = random.nextInt(20);
        if (edge == 0) {
            return min;
        }
        if (edge == 1) {
            return max;
        }
        return (int) random.nextLong(min, (long) max + 1);
    }

    /**
     * {@code min..max} elements made by {@code element}, the ends of the size range included now
     * and then.
     */
    public static <T> List<T> list(
            SplittableRandom random,
            int min,
            int max,
            Function<SplittableRandom, ? extends T> element) {
        int n = between(random, min, max);
        List<T> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(element.apply(random));
        }
        return out;
    }

    /** One of {@code values}, uniformly. */
    @SafeVarargs
    public static <T> T oneOf(SplittableRandom random, T... values) {
        return values[random.nextInt(values.length)];
    }

    /** {@code n} random bytes. */
    public static byte[] bytes(SplittableRandom random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private static String abbreviate(String s) {
        return s.length() <= 2_000
                ? s
                : s.substring(0, 2_000) + "... (" + s.length() + " characters)";
    }
}
