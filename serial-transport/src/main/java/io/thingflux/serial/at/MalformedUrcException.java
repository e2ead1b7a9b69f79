package io.thingflux.serial.at;

/**
 * A URC the module sent does not have the shape its prefix promises (for example a {@code +QMTRECV}
 * whose length does not match its payload, or whose topic is not a valid MQTT topic name). The
 * message names the URC and the reason, never the content of its fields: a payload can hold
 * anything.
 */
public final class MalformedUrcException extends AtException {

    private final String reason;

    /**
     * @param urc the URC's prefix, e.g. {@code +QMTRECV}
     * @param reason what is wrong with it, without any of its content
     */
    public MalformedUrcException(String urc, String reason) {
        super(urc, "malformed " + urc + " URC: " + reason);
        this.reason = reason;
    }

    /** What is wrong with the URC. */
    public String reason() {
        return reason;
    }
}
