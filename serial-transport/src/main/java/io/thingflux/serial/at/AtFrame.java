package io.thingflux.serial.at;

/** One unit of module output as {@link AtFramer} cuts it. */
public sealed interface AtFrame {

    /** A line without its CR LF (never empty). */
    record Line(String text) implements AtFrame {}

    /** The {@code > } prompt that asks for data; it has no line end. */
    record Prompt() implements AtFrame {}

    /**
     * A line whose tail is a length-counted raw payload, such as {@code +QMTRECV:
     * 0,0,"t",5,"hello"}.
     *
     * @param header the line up to and without the opening quote of the payload, e.g. {@code
     *     +QMTRECV: 0,0,"t",5,}
     * @param payload exactly the counted bytes, which may hold quotes, commas, CR and LF
     */
    record PayloadLine(String header, byte[] payload) implements AtFrame {
        @Override
        public String toString() {
            return "PayloadLine[" + header + " <" + payload.length + " bytes>]";
        }
    }
}
