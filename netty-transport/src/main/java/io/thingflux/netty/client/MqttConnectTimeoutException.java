package io.thingflux.netty.client;

/**
 * The TCP connection, the TLS handshake or the CONNACK did not come within its configured timeout.
 */
public final class MqttConnectTimeoutException extends MqttClientException {

    public MqttConnectTimeoutException(String message) {
        super(message);
    }

    public MqttConnectTimeoutException(String message, Throwable cause) {
        super(message, cause);
    }
}
