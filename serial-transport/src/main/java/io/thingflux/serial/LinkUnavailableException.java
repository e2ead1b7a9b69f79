package io.thingflux.serial;

import io.thingflux.link.LinkState;

/** An operation needed a connected link but the link was in another state; nothing was sent. */
public final class LinkUnavailableException extends RuntimeException {

    private final LinkState state;

    public LinkUnavailableException(LinkState state) {
        super("the module's MQTT link is " + state);
        this.state = state;
    }

    public LinkState state() {
        return state;
    }
}
