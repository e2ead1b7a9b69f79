package io.thingflux.bench;

/**
 * The slice of a run one process simulates: shard {@code index} of {@code count}, written {@code
 * i/n} on the command line ({@code 0/1} is the whole run). Every shard runs the same options; each
 * takes a contiguous block of the devices and its share of the connect and downlink rates, so the
 * same command line with only {@code --shard} changed spreads one run over several processes or
 * machines.
 */
public record Shard(int index, int count) {

    /** The whole run in one process. */
    public static final Shard WHOLE = new Shard(0, 1);

    public Shard {
        if (count < 1) {
            throw new IllegalArgumentException("shard count must be at least 1, was " + count);
        }
        if (index < 0 || index >= count) {
            throw new IllegalArgumentException(
                    "shard index must be 0.." + (count - 1) + ", was " + index);
        }
    }

    /**
     * Parses {@code i/n}.
     *
     * @throws IllegalArgumentException with the accepted form when {@code text} is not one
     */
    public static Shard parse(String text) {
        int slash = text == null ? -1 : text.indexOf('/');
        if (slash <= 0 || slash == text.length() - 1) {
            throw new IllegalArgumentException(
                    "'" + text + "' is not a shard: write i/n, e.g. 0/4 for the first of four");
        }
        try {
            return new Shard(
                    Integer.parseInt(text.substring(0, slash).trim()),
                    Integer.parseInt(text.substring(slash + 1).trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "'" + text + "' is not a shard: write i/n, e.g. 0/4 for the first of four");
        }
    }

    /** The first device index (inclusive) of this shard out of {@code total}. */
    public int first(int total) {
        return (int) ((long) total * index / count);
    }

    /** The end device index (exclusive) of this shard out of {@code total}. */
    public int end(int total) {
        return (int) ((long) total * (index + 1) / count);
    }

    /** How many of {@code total} devices this shard simulates. */
    public int size(int total) {
        return end(total) - first(total);
    }

    /** This shard's share of a whole-run rate. */
    public double share(double rate) {
        return rate / count;
    }

    @Override
    public String toString() {
        return index + "/" + count;
    }
}
