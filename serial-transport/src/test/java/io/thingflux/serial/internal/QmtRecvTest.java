package io.thingflux.serial.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.thingflux.serial.at.AtFrame;
import io.thingflux.serial.at.AtFramer;
import io.thingflux.serial.at.AtUrc;
import io.thingflux.serial.at.MalformedUrcException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class QmtRecvTest {

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** What the AT channel makes of {@code wire}: the URCs the framer cuts from it. */
    private static List<AtUrc> framed(byte[] wire) {
        List<AtUrc> out = new ArrayList<>();
        new AtFramer(
                        frame -> {
                            if (frame instanceof AtFrame.PayloadLine p) {
                                out.add(new AtUrc(p.header(), p.payload()));
                            } else if (frame instanceof AtFrame.Line l) {
                                out.add(AtUrc.of(l.text()));
                            }
                        })
                .feed(wire, 0, wire.length);
        return out;
    }

    @Test
    void lengthFormKeepsQuotesCommasAndLineEndsOfThePayload() {
        byte[] payload = bytes("{\"a\":\"x\",\r\n\"b\"}\"\r\n");
        List<AtUrc> urcs =
                framed(
                        QmtRecv.render(
                                new QmtRecv.Received(
                                        0, 7, "/sys/pk/dn/thing/service/property/set", payload),
                                true));
        assertThat(urcs).hasSize(1);
        QmtRecv.Received r = QmtRecv.parse(urcs.get(0));
        assertThat(r.clientIdx()).isZero();
        assertThat(r.msgId()).isEqualTo(7);
        assertThat(r.topic()).isEqualTo("/sys/pk/dn/thing/service/property/set");
        assertThat(r.payload()).isEqualTo(payload);
    }

    @Test
    void formWithoutLengthRunsThePayloadToTheLastQuote() {
        QmtRecv.Received r = QmtRecv.parse(AtUrc.of("+QMTRECV: 2,0,\"a/b\",\"he,\"llo\",\"x\""));
        assertThat(r).isEqualTo(new QmtRecv.Received(2, 0, "a/b", bytes("he,\"llo\",\"x")));
    }

    @Test
    void emptyPayloadInBothForms() {
        assertThat(QmtRecv.parse(AtUrc.of("+QMTRECV: 0,0,\"a\",\"\"")).payload()).isEmpty();
        assertThat(QmtRecv.parse(new AtUrc("+QMTRECV: 0,0,\"a\",0,", new byte[0])).payload())
                .isEmpty();
    }

    @Test
    void lengthNotMatchingThePayloadIsMalformed() {
        assertThatThrownBy(
                        () -> QmtRecv.parse(new AtUrc("+QMTRECV: 0,1,\"a/b\",5,", bytes("four"))))
                .isInstanceOfSatisfying(
                        MalformedUrcException.class,
                        e -> {
                            assertThat(e.reason()).contains("5").contains("4 bytes");
                            assertThat(e.command()).isEqualTo("+QMTRECV");
                        });
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '\'',
            value = {
                "not a QMTRECV                | +QMTSTAT: 0,1                     | does not start",
                "client index out of range    | +QMTRECV: 6,0,\"a\",\"x\"            | client index 6",
                "message id out of range      | +QMTRECV: 0,65536,\"a\",\"x\"        | message id 65536",
                "negative message id          | +QMTRECV: 0,-1,\"a\",\"x\"           | message id is not a number",
                "message id quoted            | +QMTRECV: 0,\"1\",\"a\",\"x\"          | fields before the topic",
                "too few header fields        | +QMTRECV: 0,\"a\",\"x\"               | expected 2",
                "too many header fields       | +QMTRECV: 0,1,2,\"a\",\"x\"           | expected 2",
                "no topic                     | +QMTRECV: 0,1                     | no quoted topic",
                "topic quote not closed       | +QMTRECV: 0,1,\"a/b                 | topic quote not closed",
                "no payload after topic       | +QMTRECV: 0,1,\"a/b\"                | no quoted payload",
                "payload quote not closed     | +QMTRECV: 0,1,\"a/b\",\"xy            | payload quote not closed",
                "only the opening quote       | +QMTRECV: 0,1,\"a/b\",\"              | payload quote not closed",
                "wildcard topic               | +QMTRECV: 0,1,\"a/+\",\"x\"            | wildcard",
                "empty topic                  | +QMTRECV: 0,1,\"\",\"x\"               | empty",
                "buffered notice, not a push  | +QMTRECV: 0,3                     | no quoted topic",
            })
    void malformedShapesWithoutLengthAreTypedErrors(String shape, String line, String reason) {
        assertThatThrownBy(() -> QmtRecv.parse(AtUrc.of(line)))
                .as(shape)
                .isInstanceOfSatisfying(
                        MalformedUrcException.class,
                        e -> assertThat(e.getMessage()).contains(reason));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '\'',
            value = {
                "header without trailing comma | +QMTRECV: 0,1,\"a\",1    | does not end with the comma",
                "length not a number           | +QMTRECV: 0,1,\"a\",x,   | payload length is not a number",
                "topic not quoted              | +QMTRECV: 0,1,a,1,       | topic is not quoted",
                "three fields                  | +QMTRECV: 0,\"a\",1,     | expected 4",
                "unclosed quote                | +QMTRECV: 0,1,\"a,1,     | header fields",
                "wildcard topic                | +QMTRECV: 0,1,\"a/#\",1, | wildcard",
                "client index too big          | +QMTRECV: 99999999999,1,\"a\",1, | client index is not a number",
            })
    void malformedShapesWithLengthAreTypedErrors(String shape, String header, String reason) {
        assertThatThrownBy(() -> QmtRecv.parse(new AtUrc(header, bytes("x"))))
                .as(shape)
                .isInstanceOfSatisfying(
                        MalformedUrcException.class,
                        e -> assertThat(e.getMessage()).contains(reason));
    }

    @Test
    void messagesNeverHoldThePayload() {
        String secretish = "s3cr3t-payload";
        assertThatThrownBy(
                        () -> QmtRecv.parse(new AtUrc("+QMTRECV: 0,1,\"a\",99,", bytes(secretish))))
                .isInstanceOf(MalformedUrcException.class)
                .hasMessageNotContaining(secretish);
        assertThatThrownBy(() -> QmtRecv.parse(AtUrc.of("+QMTRECV: 0,1,\"a/#\",\"" + secretish)))
                .isInstanceOf(MalformedUrcException.class)
                .hasMessageNotContaining(secretish);
    }
}
