package io.thingflux.link;

import io.thingflux.mqtt.ConnectReturnCode;
import java.util.Objects;

/**
 * The broker refused the connection with a CONNACK return code (MQTT 3.1.1 §3.2.2.3), whichever
 * transport carried it: a Netty channel reads the CONNACK itself, a cellular module reports its
 * code in {@code +QMTCONN}. When the code is {@linkplain ConnectReturnCode#isFatal() fatal} (bad
 * credentials, not authorized, identifier or protocol refused) the link stops retrying and closes.
 */
public final class ConnectRefusedException extends RuntimeException {

    private final ConnectReturnCode returnCode;

    public ConnectRefusedException(ConnectReturnCode returnCode) {
        super(
                "connection refused by the broker: "
                        + returnCode
                        + " (0x0"
                        + returnCode.code()
                        + ")");
        this.returnCode = Objects.requireNonNull(returnCode, "returnCode");
    }

    /** The CONNACK return code. */
    public ConnectReturnCode returnCode() {
        return returnCode;
    }

    /** Whether retrying the same CONNECT cannot succeed. */
    public boolean isFatal() {
        return returnCode.isFatal();
    }
}
