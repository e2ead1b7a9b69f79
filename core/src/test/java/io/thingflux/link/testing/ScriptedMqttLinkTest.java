package io.thingflux.link.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.thingflux.link.LinkMessage;
import io.thingflux.link.LinkState;
import io.thingflux.link.SubscriptionRefusedException;
import io.thingflux.mqtt.MqttQos;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.test.StepVerifier;

class ScriptedMqttLinkTest {

    @Test
    void deliversToMatchingSubscriptionsAndOtherwiseToUnsolicited() {
        ScriptedMqttLink link = new ScriptedMqttLink();
        link.connect().block(Duration.ofSeconds(5));
        StepVerifier.create(link.subscribe("/a/+", MqttQos.AT_LEAST_ONCE).take(1))
                .then(() -> assertThat(link.deliver("/a/b", "x")).isEqualTo(1))
                .assertNext(m -> assertThat(m.payloadAsString()).isEqualTo("x"))
                .verifyComplete();
        assertThat(link.unsubscribed()).containsExactly("/a/+");
        StepVerifier.create(link.unsolicited().take(1))
                .then(() -> assertThat(link.deliver("/ext/register", "{}")).isEqualTo(1))
                .assertNext(m -> assertThat(m.topic()).isEqualTo("/ext/register"))
                .verifyComplete();
        assertThat(link.deliver("/nobody", "y")).isZero();
        assertThat(link.undelivered()).extracting(LinkMessage::topic).containsExactly("/nobody");
    }

    @Test
    void refusedFiltersErrorAndAreRecorded() {
        ScriptedMqttLink link = new ScriptedMqttLink().refuse("/no");
        StepVerifier.create(link.subscribe("/no", MqttQos.AT_MOST_ONCE))
                .expectError(SubscriptionRefusedException.class)
                .verify(Duration.ofSeconds(5));
        assertThat(link.subscribeRequests())
                .containsExactly(
                        new ScriptedMqttLink.SubscribeRequest("/no", MqttQos.AT_MOST_ONCE));
        assertThat(link.activeFilters()).isEmpty();
    }

    @Test
    void publishesAreRecordedAndResponderAnswers() {
        ScriptedMqttLink link =
                new ScriptedMqttLink()
                        .onPublish(
                                "/req", (m, l) -> l.deliver("/resp", "re:" + m.payloadAsString()));
        link.connect().block(Duration.ofSeconds(5));
        Disposable d = link.subscribe("/resp", MqttQos.AT_MOST_ONCE).subscribe();
        StepVerifier.create(
                        link.subscribe("/resp", MqttQos.AT_MOST_ONCE)
                                .take(1)
                                .doOnSubscribe(
                                        s ->
                                                link.publish(
                                                                "/req",
                                                                "q"
                                                                        .getBytes(
                                                                                StandardCharsets
                                                                                        .UTF_8),
                                                                MqttQos.AT_MOST_ONCE)
                                                        .subscribe()))
                .assertNext(m -> assertThat(m.payloadAsString()).isEqualTo("re:q"))
                .verifyComplete();
        d.dispose();
        assertThat(link.publishedTo("/req")).hasSize(1);
    }

    @Test
    void publishBeforeConnectFailsAndDisconnectCloses() {
        ScriptedMqttLink link = new ScriptedMqttLink();
        StepVerifier.create(link.publish("/t", new byte[0], MqttQos.AT_MOST_ONCE))
                .expectError(IllegalStateException.class)
                .verify();
        link.connect().then(link.disconnect()).block(Duration.ofSeconds(5));
        assertThat(link.state()).isEqualTo(LinkState.CLOSED);
        assertThat(link.published()).isEmpty();
    }
}
