package io.thingflux.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.thingflux.link.testing.ScriptedMqttLink;
import io.thingflux.mqtt.MqttQos;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/** The default multi-filter subscribe, over a link that only knows single subscriptions. */
class MqttLinkDefaultSubscribeTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    private final ScriptedMqttLink scripted = new ScriptedMqttLink();
    private final MqttLink link = new SingleFilterLink(scripted);

    @Test
    void subscribesEachFilterAndMergesTheirMessages() {
        scripted.connect().block(WAIT);
        StepVerifier.create(link.subscribe(List.of("a/+", "b/#"), MqttQos.AT_LEAST_ONCE, f -> { }).take(2))
                .then(() -> {
                    scripted.deliver("a/1", "one");
                    scripted.deliver("b/2/3", "two");
                })
                .assertNext(m -> assertThat(m.topic()).isEqualTo("a/1"))
                .assertNext(m -> assertThat(m.topic()).isEqualTo("b/2/3"))
                .expectComplete()
                .verify(WAIT);
        assertThat(scripted.subscribeCalls()).containsExactly(List.of("a/+"), List.of("b/#"));
        assertThat(scripted.unsubscribed()).containsExactlyInAnyOrder("a/+", "b/#");
    }

    @Test
    void aRefusedFilterIsReportedAndTheOthersCarryOn() {
        scripted.connect().block(WAIT);
        scripted.refuse("no/#");
        List<String> refused = new CopyOnWriteArrayList<>();
        StepVerifier.create(link.subscribe(List.of("no/#", "yes/#"), MqttQos.AT_MOST_ONCE, refused::add).take(1))
                .then(() -> scripted.deliver("yes/1", "ok"))
                .assertNext(m -> assertThat(m.topic()).isEqualTo("yes/1"))
                .expectComplete()
                .verify(WAIT);
        assertThat(refused).containsExactly("no/#");
    }

    @Test
    void whenEveryFilterIsRefusedEachIsReportedThenItFails() {
        scripted.connect().block(WAIT);
        scripted.refuse("no/1").refuse("no/2");
        List<String> refused = new CopyOnWriteArrayList<>();
        StepVerifier.create(link.subscribe(List.of("no/1", "no/2"), MqttQos.AT_MOST_ONCE, refused::add))
                .expectError(SubscriptionRefusedException.class)
                .verify(WAIT);
        assertThat(refused).containsExactlyInAnyOrder("no/1", "no/2");
    }

    @Test
    void noFilterIsRefusedAtTheCall() {
        assertThatThrownBy(() -> link.subscribe(List.of(), MqttQos.AT_MOST_ONCE, f -> { }))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theScriptedLinkRefusesSomeFiltersOfOneSubscriptionAndDeliversTheOthers() {
        scripted.connect().block(WAIT);
        scripted.refuse("no/#");
        List<String> refused = new CopyOnWriteArrayList<>();
        StepVerifier.create(scripted.subscribe(List.of("no/#", "yes/#"), MqttQos.AT_MOST_ONCE, refused::add).take(1))
                .then(() -> assertThat(scripted.deliver("yes/1", "ok")).isEqualTo(1))
                .assertNext(m -> assertThat(m.topic()).isEqualTo("yes/1"))
                .expectComplete()
                .verify(WAIT);
        assertThat(refused).containsExactly("no/#");
        assertThat(scripted.subscribeCalls()).containsExactly(List.of("no/#", "yes/#"));
        assertThat(scripted.unsubscribed()).containsExactly("yes/#");
    }

    /** Only the single-filter methods: the multi-filter subscribe is the interface's default. */
    private record SingleFilterLink(MqttLink delegate) implements MqttLink {
        @Override
        public Mono<Void> connect() {
            return delegate.connect();
        }

        @Override
        public Mono<Void> disconnect() {
            return delegate.disconnect();
        }

        @Override
        public LinkState state() {
            return delegate.state();
        }

        @Override
        public Flux<LinkState> states() {
            return delegate.states();
        }

        @Override
        public Mono<Void> publish(String topic, byte[] payload, MqttQos qos) {
            return delegate.publish(topic, payload, qos);
        }

        @Override
        public Flux<LinkMessage> subscribe(String filter, MqttQos qos) {
            return delegate.subscribe(filter, qos);
        }

        @Override
        public Flux<LinkMessage> unsolicited() {
            return delegate.unsolicited();
        }
    }
}
