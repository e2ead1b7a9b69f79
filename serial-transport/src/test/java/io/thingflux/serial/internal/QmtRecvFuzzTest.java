package io.thingflux.serial.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.thingflux.mqtt.MqttTopics;
import io.thingflux.serial.at.AtFrame;
import io.thingflux.serial.at.AtFramer;
import io.thingflux.serial.at.AtUrc;
import io.thingflux.serial.at.MalformedUrcException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Coverage-guided fuzzing of the {@code +QMTRECV} parser (Jazzer). Any header with or without a
 * counted payload gives a message or a {@link MalformedUrcException}, nothing else; and a
 * well-formed URC built from a fuzzed topic (no quote, CR or LF: the module cannot send those) and
 * payload reads back as what was built, in both {@code recv/mode} forms: with the length through
 * the real framer, so payloads with quotes, commas and CR LF take the path the AT channel gives
 * them.
 */
class QmtRecvFuzzTest {

    @FuzzTest(maxExecutions = 300_000, maxDuration = "2m")
    void onlyTheTypedErrorEscapesAndWellFormedUrcsRoundTrip(FuzzedDataProvider data) {
        int mode = data.consumeInt(0, 2);
        if (mode == 0) {
            anyInputGivesAMessageOrTheTypedError(data);
        } else {
            wellFormedUrcsReadBackAsBuilt(data, mode == 1);
        }
    }

    private static void anyInputGivesAMessageOrTheTypedError(FuzzedDataProvider data) {
        boolean withPayload = data.consumeBoolean();
        String header = (data.consumeBoolean() ? "+QMTRECV: " : "") + data.consumeString(200);
        byte[] payload = withPayload ? data.consumeRemainingAsBytes() : null;
        try {
            QmtRecv.Received r = QmtRecv.parse(header, payload);
            assertThat(MqttTopics.nameProblem(r.topic())).isNull();
            assertThat(r.clientIdx()).isBetween(0, 5);
            assertThat(r.msgId()).isBetween(0, 65535);
        } catch (MalformedUrcException expected) {
            assertThat(expected.getMessage()).startsWith("malformed +QMTRECV URC: ");
        }
    }

    private static void wellFormedUrcsReadBackAsBuilt(FuzzedDataProvider data, boolean withLength) {
        int idx = data.consumeInt(0, 5);
        int msgId = data.consumeInt(0, 65535);
        String topic = data.consumeString(300).replaceAll("[\"\r\n]", "");
        if (!sameAfterUtf8(topic.getBytes(StandardCharsets.UTF_8), topic)) {
            return; // unpaired surrogates cannot be sent as UTF-8
        }
        byte[] payload;
        if (withLength) {
            payload = data.consumeRemainingAsBytes();
        } else {
            String text = data.consumeRemainingAsString();
            payload = text.getBytes(StandardCharsets.UTF_8);
            if (!sameAfterUtf8(payload, text)) {
                return;
            }
        }
        QmtRecv.Received built = new QmtRecv.Received(idx, msgId, topic, payload);
        AtUrc urc =
                withLength
                        ? framedSingle(QmtRecv.render(built, true))
                        : lineOf(QmtRecv.render(built, false));
        if (MqttTopics.nameProblem(topic) != null) {
            assertThatThrownBy(() -> QmtRecv.parse(urc)).isInstanceOf(MalformedUrcException.class);
            return;
        }
        assertThat(QmtRecv.parse(urc)).isEqualTo(built);
    }

    /** The one URC the framer cuts from {@code wire}. */
    private static AtUrc framedSingle(byte[] wire) {
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
        assertThat(out).hasSize(1);
        return out.get(0);
    }

    /** The line form (no length): the rendered record without its CR LFs, as one line. */
    private static AtUrc lineOf(byte[] wire) {
        String s = new String(wire, StandardCharsets.UTF_8);
        return AtUrc.of(s.substring(2, s.length() - 2));
    }

    private static boolean sameAfterUtf8(byte[] bytes, String expected) {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString()
                    .equals(expected);
        } catch (CharacterCodingException e) {
            return false;
        }
    }
}
