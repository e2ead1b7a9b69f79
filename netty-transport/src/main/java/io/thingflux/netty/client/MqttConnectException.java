package io.thingflux.netty.client;

import io.thingflux.mqtt.ConnectReturnCode;
import java.util.Objects;

/**
 * The broker refused the connection with a CONNACK return code (MQTT 3.1.1 §3.2.2.3). When the code is
 * {@linkplain ConnectReturnCode#isFatal() fatal} (bad credentials, not authorized, identifier or protocol
 * refused) the client stops retrying and closes.
 */
public final class MqttConnectException extends MqttClientException {

    private final ConnectReturnCode returnCode;

    public MqttConnectException(ConnectReturnCode returnCode) {
        super("connection refused by the broker: " + returnCode + " (0x0" + returnCode.code() + ")");
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
