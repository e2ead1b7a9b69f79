package io.thingflux.serial.at;

import java.util.OptionalInt;

/** The module answered a command with {@code ERROR}, {@code +CME ERROR} or {@code +CMS ERROR}. */
public final class AtCommandException extends AtException {

    /** Which final result code failed the command. */
    public enum Kind {
        ERROR,
        CME_ERROR,
        CMS_ERROR
    }

    private final Kind kind;
    private final String detail;
    private final Integer code;

    public AtCommandException(String command, Kind kind, String detail) {
        super(
                command,
                command
                        + " failed: "
                        + (kind == Kind.ERROR
                                ? "ERROR"
                                : (kind == Kind.CME_ERROR ? "+CME ERROR: " : "+CMS ERROR: ")
                                        + detail));
        this.kind = kind;
        this.detail = detail;
        Integer c = null;
        if (detail != null) {
            try {
                c = Integer.valueOf(detail.trim());
            } catch (NumberFormatException e) {
                c = null; // verbose form (CMEE=2)
            }
        }
        this.code = c;
    }

    /** Parses a final result line ({@code ERROR}, {@code +CME ERROR: n}, {@code +CMS ERROR: n}). */
    static AtCommandException of(String command, String finalLine) {
        if (finalLine.startsWith("+CME ERROR:")) {
            return new AtCommandException(command, Kind.CME_ERROR, finalLine.substring(11).trim());
        }
        if (finalLine.startsWith("+CMS ERROR:")) {
            return new AtCommandException(command, Kind.CMS_ERROR, finalLine.substring(11).trim());
        }
        return new AtCommandException(command, Kind.ERROR, null);
    }

    public Kind kind() {
        return kind;
    }

    /** The numeric CME/CMS code (e.g. 10 SIM not inserted), when the module gave a number. */
    public OptionalInt code() {
        return code == null ? OptionalInt.empty() : OptionalInt.of(code);
    }

    /**
     * The text after {@code +CME ERROR:} / {@code +CMS ERROR:} (a number or, with CMEE=2, words).
     */
    public String detail() {
        return detail;
    }
}
