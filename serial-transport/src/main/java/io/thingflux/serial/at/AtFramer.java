package io.thingflux.serial.at;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cuts the bytes a module sends into {@link AtFrame}s: lines ended by CR LF or a lone CR (echo ends
 * with one; empty lines are skipped), the {@code > } prompt (which has no line end), and lines that
 * carry a length-counted payload, read as exactly that many raw bytes.
 *
 * <p>Which lines carry a payload is told by a {@link PayloadRule}; by default {@link
 * #QMTRECV_WITH_LENGTH}: {@code +QMTRECV: <idx>,<msgid>,"<topic>",<len>,"} followed by {@code len}
 * bytes and {@code "} CR LF.
 *
 * <p>Bounded: a line longer than {@code maxLineBytes} is discarded up to its end (and counted in
 * {@link #discardedLines()}); a counted payload longer than {@code maxPayloadBytes} is not read by
 * length but as an ordinary line. Not thread-safe: feed it from one thread.
 */
public final class AtFramer {

    private static final Logger log = LoggerFactory.getLogger(AtFramer.class);

    /** Default bound of one line. */
    public static final int DEFAULT_MAX_LINE_BYTES = 8192;

    /** Default bound of one counted payload. */
    public static final int DEFAULT_MAX_PAYLOAD_BYTES = 1 << 16;

    /** Decides whether the line read so far (ending in a quote) opens a counted payload. */
    @FunctionalInterface
    public interface PayloadRule {
        /**
         * The payload length that follows {@code partialLine}, or -1 when it is not such a line
         * (yet).
         */
        int payloadLength(String partialLine);
    }

    private static final Pattern QMTRECV_HEADER =
            Pattern.compile("^\\+QMTRECV: \\d+,\\d+,\"[^\"]*\",(\\d{1,9}),\"$");

    /**
     * {@code +QMTRECV} with {@code recv/mode} x,1: the payload length precedes the quoted payload.
     */
    public static final PayloadRule QMTRECV_WITH_LENGTH =
            partial -> {
                if (!partial.startsWith("+QMTRECV: ")) {
                    return -1;
                }
                Matcher m = QMTRECV_HEADER.matcher(partial);
                return m.matches() ? Integer.parseInt(m.group(1)) : -1;
            };

    private enum State {
        LINE,
        DISCARD_LINE,
        PAYLOAD,
        TRAILER
    }

    private final PayloadRule rule;
    private final int maxLineBytes;
    private final int maxPayloadBytes;
    private final Consumer<AtFrame> sink;

    private byte[] line;
    private int lineLen;
    private State state = State.LINE;
    private String header;
    private byte[] payload;
    private int payloadLen;
    private long discardedLines;

    public AtFramer(Consumer<AtFrame> sink) {
        this(QMTRECV_WITH_LENGTH, DEFAULT_MAX_LINE_BYTES, DEFAULT_MAX_PAYLOAD_BYTES, sink);
    }

    public AtFramer(
            PayloadRule rule, int maxLineBytes, int maxPayloadBytes, Consumer<AtFrame> sink) {
        this.rule = Objects.requireNonNull(rule, "rule");
        this.sink = Objects.requireNonNull(sink, "sink");
        this.maxLineBytes = maxLineBytes;
        this.maxPayloadBytes = maxPayloadBytes;
        this.line = new byte[Math.min(256, maxLineBytes)];
    }

    /** Lines dropped because they were longer than the bound. */
    public long discardedLines() {
        return discardedLines;
    }

    /** Whether the framer is in the middle of a counted payload (or the line end after it). */
    public boolean readingPayload() {
        return state == State.PAYLOAD || state == State.TRAILER;
    }

    /** Forgets any partial line or payload (after a reboot or a resynchronisation). */
    public void reset() {
        lineLen = 0;
        state = State.LINE;
        header = null;
        payload = null;
    }

    /** Feeds a chunk; complete frames go to the sink before this returns. */
    public void feed(byte[] chunk) {
        feed(chunk, 0, chunk.length);
    }

    public void feed(byte[] chunk, int off, int len) {
        int end = off + len;
        for (int i = off; i < end; i++) {
            byte b = chunk[i];
            switch (state) {
                case LINE -> onLineByte(b);
                case DISCARD_LINE -> {
                    if (b == '\n') {
                        state = State.LINE;
                    }
                }
                case PAYLOAD -> {
                    int n = Math.min(end - i, payload.length - payloadLen);
                    System.arraycopy(chunk, i, payload, payloadLen, n);
                    payloadLen += n;
                    i += n - 1;
                    if (payloadLen == payload.length) {
                        state = State.TRAILER;
                    }
                }
                case TRAILER -> {
                    // expect '"' CR LF; tolerate anything up to the LF
                    if (b == '\n') {
                        AtFrame.PayloadLine frame = new AtFrame.PayloadLine(header, payload);
                        header = null;
                        payload = null;
                        state = State.LINE;
                        sink.accept(frame);
                    }
                }
                default -> throw new IllegalStateException();
            }
        }
    }

    private void onLineByte(byte b) {
        if (b == '\n' || b == '\r') {
            // LF ends a line; so does a CR (an echoed command ends with a lone CR): empty lines are
            // skipped
            String text = new String(line, 0, lineLen, StandardCharsets.UTF_8);
            lineLen = 0;
            if (!text.isEmpty()) {
                sink.accept(new AtFrame.Line(text));
            }
            return;
        }
        if (lineLen == maxLineBytes) {
            log.warn("line longer than {} bytes discarded", maxLineBytes);
            discardedLines++;
            lineLen = 0;
            state = State.DISCARD_LINE;
            return;
        }
        if (lineLen == line.length) {
            line = Arrays.copyOf(line, Math.min(maxLineBytes, line.length * 2));
        }
        line[lineLen++] = b;
        if (lineLen == 2 && line[0] == '>' && line[1] == ' ') {
            lineLen = 0;
            sink.accept(new AtFrame.Prompt());
        } else if (b == '"' && line[0] == '+') {
            String partial = new String(line, 0, lineLen, StandardCharsets.UTF_8);
            int n = rule.payloadLength(partial);
            if (n >= 0 && n <= maxPayloadBytes) {
                header = partial.substring(0, partial.length() - 1);
                payload = new byte[n];
                payloadLen = 0;
                lineLen = 0;
                state = n == 0 ? State.TRAILER : State.PAYLOAD;
            }
        }
    }
}
