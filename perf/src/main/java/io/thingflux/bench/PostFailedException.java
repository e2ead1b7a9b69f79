package io.thingflux.bench;

/**
 * A property post failed for a reason the bench counts under {@link #reason()} in its {@code
 * errors} (for example {@code reply_code_6106} or {@code reply_timeout}).
 */
public final class PostFailedException extends RuntimeException {

    private final String reason;

    public PostFailedException(String reason, String message) {
        super(message);
        this.reason = reason;
    }

    /** The key this failure is counted under. */
    public String reason() {
        return reason;
    }
}
