package io.thingflux.emulator.ec600s;

import io.thingflux.serial.internal.AtFields;
import io.thingflux.serial.internal.AtFields.Field;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Locale;

/**
 * The last command lines the emulated module received, oldest first, with their secrets masked: the
 * password of {@code AT+QMTCONN}, the device secret of {@code AT+QMTCFG="aliauth"} and the APN
 * password of {@code AT+QICSGP}. Holds at most {@code capacity} lines; when full, the oldest line
 * is dropped for each new one. Used on the module thread only.
 */
final class CommandHistory {

    /** What a secret is replaced with. */
    static final String MASK = "***";

    private final int capacity;
    private final ArrayDeque<String> lines;

    CommandHistory(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1: " + capacity);
        }
        this.capacity = capacity;
        this.lines = new ArrayDeque<>(capacity);
    }

    /** Records a received command line (stripped), masked; drops the oldest line when full. */
    void add(String commandLine) {
        if (lines.size() == capacity) {
            lines.removeFirst();
        }
        lines.addLast(masked(commandLine));
    }

    void clear() {
        lines.clear();
    }

    /** The recorded lines, oldest first. */
    List<String> snapshot() {
        return List.copyOf(lines);
    }

    /**
     * The command with its secret parameters replaced by {@link #MASK}; a command that carries
     * secrets but does not parse keeps only its name ({@code AT+QMTCONN=...}).
     */
    static String masked(String cmd) {
        int eq = cmd.indexOf('=');
        if (eq < 0) {
            return cmd;
        }
        String name = cmd.substring(0, eq).toUpperCase(Locale.ROOT);
        List<Field> p;
        try {
            p = AtFields.split(cmd.substring(eq + 1));
        } catch (RuntimeException e) {
            return carriesSecrets(name) ? cmd.substring(0, eq + 1) + "..." : cmd;
        }
        int secret =
                switch (name) {
                    case "AT+QMTCONN" -> 3; // idx,"client id","user","password"
                    case "AT+QICSGP" -> 4; // cid,type,"apn","user","password",auth
                    case "AT+QMTCFG" ->
                            !p.isEmpty() && p.get(0).value().equalsIgnoreCase("aliauth")
                                    ? 4
                                    : -1; // "aliauth",idx,"pk","dn","secret"
                    default -> -1;
                };
        // everything from the secret up to the fields that follow it (QICSGP's auth) is masked as
        // one, so a secret that contained "," cannot show up in the next field
        int after = name.equals("AT+QICSGP") && p.size() > secret + 1 ? 1 : 0;
        if (secret < 0 || secret >= p.size() - after) {
            return cmd;
        }
        StringBuilder sb = new StringBuilder(cmd.substring(0, eq + 1));
        for (int i = 0; i < p.size(); i++) {
            if (i > secret && i < p.size() - after) {
                continue;
            }
            if (i > 0) {
                sb.append(',');
            }
            Field f = p.get(i);
            String value = i == secret ? MASK : f.value();
            sb.append(f.quoted() || i == secret ? "\"" + value + "\"" : value);
        }
        return sb.toString();
    }

    private static boolean carriesSecrets(String name) {
        return name.equals("AT+QMTCONN") || name.equals("AT+QICSGP") || name.equals("AT+QMTCFG");
    }
}
