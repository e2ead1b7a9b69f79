package io.thingflux.netty.client;

/**
 * An operation could not complete because the connection or the client is closed: the client was
 * disconnected by its user, the connection was lost and will not be retried, or the broker lost the
 * session a pending operation belonged to. The cause, if any, says why the connection ended.
 */
public class MqttClosedException extends MqttClientException {

    public MqttClosedException(String message) {
        super(message);
    }

    public MqttClosedException(String message, Throwable cause) {
        super(message, cause);
    }
}
