package io.thingflux.netty.client;

/**
 * The broker could not be reached or the transport failed under the connection: TCP connect
 * refused, TLS handshake rejected (wrong host name, untrusted certificate), an I/O error. The cause
 * says which.
 */
public final class MqttTransportException extends MqttClientException {

    public MqttTransportException(String message, Throwable cause) {
        super(message, cause);
    }
}
