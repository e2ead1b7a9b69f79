package io.thingflux.alink;

/**
 * A gateway request was refused before anything was sent because it would pass a limit: the
 * sub-devices a gateway may hold ({@link AliyunGatewayOptions#maxSubDevices()}).
 */
public final class GatewayLimitException extends AlinkException {

    public GatewayLimitException(String message) {
        super(message);
    }
}
