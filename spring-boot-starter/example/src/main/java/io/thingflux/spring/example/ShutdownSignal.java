package io.thingflux.spring.example;

import org.springframework.context.ApplicationListener;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Completes when the context starts closing, before the web server's graceful shutdown: the SSE
 * streams end on it, so open streams do not hold the shutdown until its timeout.
 */
@Component
final class ShutdownSignal implements ApplicationListener<ContextClosedEvent> {

    private final Sinks.Empty<Void> closing = Sinks.empty();

    @Override
    public void onApplicationEvent(ContextClosedEvent event) {
        closing.tryEmitEmpty();
    }

    Mono<Void> closing() {
        return closing.asMono();
    }
}
