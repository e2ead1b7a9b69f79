package io.thingflux.spring.example;

import io.micrometer.core.instrument.Counter;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.springframework.http.codec.ServerSentEvent;
import reactor.core.publisher.BufferOverflowStrategy;
import reactor.core.publisher.Flux;

/**
 * Gives one HTTP subscriber its own bounded buffer: the source is read at once whatever the client
 * does (so a slow client never holds back the MQTT connection, its acknowledgements or other
 * subscribers); when the client falls {@code size} events behind, the oldest waiting event is
 * dropped, counted in {@code dropped}, and the next event the client gets carries the comment
 * {@code dropped N} saying how many it missed since the last one.
 */
final class BoundedSse {

    private BoundedSse() {}

    static <T> Flux<ServerSentEvent<String>> of(
            Flux<T> source,
            int size,
            Counter dropped,
            Function<T, ServerSentEvent.Builder<String>> toEvent) {
        return Flux.defer(
                () -> {
                    AtomicLong lost = new AtomicLong();
                    // read only by the map below, one event at a time
                    long[] reported = {0};
                    return source.onBackpressureBuffer(
                                    size,
                                    oldest -> {
                                        lost.incrementAndGet();
                                        dropped.increment();
                                    },
                                    BufferOverflowStrategy.DROP_OLDEST)
                            .map(
                                    item -> {
                                        ServerSentEvent.Builder<String> e = toEvent.apply(item);
                                        long now = lost.get();
                                        if (now != reported[0]) {
                                            e.comment("dropped " + (now - reported[0]));
                                            reported[0] = now;
                                        }
                                        return e.build();
                                    });
                });
    }
}
