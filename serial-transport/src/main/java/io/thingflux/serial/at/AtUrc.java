package io.thingflux.serial.at;

import java.util.Objects;

/**
 * An unsolicited result code (or any line no command claimed): its text and, for a length-counted
 * line such as {@code +QMTRECV}, the raw payload.
 *
 * @param line the line, or for a payload line its header up to the payload's opening quote
 * @param payload the raw payload, or {@code null} when the line carried none; not copied
 */
public record AtUrc(String line, byte[] payload) {

    public AtUrc {
        Objects.requireNonNull(line, "line");
    }

    /** A URC without payload. */
    public static AtUrc of(String line) {
        return new AtUrc(line, null);
    }

    /** Whether the line starts with {@code prefix}, e.g. {@code "+QMTSTAT:"}. */
    public boolean is(String prefix) {
        return line.startsWith(prefix);
    }

    /**
     * The text after {@code prefix} and any following spaces, or {@code null} when it does not
     * start with it.
     */
    public String after(String prefix) {
        if (!line.startsWith(prefix)) {
            return null;
        }
        int i = prefix.length();
        while (i < line.length() && line.charAt(i) == ' ') {
            i++;
        }
        return line.substring(i);
    }

    @Override
    public String toString() {
        return payload == null
                ? "AtUrc[" + line + "]"
                : "AtUrc[" + line + " <" + payload.length + " bytes>]";
    }
}
