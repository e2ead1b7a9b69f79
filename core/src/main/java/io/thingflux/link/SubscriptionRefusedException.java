package io.thingflux.link;

/** The broker refused a subscription (SUBACK 0x80, or the module's equivalent). */
public final class SubscriptionRefusedException extends RuntimeException {

    private final String filter;

    public SubscriptionRefusedException(String filter) {
        super("subscription to '" + filter + "' refused by the broker");
        this.filter = filter;
    }

    public String filter() {
        return filter;
    }
}
