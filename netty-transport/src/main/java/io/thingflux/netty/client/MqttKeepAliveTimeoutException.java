package io.thingflux.netty.client;

/**
 * No PINGRESP nor any other packet arrived within the ping timeout after a PINGREQ: the connection
 * is considered half-open and was closed (MQTT 3.1.1 §3.1.2.10).
 */
public final class MqttKeepAliveTimeoutException extends MqttClosedException {

    public MqttKeepAliveTimeoutException(String message) {
        super(message);
    }
}
