package io.thingflux.netty.client;

/**
 * The common type of every failure the MQTT client reports, so callers can catch the client's
 * errors in one place and tell them apart by subtype. Messages never contain secrets.
 */
public abstract class MqttClientException extends RuntimeException {

    protected MqttClientException(String message) {
        super(message);
    }

    protected MqttClientException(String message, Throwable cause) {
        super(message, cause);
    }
}
