package io.thingflux.alink;

/**
 * A request was refused before sending because {@link AliyunDeviceOptions#maxPendingRequests()}
 * requests are already waiting for their replies. Nothing was published; retry once some replies
 * arrived.
 */
public final class TooManyPendingRequestsException extends AlinkException {

    public TooManyPendingRequestsException(int limit) {
        super(
                "refused before sending: "
                        + limit
                        + " requests already await a reply (maxPendingRequests)");
    }
}
