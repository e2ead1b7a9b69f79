package io.thingflux.alink;

/**
 * The platform refused a device-shadow request ({@code "status":"error"}): 409 for a stale version,
 * 400..408 for a malformed document.
 */
public final class ShadowException extends AlinkException {

    /** The error code for a version older than the shadow's. */
    public static final int VERSION_CONFLICT = 409;

    private final int code;

    public ShadowException(int code, String message) {
        super("shadow request refused with code " + code + (message == null ? "" : ": " + message));
        this.code = code;
    }

    /** The platform's {@code errorcode}. */
    public int code() {
        return code;
    }
}
