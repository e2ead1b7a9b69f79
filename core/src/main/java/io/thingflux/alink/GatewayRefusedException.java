package io.thingflux.alink;

/**
 * The platform refused a gateway request (topology, registration, login, logout) with a code other
 * than 200; {@link #error()} says which refusal it was.
 */
public final class GatewayRefusedException extends AlinkException {

    private final AlinkReply reply;
    private final GatewayErrorCode error;

    public GatewayRefusedException(String method, AlinkReply reply) {
        super(
                method
                        + " id "
                        + reply.id()
                        + " refused with code "
                        + reply.code()
                        + " ("
                        + GatewayErrorCode.valueOf(reply.code()).meaning()
                        + ")"
                        + (reply.message() == null ? "" : ": " + reply.message()));
        this.reply = reply;
        this.error = GatewayErrorCode.valueOf(reply.code());
    }

    /** The platform's result code. */
    public int code() {
        return reply.code();
    }

    /** The refusal, typed. */
    public GatewayErrorCode error() {
        return error;
    }

    /** The whole reply, as received. */
    public AlinkReply reply() {
        return reply;
    }
}
