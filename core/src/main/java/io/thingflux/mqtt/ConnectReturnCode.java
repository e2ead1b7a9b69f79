package io.thingflux.mqtt;

/** CONNACK return codes (MQTT 3.1.1 §3.2.2.3) with their wire values. */
public enum ConnectReturnCode {
    ACCEPTED(0),
    UNACCEPTABLE_PROTOCOL_VERSION(1),
    IDENTIFIER_REJECTED(2),
    SERVER_UNAVAILABLE(3),
    BAD_USERNAME_OR_PASSWORD(4),
    NOT_AUTHORIZED(5);

    private static final ConnectReturnCode[] BY_CODE = values();

    private final int code;

    ConnectReturnCode(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /**
     * Whether retrying the same CONNECT cannot succeed: the credentials, the identifier or the
     * protocol level were refused. Only {@link #SERVER_UNAVAILABLE} is worth retrying.
     */
    public boolean isFatal() {
        return this != ACCEPTED && this != SERVER_UNAVAILABLE;
    }

    /**
     * @throws IllegalArgumentException for the reserved values 6..255
     */
    public static ConnectReturnCode valueOf(int code) {
        if (code < 0 || code >= BY_CODE.length) {
            throw new IllegalArgumentException("reserved CONNACK return code " + code);
        }
        return BY_CODE[code];
    }
}
