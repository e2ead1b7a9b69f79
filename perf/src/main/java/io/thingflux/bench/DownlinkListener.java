package io.thingflux.bench;

import java.util.Map;

/** Told of every property set ({@code thing.service.property.set}) a simulated device receives. */
@FunctionalInterface
public interface DownlinkListener {

    /**
     * A property set arrived with these {@code params}. Called on the client's threads; must not
     * block.
     */
    void onPropertySet(Map<String, Object> params);
}
