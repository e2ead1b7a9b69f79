package io.thingflux.spring;

/**
 * The {@code thingflux.*} configuration cannot work (a missing secret, a bad host): its message is
 * one line that names the property and never shows a secret's value.
 */
public class ThingfluxConfigurationException extends IllegalStateException {

    private final String property;

    public ThingfluxConfigurationException(String property, String message) {
        super(message);
        this.property = property;
    }

    /** The property at fault, e.g. {@code thingflux.aliyun.device-secret}. */
    public String property() {
        return property;
    }
}
