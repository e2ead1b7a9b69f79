package io.thingflux.alink.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.thingflux.link.LinkMessage;
import io.thingflux.link.SubscribeAck;
import io.thingflux.link.testing.ScriptedMqttLink;
import io.thingflux.mqtt.MqttQos;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import reactor.test.util.RaceTestUtils;

/** One device's view of a gateway's link: acknowledgement, routing, end, offline publishes. */
class RoutedLinkTest {

    private static final LinkMessage M =
            new LinkMessage(
                    "/sys/pk/dn/thing/service/property/set",
                    new byte[0],
                    MqttQos.AT_MOST_ONCE,
                    false);

    private final ScriptedMqttLink gateway = new ScriptedMqttLink();

    private final RoutedLink.Owner owner =
            new RoutedLink.Owner() {
                @Override
                public Mono<Void> disconnect(RoutedLink link) {
                    return Mono.empty();
                }

                @Override
                public RuntimeException offline(RoutedLink link) {
                    return new IllegalStateException("offline");
                }
            };

    @Test
    void subscribingAcknowledgesAtOnceAndSubscribesNothingOnTheWire() {
        RoutedLink link = new RoutedLink(gateway, owner);
        List<SubscribeAck> acks = new CopyOnWriteArrayList<>();
        List<LinkMessage> got = new CopyOnWriteArrayList<>();
        link.subscribe(List.of("a/b"), MqttQos.AT_LEAST_ONCE, acks::add).subscribe(got::add);
        assertThat(acks).containsExactly(new SubscribeAck(List.of("a/b"), List.of()));
        assertThat(gateway.subscribeCalls()).isEmpty();
        link.deliver(M);
        assertThat(got).containsExactly(M);
    }

    @Test
    void aPublishWhileOfflineFailsWithTheOwnersError() {
        RoutedLink link = new RoutedLink(gateway, owner);
        StepVerifier.create(link.publish("/sys/pk/dn/x", new byte[0], MqttQos.AT_MOST_ONCE))
                .expectErrorMessage("offline")
                .verify();
        link.online(true);
        gateway.connect().block();
        link.publish("/sys/pk/dn/x", new byte[0], MqttQos.AT_MOST_ONCE).block();
        assertThat(gateway.publishedTo("/sys/pk/dn/x")).hasSize(1);
    }

    @Test
    void aLinkEndedBeforeItsSubscriptionCompletesItAtOnce() {
        RoutedLink link = new RoutedLink(gateway, owner);
        link.end();
        StepVerifier.create(link.subscribe(List.of("a/b"), MqttQos.AT_MOST_ONCE, a -> {}))
                .verifyComplete();
    }

    /** Messages on the I/O thread racing the end on another: nothing after it, one completion. */
    @Test
    void deliveriesRacingTheEndNeverFollowIt() {
        for (int round = 0; round < 2_000; round++) {
            RoutedLink link = new RoutedLink(gateway, owner);
            AtomicInteger afterEnd = new AtomicInteger();
            AtomicInteger completions = new AtomicInteger();
            boolean[] done = new boolean[1];
            link.subscribe(List.of("a/b"), MqttQos.AT_MOST_ONCE, a -> {})
                    .subscribe(
                            new BaseSubscriber<>() {
                                @Override
                                protected void hookOnNext(LinkMessage value) {
                                    if (done[0]) {
                                        afterEnd.incrementAndGet();
                                    }
                                }

                                @Override
                                protected void hookOnComplete() {
                                    done[0] = true;
                                    completions.incrementAndGet();
                                }
                            });
            RaceTestUtils.race(
                    () -> {
                        for (int i = 0; i < 20; i++) {
                            link.deliver(M);
                        }
                    },
                    link::end);
            link.end();
            assertThat(afterEnd).hasValue(0);
            assertThat(completions).hasValue(1);
        }
    }
}
