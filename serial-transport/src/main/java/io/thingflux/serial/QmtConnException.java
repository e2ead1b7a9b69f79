package io.thingflux.serial;

/**
 * {@code AT+QMTCONN} failed without a broker refusal: {@code +QMTCONN: <idx>,<result>} with result
 * 1 (still retransmitting when the wait ended) or 2 (CONNECT not sent), or a reserved return code.
 * A refusal with a CONNACK return code is an {@link io.thingflux.link.ConnectRefusedException}
 * instead. The link retries these.
 */
public final class QmtConnException extends RuntimeException {

    private final int result;

    public QmtConnException(int result, Integer returnCode) {
        super(
                "QMTCONN failed: result "
                        + result
                        + (result == 1
                                ? " (retransmitting)"
                                : result == 2 ? " (CONNECT not sent)" : "")
                        + (returnCode != null && returnCode != 0
                                ? ", reserved return code " + returnCode
                                : ""));
        this.result = result;
    }

    /**
     * The {@code <result>} of {@code +QMTCONN}: 0 sent and acknowledged, 1 retransmission, 2 send
     * failed.
     */
    public int result() {
        return result;
    }
}
