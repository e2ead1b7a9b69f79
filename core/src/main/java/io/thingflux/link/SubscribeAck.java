package io.thingflux.link;

import java.util.List;

/**
 * The broker's answer to one subscription: the filters it granted and those it refused, in request
 * order (MQTT 3.1.1 §3.9.3: a SUBACK return code per filter, 0x80 for a refusal).
 *
 * @param granted the filters the broker accepted
 * @param refused the filters the broker refused
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
