package io.thingflux.link;

import static org.assertj.core.api.Assertions.assertThat;

import io.thingflux.link.testing.ScriptedMqttLink;
import io.thingflux.mqtt.MqttQos;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

/** The single-filter subscribe (the interface's default over the list subscribe) and the scripted link's acks. */
class MqttLinkDefaultSubscribeTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    private final ScriptedMqttLink scripted = new ScriptedMqttLink();

    @Test
    void aSingleFilterIsOneListSubscription() {
        scripted.connect().block(WAIT);
        StepVerifier.create(scripted.subscribe("a/+", MqttQos.AT_LEAST_ONCE).take(1))
                .then(() -> scripted.deliver("a/1", "one"))
                .assertNext(m -> assertThat(m.topic()).isEqualTo("a/1"))
                .expectComplete()
                .verify(WAIT);
        assertThat(scripted.subscribeCalls()).containsExactly(List.of("a/+"));
    }

    @Test
    void aRefusedSingleFilterFails() {
        scripted.connect().block(WAIT);
        scripted.refuse("no/#");
        StepVerifier.create(scripted.subscribe("no/#", MqttQos.AT_MOST_ONCE))
                .expectError(SubscriptionRefusedException.class)
                .verify(WAIT);
    }

    @Test
    void theScriptedLinkRefusesSomeFiltersOfOneSubscriptionAndDeliversTheOthers() {
        scripted.connect().block(WAIT);
        scripted.refuse("no/#");
        List<SubscribeAck> acks = new CopyOnWriteArrayList<>();
        StepVerifier.create(scripted.subscribe(List.of("no/#", "yes/#"), MqttQos.AT_MOST_ONCE, acks::add).take(1))
                .then(() -> assertThat(scripted.deliver("yes/1", "ok")).isEqualTo(1))
                .assertNext(m -> assertThat(m.topic()).isEqualTo("yes/1"))
                .expectComplete()
                .verify(WAIT);
        assertThat(acks).containsExactly(new SubscribeAck(List.of("yes/#"), List.of("no/#")));
        assertThat(scripted.subscribeCalls()).containsExactly(List.of("no/#", "yes/#"));
        assertThat(scripted.unsubscribed()).containsExactly("yes/#");
    }
}
