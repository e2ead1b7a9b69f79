package io.thingflux.spring;

import io.thingflux.link.ConnectRefusedException;
import io.thingflux.link.LinkState;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;

/**
 * The health of the starter's connections, from each link's state: UP when every one is connected
 * (a device: and subscribed), DOWN while one is connecting or reconnecting, OUT_OF_SERVICE when one
 * is closed (refused for good, with the CONNACK return code, or shut down). Details per connection:
 * its state, target and, after a refusal (also one the link keeps retrying, such as
 * SERVER_UNAVAILABLE), the CONNACK reason.
 */
public final class ThingfluxHealthIndicator implements HealthIndicator {

    private final List<ThingfluxConnection> connections;

    public ThingfluxHealthIndicator(List<ThingfluxConnection> connections) {
        this.connections = List.copyOf(connections);
    }

    @Override
    public Health health() {
        Status worst = Status.UP;
        Map<String, Object> details = new LinkedHashMap<>();
        for (ThingfluxConnection c : connections) {
            LinkState state = c.state();
            Status status = status(c, state);
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("status", status.getCode());
            d.put("state", state.name());
            d.put("target", c.target());
            Throwable error = c.lastError();
            if (error == null && state != LinkState.CONNECTED) {
                error = c.lastAttemptError(); // e.g. SERVER_UNAVAILABLE while the link retries
            }
            if (error instanceof ConnectRefusedException refused) {
                d.put("connack", refused.returnCode().name());
                d.put("connackCode", refused.returnCode().code());
            } else if (error != null && state != LinkState.CONNECTED) {
                d.put("error", error.getClass().getSimpleName() + ": " + error.getMessage());
            }
            details.put(c.name(), d);
            worst = worse(worst, status);
        }
        return Health.status(worst).withDetails(details).build();
    }

    private static Status status(ThingfluxConnection c, LinkState state) {
        return switch (state) {
            case CONNECTED -> c.isReady() ? Status.UP : Status.DOWN;
            case CONNECTING, RECONNECTING, DISCONNECTED -> Status.DOWN;
            case CLOSED -> Status.OUT_OF_SERVICE;
        };
    }

    /** DOWN before OUT_OF_SERVICE before UP, as Spring Boot's default order. */
    private static Status worse(Status a, Status b) {
        return rank(b) > rank(a) ? b : a;
    }

    private static int rank(Status s) {
        if (Status.DOWN.equals(s)) {
            return 2;
        }
        return Status.OUT_OF_SERVICE.equals(s) ? 1 : 0;
    }
}
