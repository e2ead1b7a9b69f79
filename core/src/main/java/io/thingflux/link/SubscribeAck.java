package io.thingflux.link;

import java.util.List;

/**
 * The broker's answer to one subscription: the filters it granted and those it refused, in request order.
 *
 * @param granted the filters the broker accepted
 * @param refused the filters the broker refused (SUBACK 0x80, or the module's equivalent)
 */
public record SubscribeAck(List<String> granted, List<String> refused) {

    public SubscribeAck {
        granted = List.copyOf(granted);
        refused = List.copyOf(refused);
    }

    /** Whether the broker granted every filter. */
    public boolean allGranted() {
        return refused.isEmpty();
    }
}
