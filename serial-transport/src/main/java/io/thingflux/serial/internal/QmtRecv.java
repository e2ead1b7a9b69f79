package io.thingflux.serial.internal;

import io.thingflux.mqtt.MqttTopics;
import io.thingflux.serial.at.AtUrc;
import io.thingflux.serial.at.MalformedUrcException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Parses the {@code +QMTRECV} URC that pushes a received MQTT message to the host, in both forms of
 * {@code recv/mode} 0: with the payload length ({@code +QMTRECV:
 * <idx>,<msgid>,"<topic>",<len>,"<payload>"}, the payload read by {@link
 * io.thingflux.serial.at.AtFramer} as exactly {@code len} raw bytes, so it may hold anything) and
 * without it ({@code +QMTRECV: <idx>,<msgid>,"<topic>","<payload>"}, one line whose payload runs
 * from the quote after the topic to the line's last quote, read as UTF-8).
 *
 * <p>Pure: any input gives either a {@link Received} or a {@link MalformedUrcException} saying why,
 * never another exception. A client index outside 0–5, a message id outside 0–65535, a length that
 * does not match the payload, and a topic that is not a valid MQTT topic name ({@link
 * MqttTopics#nameProblem}) are malformed.
 */
public final class QmtRecv {

    /** The URC prefix. */
    public static final String PREFIX = "+QMTRECV:";

    private static final String NAME = "+QMTRECV";
    private static final int MAX_CLIENT_INDEX = 5;
    private static final int MAX_MSG_ID = 65535;

    private QmtRecv() {}

    /**
     * One received message.
     *
     * @param clientIdx the module's MQTT client, 0–5
     * @param msgId the packet id, 0 for a QoS 0 delivery
     * @param topic a valid topic name
     * @param payload the raw payload; not copied
     */
    public record Received(int clientIdx, int msgId, String topic, byte[] payload) {

        public Received {
            Objects.requireNonNull(topic, "topic");
            Objects.requireNonNull(payload, "payload");
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Received r
                    && r.clientIdx == clientIdx
                    && r.msgId == msgId
                    && r.topic.equals(topic)
                    && Arrays.equals(r.payload, payload);
        }

        @Override
        public int hashCode() {
            return Objects.hash(clientIdx, msgId, topic, Arrays.hashCode(payload));
        }

        @Override
        public String toString() {
            return "Received["
                    + clientIdx
                    + ","
                    + msgId
                    + ","
                    + topic
                    + ", "
                    + payload.length
                    + " bytes]";
        }
    }

    /**
     * The message of a {@code +QMTRECV} URC as the AT channel gives it: with a payload, the line is
     * the header up to the payload's opening quote ({@code +QMTRECV: 0,5,"a/b",4,}); without one,
     * the whole line.
     *
     * @throws MalformedUrcException when the URC is not a well-formed {@code +QMTRECV} message push
     */
    public static Received parse(AtUrc urc) {
        Objects.requireNonNull(urc, "urc");
        return parse(urc.line(), urc.payload());
    }

    /**
     * As {@link #parse(AtUrc)}, from the line and the counted payload ({@code null} for the form
     * without length).
     */
    public static Received parse(String line, byte[] payload) {
        Objects.requireNonNull(line, "line");
        if (!line.startsWith(PREFIX)) {
            throw malformed("does not start with " + PREFIX);
        }
        int start = PREFIX.length();
        while (start < line.length() && line.charAt(start) == ' ') {
            start++;
        }
        String rest = line.substring(start);
        return payload != null ? withLength(rest, payload) : withoutLength(rest);
    }

    /** {@code <idx>,<msgid>,"<topic>",<len>,} followed by the counted payload. */
    private static Received withLength(String rest, byte[] payload) {
        if (!rest.endsWith(",")) {
            throw malformed("header does not end with the comma before the payload");
        }
        List<AtFields.Field> f;
        try {
            f = AtFields.split(rest.substring(0, rest.length() - 1));
        } catch (IllegalArgumentException e) {
            throw malformed("header fields: " + e.getMessage());
        }
        if (f.size() != 4) {
            throw malformed(
                    "header has " + f.size() + " fields, expected 4 (idx,msgid,\"topic\",len)");
        }
        int idx = number(f.get(0), "client index", MAX_CLIENT_INDEX);
        int msgId = number(f.get(1), "message id", MAX_MSG_ID);
        if (!f.get(2).quoted()) {
            throw malformed("topic is not quoted");
        }
        int length = number(f.get(3), "payload length", Integer.MAX_VALUE);
        if (length != payload.length) {
            throw malformed(
                    "payload length field says "
                            + length
                            + " but "
                            + payload.length
                            + " bytes were read");
        }
        return new Received(idx, msgId, topic(f.get(2).value()), payload);
    }

    /**
     * {@code <idx>,<msgid>,"<topic>","<payload>"}: the payload runs to the last quote of the line.
     */
    private static Received withoutLength(String rest) {
        int q1 = rest.indexOf('"');
        if (q1 < 0) {
            throw malformed("no quoted topic");
        }
        String head = rest.substring(0, q1).stripTrailing();
        if (!head.endsWith(",")) {
            throw malformed("no comma before the topic");
        }
        List<AtFields.Field> f;
        try {
            f = AtFields.split(head.substring(0, head.length() - 1));
        } catch (IllegalArgumentException e) {
            throw malformed("header fields: " + e.getMessage());
        }
        if (f.size() != 2) {
            throw malformed(
                    "header has " + f.size() + " fields before the topic, expected 2 (idx,msgid)");
        }
        int idx = number(f.get(0), "client index", MAX_CLIENT_INDEX);
        int msgId = number(f.get(1), "message id", MAX_MSG_ID);
        int q2 = rest.indexOf('"', q1 + 1);
        if (q2 < 0) {
            throw malformed("topic quote not closed");
        }
        if (!rest.startsWith(",\"", q2 + 1)) {
            throw malformed("no quoted payload after the topic");
        }
        int payloadStart = q2 + 3;
        if (!rest.endsWith("\"") || rest.length() - 1 < payloadStart) {
            throw malformed("payload quote not closed");
        }
        String topic = topic(rest.substring(q1 + 1, q2));
        byte[] payload =
                rest.substring(payloadStart, rest.length() - 1).getBytes(StandardCharsets.UTF_8);
        return new Received(idx, msgId, topic, payload);
    }

    private static int number(AtFields.Field field, String what, int max) {
        String v = field.value();
        if (field.quoted() || v.isEmpty() || v.length() > 10) {
            throw malformed(what + " is not a number");
        }
        long n = 0;
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c < '0' || c > '9') {
                throw malformed(what + " is not a number");
            }
            n = n * 10 + (c - '0');
        }
        if (n > max) {
            throw malformed(what + " " + n + " is out of range 0-" + max);
        }
        return (int) n;
    }

    private static String topic(String topic) {
        String problem = MqttTopics.nameProblem(topic);
        if (problem != null) {
            throw malformed("topic is not a valid topic name: " + problem);
        }
        return topic;
    }

    private static MalformedUrcException malformed(String reason) {
        return new MalformedUrcException(NAME, reason);
    }

    /**
     * The bytes a module sends for {@code message} (with the CR LF before and after), with or
     * without the payload length. Without it the payload must be text (it is written as is, and
     * read back as UTF-8).
     */
    public static byte[] render(Received message, boolean withLength) {
        String header =
                "\r\n+QMTRECV: "
                        + message.clientIdx()
                        + ","
                        + message.msgId()
                        + ",\""
                        + message.topic()
                        + "\","
                        + (withLength ? message.payload().length + "," : "")
                        + "\"";
        ByteArrayOutputStream out =
                new ByteArrayOutputStream(header.length() + message.payload().length + 3);
        out.writeBytes(header.getBytes(StandardCharsets.UTF_8));
        out.writeBytes(message.payload());
        out.writeBytes("\"\r\n".getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }
}
