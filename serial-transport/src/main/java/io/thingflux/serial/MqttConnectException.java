package io.thingflux.serial;

import io.thingflux.mqtt.ConnectReturnCode;
import java.util.Optional;

/**
 * {@code AT+QMTCONN} failed: {@code +QMTCONN: <idx>,<result>[,<ret_code>]} with result 1 (still
 * retransmitting when the wait ended) or 2 (CONNECT not sent), or the broker refused with a CONNACK code.
 */
public final class MqttConnectException extends RuntimeException {

    private final int result;
    private final ConnectReturnCode returnCode;

    public MqttConnectException(int result, Integer returnCode) {
        super(message(result, returnCode));
        this.result = result;
        this.returnCode = returnCode == null || returnCode < 0 || returnCode > 5 ? null
                : ConnectReturnCode.valueOf(returnCode);
    }

    private static String message(int result, Integer rc) {
        if (result == 0 && rc != null) {
            String why = rc >= 0 && rc <= 5 ? ConnectReturnCode.valueOf(rc).name() : "reserved";
            return "QMTCONN refused by the broker: return code " + rc + " (" + why + ")";
        }
        return "QMTCONN failed: result " + result + (result == 1 ? " (retransmitting)" : result == 2 ? " (CONNECT not sent)" : "");
    }

    /** 0 sent and acknowledged, 1 retransmission, 2 send failed. */
    public int result() {
        return result;
    }

    /** The broker's CONNACK return code, when it answered. */
    public Optional<ConnectReturnCode> returnCode() {
        return Optional.ofNullable(returnCode);
    }
}
