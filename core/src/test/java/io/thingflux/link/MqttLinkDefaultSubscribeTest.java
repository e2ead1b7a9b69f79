package io.thingflux.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.thingflux.link.testing.ScriptedMqttLink;
import io.thingflux.mqtt.MqttQos;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

/**
 * The single-filter subscribe (the interface's default) and the acknowledgements of a multi-filter
 * one.
 */
class MqttLinkDefaultSubscribeTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    private final ScriptedMqttLink scripted = new ScriptedMqttLink();

    @Test
    void aSingleFilterIsOneSubscriptionOfOneFilter() {
        scripted.connect().block(WAIT);
        StepVerifier.create(scripted.subscribe("a/+", MqttQos.AT_LEAST_ONCE).take(1))
                .then(() -> scripted.deliver("a/1", "one"))
                .assertNext(m -> assertThat(m.topic()).isEqualTo("a/1"))
                .expectComplete()
                .verify(WAIT);
        assertThat(scripted.subscribeCalls()).containsExactly(List.of("a/+"));
    }

    @Test
    void aRefusedSingleFilterFailsWithItsName() {
        scripted.connect().block(WAIT);
        scripted.refuse("no/#");
        StepVerifier.create(scripted.subscribe("no/#", MqttQos.AT_MOST_ONCE))
                .expectErrorSatisfies(
                        e ->
                                assertThat(e)
                                        .isInstanceOfSatisfying(
                                                SubscriptionRefusedException.class,
                                                r ->
                                                        assertThat(r.filters())
                                                                .containsExactly("no/#")))
                .verify(WAIT);
    }

    @Test
    void theAckNamesGrantedAndRefusedFiltersInRequestOrderAndTheOthersCarryOn() {
        scripted.connect().block(WAIT);
        scripted.refuse("no/#");
        List<SubscribeAck> acks = new CopyOnWriteArrayList<>();
        StepVerifier.create(
                        scripted.subscribe(
                                        List.of("no/#", "yes/#", "also/+"),
                                        MqttQos.AT_MOST_ONCE,
                                        acks::add)
                                .take(1))
                .then(() -> assertThat(scripted.deliver("yes/1", "ok")).isEqualTo(1))
                .assertNext(m -> assertThat(m.topic()).isEqualTo("yes/1"))
                .expectComplete()
                .verify(WAIT);
        assertThat(acks)
                .containsExactly(new SubscribeAck(List.of("yes/#", "also/+"), List.of("no/#")));
        assertThat(acks.get(0).allGranted()).isFalse();
        assertThat(scripted.subscribeCalls()).containsExactly(List.of("no/#", "yes/#", "also/+"));
        assertThat(scripted.unsubscribed()).containsExactly("yes/#", "also/+");
    }

    @Test
    void whenEveryFilterIsRefusedTheAckComesFirstThenItFails() {
        scripted.connect().block(WAIT);
        scripted.refuse("no/1").refuse("no/2");
        List<SubscribeAck> acks = new CopyOnWriteArrayList<>();
        StepVerifier.create(
                        scripted.subscribe(
                                List.of("no/1", "no/2"), MqttQos.AT_MOST_ONCE, acks::add))
                .expectErrorSatisfies(
                        e -> {
                            assertThat(acks)
                                    .containsExactly(
                                            new SubscribeAck(List.of(), List.of("no/1", "no/2")));
                            assertThat(((SubscriptionRefusedException) e).filters())
                                    .containsExactly("no/1", "no/2");
                        })
                .verify(WAIT);
    }

    @Test
    void aHeldAckDelaysDeliveryUntilReleased() {
        scripted.connect().block(WAIT);
        scripted.holdAcks();
        List<SubscribeAck> acks = new CopyOnWriteArrayList<>();
        StepVerifier.create(
                        scripted.subscribe(List.of("a/#"), MqttQos.AT_MOST_ONCE, acks::add).take(1))
                .then(
                        () -> {
                            assertThat(scripted.deliver("a/0", "before"))
                                    .as("not subscribed yet")
                                    .isZero();
                            assertThat(acks).isEmpty();
                            assertThat(scripted.releaseAcks()).isEqualTo(1);
                            assertThat(acks)
                                    .singleElement()
                                    .satisfies(a -> assertThat(a.allGranted()).isTrue());
                            scripted.deliver("a/1", "after");
                        })
                .assertNext(m -> assertThat(m.payloadAsString()).isEqualTo("after"))
                .expectComplete()
                .verify(WAIT);
    }

    @Test
    void noFilterIsRefusedAtTheCall() {
        assertThatThrownBy(() -> scripted.subscribe(List.of(), MqttQos.AT_MOST_ONCE, a -> {}))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
