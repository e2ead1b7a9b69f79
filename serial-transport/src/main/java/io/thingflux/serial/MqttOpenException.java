package io.thingflux.serial;

/** {@code AT+QMTOPEN} failed: the module could not open the network connection to the broker. */
public final class MqttOpenException extends RuntimeException {

    /** The {@code <result>} of {@code +QMTOPEN: <idx>,<result>}. */
    public enum Reason {
        FAILED(-1, "failed to open the network"),
        WRONG_PARAMETER(1, "wrong parameter"),
        INDEX_OCCUPIED(2, "MQTT client index occupied"),
        PDP_ACTIVATION_FAILED(3, "PDP activation failed"),
        DNS_FAILED(4, "domain name resolution failed"),
        NETWORK_ERROR(5, "network connection error"),
        UNKNOWN(Integer.MIN_VALUE, "unknown result");

        private final int code;
        private final String text;

        Reason(int code, String text) {
            this.code = code;
            this.text = text;
        }

        public int code() {
            return code;
        }

        /** The reason for a result code; {@link #UNKNOWN} for codes the notes do not list. */
        public static Reason of(int code) {
            for (Reason r : values()) {
                if (r.code == code) {
                    return r;
                }
            }
            return UNKNOWN;
        }
    }

    private final int result;
    private final Reason reason;

    public MqttOpenException(String host, int port, int result) {
        super(
                "QMTOPEN "
                        + host
                        + ":"
                        + port
                        + " failed: result "
                        + result
                        + " ("
                        + Reason.of(result).text
                        + ")");
        this.result = result;
        this.reason = Reason.of(result);
    }

    public int result() {
        return result;
    }

    public Reason reason() {
        return reason;
    }
}
