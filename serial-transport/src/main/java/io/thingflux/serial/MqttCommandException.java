package io.thingflux.serial;

/**
 * A module MQTT operation (publish, subscribe, unsubscribe, disconnect) reported failure in its
 * result URC: {@code <result>} 1 (retransmitting when the wait ended) or 2 (failed to send), or -1.
 */
public final class MqttCommandException extends RuntimeException {

    private final String operation;
    private final int result;

    public MqttCommandException(String operation, int result) {
        super(
                operation
                        + " failed: result "
                        + result
                        + (result == 2
                                ? " (failed to send)"
                                : result == 1 ? " (retransmitting)" : ""));
        this.operation = operation;
        this.result = result;
    }

    public String operation() {
        return operation;
    }

    public int result() {
        return result;
    }
}
