package io.thingflux.serial.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits AT parameter lists ({@code 0,"a,b",1883}) into fields, keeping whether each was quoted;
 * and checks strings that are to be sent inside quotes (no {@code "}, CR, LF or NUL: Quectel has no
 * escape).
 */
public final class AtFields {

    private AtFields() {}

    /** One parameter: its text without quotes, and whether it was quoted. */
    public record Field(String value, boolean quoted) {
        /**
         * The value as an int; {@link NumberFormatException} when it is not one (or was quoted).
         */
        public int asInt() {
            if (quoted) {
                throw new NumberFormatException("quoted: " + value);
            }
            return Integer.parseInt(value.trim());
        }
    }

    /**
     * Splits {@code params} at commas outside quotes.
     *
     * @throws IllegalArgumentException when a quote is not closed
     */
    public static List<Field> split(String params) {
        List<Field> out = new ArrayList<>();
        if (params.isEmpty()) {
            return out;
        }
        int i = 0;
        int n = params.length();
        while (true) {
            while (i < n && params.charAt(i) == ' ') {
                i++;
            }
            if (i < n && params.charAt(i) == '"') {
                int close = params.indexOf('"', i + 1);
                if (close < 0) {
                    throw new IllegalArgumentException("unclosed quote");
                }
                out.add(new Field(params.substring(i + 1, close), true));
                i = close + 1;
                while (i < n && params.charAt(i) == ' ') {
                    i++;
                }
                if (i < n && params.charAt(i) != ',') {
                    throw new IllegalArgumentException("text after a quoted field");
                }
            } else {
                int comma = params.indexOf(',', i);
                int end = comma < 0 ? n : comma;
                out.add(new Field(params.substring(i, end).trim(), false));
                i = end;
            }
            if (i >= n) {
                return out;
            }
            i++; // the comma
            if (i == n) {
                out.add(new Field("", false));
                return out;
            }
        }
    }

    /** The ints of an all-numeric parameter list such as {@code 0,1,0,1}. */
    public static int[] ints(String params) {
        List<Field> f = split(params);
        int[] out = new int[f.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = f.get(i).asInt();
        }
        return out;
    }

    /** Why {@code value} cannot go inside an AT string parameter, or null when it can. */
    public static String quotingProblem(String value) {
        if (value == null) {
            return "is missing";
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"' || c == '\r' || c == '\n' || c == 0) {
                return "contains "
                        + (c == '"' ? "a quote" : c == 0 ? "NUL" : "a line end")
                        + " (AT string parameters cannot escape it)";
            }
        }
        return null;
    }
}
