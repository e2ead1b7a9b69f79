package io.thingflux.netty.client;

/**
 * A connect attempt could not get its credentials: the {@linkplain
 * MqttClientOptions.Builder#credentials( java.util.function.Supplier) credentials supplier} threw
 * or returned {@code null} or credentials no CONNECT can carry, or signing an Aliyun identity
 * failed. Only that attempt fails; the connect or reconnect policy decides whether another one is
 * made. The message never contains the credentials; the cause, when there is one, is what the
 * supplier threw.
 */
public final class MqttCredentialsException extends MqttClientException {

    public MqttCredentialsException(String message, Throwable cause) {
        super(message, cause);
    }
}
