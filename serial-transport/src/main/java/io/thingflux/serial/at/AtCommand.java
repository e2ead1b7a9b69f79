package io.thingflux.serial.at;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * One AT command as {@link AtChannel} executes it: the command line (sent with a CR), its timeout,
 * an optional data block written after the {@code > } prompt, which lines belong to its response,
 * and an optional result URC to wait for after {@code OK}.
 *
 * <p>Immutable; build with {@link #builder(String)} or {@link #of(String)}.
 */
public final class AtCommand {

    /** The final-result timeout of ordinary commands (Quectel: 300 ms). */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMillis(300);

    /** How a data block after the prompt ends. */
    public enum DataEnd {
        /** Exactly the counted bytes, nothing after (QMTPUBEX / QMTPUB with a length). */
        COUNTED,
        /** The bytes then Ctrl+Z (0x1A), text only. */
        CTRL_Z
    }

    private static final byte CTRL_Z = 0x1A;

    private final String text;
    private final Duration timeout;
    private final byte[] data;
    private final DataEnd dataEnd;
    private final Predicate<String> responseLine;
    private final Predicate<AtUrc> resultUrc;
    private final Duration resultTimeout;
    private final boolean sensitive;
    private final String infoPrefix;

    private AtCommand(Builder b) {
        this.text = b.text;
        this.timeout = b.timeout;
        this.data = b.data;
        this.dataEnd = b.dataEnd;
        this.resultUrc = b.resultUrc;
        this.resultTimeout = b.resultTimeout;
        this.sensitive = b.sensitive;
        this.infoPrefix = infoPrefixOf(text);
        this.responseLine = b.responseLine != null ? b.responseLine : defaultResponseLine();
    }

    /** A command with the default timeout and response rule. */
    public static AtCommand of(String text) {
        return builder(text).build();
    }

    public static Builder builder(String text) {
        return new Builder(text);
    }

    /**
     * {@code +CPIN:} for {@code AT+CPIN?}, {@code +QMTCFG:} for {@code AT+QMTCFG="x",0}; null for
     * basic commands.
     */
    static String infoPrefixOf(String text) {
        if (text.length() < 3 || !(text.charAt(2) == '+')) {
            return null;
        }
        int end = 3;
        while (end < text.length()
                && (Character.isLetterOrDigit(text.charAt(end)) || text.charAt(end) == '&')) {
            end++;
        }
        return text.substring(2, end) + ":";
    }

    private Predicate<String> defaultResponseLine() {
        // with a result URC expected, lines of the same prefix are that URC, never the response
        if (infoPrefix == null) {
            return line -> !line.startsWith("+");
        }
        if (resultUrc != null) {
            return line -> false;
        }
        return line -> line.startsWith(infoPrefix) || !line.startsWith("+");
    }

    /** The command line without the CR. */
    public String text() {
        return text;
    }

    public Duration timeout() {
        return timeout;
    }

    /** The command line with its CR, as written. */
    byte[] lineBytes() {
        return (text + "\r").getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    /** The data block to write at the prompt (with its Ctrl+Z when so ended), or null. */
    byte[] dataBytes() {
        if (data == null) {
            return null;
        }
        if (dataEnd == DataEnd.COUNTED) {
            return data;
        }
        byte[] out = java.util.Arrays.copyOf(data, data.length + 1);
        out[data.length] = CTRL_Z;
        return out;
    }

    boolean hasData() {
        return data != null;
    }

    boolean isResponseLine(String line) {
        return responseLine.test(line);
    }

    Predicate<AtUrc> resultUrc() {
        return resultUrc;
    }

    Duration resultTimeout() {
        return resultTimeout;
    }

    /**
     * The command for logs and messages: parameters replaced by {@code <redacted>} when sensitive.
     */
    public String describe() {
        if (!sensitive) {
            return text;
        }
        int eq = text.indexOf('=');
        return (eq < 0 ? text : text.substring(0, eq + 1)) + "<redacted>";
    }

    @Override
    public String toString() {
        return "AtCommand["
                + describe()
                + (data != null ? " +" + data.length + " bytes" : "")
                + "]";
    }

    /** Builds an {@link AtCommand}. */
    public static final class Builder {
        private final String text;
        private Duration timeout = DEFAULT_TIMEOUT;
        private byte[] data;
        private DataEnd dataEnd;
        private Predicate<String> responseLine;
        private Predicate<AtUrc> resultUrc;
        private Duration resultTimeout;
        private boolean sensitive;

        private Builder(String text) {
            Objects.requireNonNull(text, "text");
            if (!text.regionMatches(true, 0, "AT", 0, 2)) {
                throw new IllegalArgumentException("an AT command starts with AT");
            }
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                if (c == '\r' || c == '\n' || c == 0 || c == 0x1A || c == 0x1B) {
                    throw new IllegalArgumentException(
                            "an AT command line must not contain CR, LF, NUL, Ctrl+Z or ESC");
                }
            }
            this.text = text;
        }

        /** How long to wait for the final result (and the prompt). */
        public Builder timeout(Duration timeout) {
            this.timeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /** Data to write when the module prompts with {@code > }. */
        public Builder data(byte[] data, DataEnd end) {
            this.data = data.clone();
            this.dataEnd = Objects.requireNonNull(end, "end");
            return this;
        }

        /**
         * Which lines are this command's information response (default: its {@code +NAME:} prefix
         * and bare lines).
         */
        public Builder responseLines(Predicate<String> responseLine) {
            this.responseLine = responseLine;
            return this;
        }

        /**
         * After {@code OK}, wait up to {@code timeout} for the first URC matching {@code match}.
         * The match is armed when the command is written, so a result arriving at once is not lost.
         */
        public Builder resultUrc(Predicate<AtUrc> match, Duration timeout) {
            this.resultUrc = Objects.requireNonNull(match, "match");
            this.resultTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /** The parameters hold secrets: keep them out of logs and exception messages. */
        public Builder sensitive() {
            this.sensitive = true;
            return this;
        }

        public AtCommand build() {
            return new AtCommand(this);
        }
    }
}
