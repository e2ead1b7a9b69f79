package io.thingflux.alink;

/**
 * The platform answered a request with a code other than 200 (e.g. 460 bad params, 6106 too many
 * properties).
 */
public final class AlinkReplyException extends AlinkException {

    private final AlinkReply reply;

    public AlinkReplyException(String method, AlinkReply reply) {
        super(
                (method == null ? "request" : method)
                        + " id "
                        + reply.id()
                        + " refused with code "
                        + reply.code()
                        + (reply.message() == null ? "" : ": " + reply.message()));
        this.reply = reply;
    }

    /** The platform's result code. */
    public int code() {
        return reply.code();
    }

    /** The whole reply, as received. */
    public AlinkReply reply() {
        return reply;
    }
}
