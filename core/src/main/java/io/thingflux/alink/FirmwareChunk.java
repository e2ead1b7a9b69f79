package io.thingflux.alink;

/**
 * A piece of a file being downloaded, in order.
 *
 * @param offset where {@code bytes} start in the file
 * @param bytes the piece (owned by the receiver)
 * @param size the whole file's announced size
 */
public record FirmwareChunk(long offset, byte[] bytes, long size) {

    /** The bytes received so far, this piece included, in percent of {@code size} (0..100). */
    public int percent() {
        return size <= 0 ? 0 : (int) Math.min(100, (offset + bytes.length) * 100 / size);
    }

    @Override
    public String toString() {
        return "FirmwareChunk[offset="
                + offset
                + ", length="
                + bytes.length
                + ", size="
                + size
                + "]";
    }
}
