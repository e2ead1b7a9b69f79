package io.thingflux.spring;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Turns a {@link ThingfluxConfigurationException} anywhere in a startup failure into the one line
 * it carries, instead of a chain of bean-creation errors.
 */
public final class ThingfluxFailureAnalyzer
        extends AbstractFailureAnalyzer<ThingfluxConfigurationException> {

    @Override
    protected FailureAnalysis analyze(Throwable root, ThingfluxConfigurationException cause) {
        return new FailureAnalysis(
                cause.getMessage(), "Set " + cause.property() + " correctly.", cause);
    }
}
