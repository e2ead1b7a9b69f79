package io.thingflux.link;

import java.util.List;

/**
 * The broker refused a subscription (SUBACK 0x80, or the module's equivalent) to one or more
 * filters.
 */
public final class SubscriptionRefusedException extends RuntimeException {

    private final List<String> filters;

    public SubscriptionRefusedException(String filter) {
        this(List.of(filter));
    }

    /**
     * @param filters the refused filters, at least one
     */
    public SubscriptionRefusedException(List<String> filters) {
        super(message(filters));
        this.filters = List.copyOf(filters);
    }

    private static String message(List<String> filters) {
        if (filters.isEmpty()) {
            throw new IllegalArgumentException("at least one refused filter is needed");
        }
        return filters.size() == 1
                ? "subscription to '" + filters.get(0) + "' refused by the broker"
                : "subscriptions to " + filters + " refused by the broker";
    }

    /** The first refused filter. */
    public String filter() {
        return filters.get(0);
    }

    /** Every refused filter, in request order. */
    public List<String> filters() {
        return filters;
    }
}
