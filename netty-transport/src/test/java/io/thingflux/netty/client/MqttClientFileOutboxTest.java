package io.thingflux.netty.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.thingflux.link.LinkMessage;
import io.thingflux.link.PublishRefusedException;
import io.thingflux.link.ReconnectPolicy;
import io.thingflux.link.outbox.FileOutboxOptions;
import io.thingflux.link.outbox.FsyncPolicy;
import io.thingflux.link.outbox.OutboxLockedException;
import io.thingflux.link.outbox.OverflowPolicy;
import io.thingflux.link.outbox.internal.FileOutbox;
import io.thingflux.mqtt.MqttQos;
import io.thingflux.mqtt.PubAck;
import io.thingflux.mqtt.PubComp;
import io.thingflux.mqtt.PubRec;
import io.thingflux.mqtt.PubRel;
import io.thingflux.mqtt.Publish;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client over a file outbox: what one client leaves unfinished, the next one finishes. */
class MqttClientFileOutboxTest extends ClientTestSupport {

    private static final ReconnectPolicy FAST =
            ReconnectPolicy.exponential().withDelays(Duration.ofMillis(20), Duration.ofMillis(100));

    @TempDir Path dir;

    private FileOutboxOptions file() {
        return FileOutboxOptions.in(dir).fsync(FsyncPolicy.never());
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private FileOutbox reopen() {
        return FileOutbox.open(file(), "test-client");
    }

    @Test
    void whatOneClientLeftUnacknowledgedTheNextSendsFirstWithDup() throws Exception {
        MqttClient first = client(options().outboxStorage(file()));
        ScriptedBroker.Connection c1 = connect(first, false);
        List<PublishResult> done = new CopyOnWriteArrayList<>();
        first.publish("o/1", bytes("one"), MqttQos.AT_LEAST_ONCE).subscribe(done::add);
        first.publish("o/2", bytes("two"), MqttQos.AT_LEAST_ONCE).subscribe(r -> {}, e -> {});
        Publish one = c1.expect(Publish.class);
        c1.expect(Publish.class);
        c1.send(new PubAck(one.packetId()));
        await(() -> done.size() == 1, "o/1 acknowledged");
        // held by the client: nobody else may open it
        org.assertj.core.api.Assertions.assertThatThrownBy(this::reopen)
                .isInstanceOf(OutboxLockedException.class);
        // the second is still unacknowledged when the client goes away
        first.disconnect().block(WAIT);

        MqttClient second = client(options().outboxStorage(file()));
        List<PublishResult> results = new CopyOnWriteArrayList<>();
        second.publish("o/3", bytes("three"), MqttQos.AT_LEAST_ONCE).subscribe(results::add);
        ScriptedBroker.Connection c2 = connect(second, false);
        Publish again = c2.expect(Publish.class);
        assertThat(again.topic()).isEqualTo("o/2");
        assertThat(again.dup()).isTrue();
        Publish three = c2.expect(Publish.class);
        assertThat(three.topic()).isEqualTo("o/3");
        assertThat(three.dup()).isFalse();
        c2.send(new PubAck(again.packetId()));
        c2.send(new PubAck(three.packetId()));
        await(() -> results.size() == 1, "o/3 result");
        second.disconnect().block(WAIT);
        try (FileOutbox o = reopen()) {
            assertThat(o.recovered().publishes()).isEmpty();
        }
    }

    @Test
    void aQos2PastPubRecGoesOnWithPubRelInTheNextClient() throws Exception {
        MqttClient first = client(options().outboxStorage(file()).cleanSession(false));
        ScriptedBroker.Connection c1 = connect(first, false);
        first.publish("q2/1", bytes("x"), MqttQos.EXACTLY_ONCE).subscribe(r -> {}, e -> {});
        Publish p = c1.expect(Publish.class);
        c1.send(new PubRec(p.packetId()));
        c1.expect(PubRel.class);
        first.disconnect().block(WAIT);

        MqttClient second = client(options().outboxStorage(file()).cleanSession(false));
        ScriptedBroker.Connection c2 = connect(second, true);
        assertThat(c2.expect(PubRel.class).packetId()).isEqualTo(p.packetId());
        c2.send(new PubComp(p.packetId()));
        c2.expectNothingFor(Duration.ofMillis(100));
        second.disconnect().block(WAIT);
        try (FileOutbox o = reopen()) {
            assertThat(o.recovered().publishes()).isEmpty();
        }
    }

    @Test
    void anIncomingQos2DeliveredBeforeARestartIsNotDeliveredAgain() throws Exception {
        MqttClient first = client(options().outboxStorage(file()).cleanSession(false));
        List<LinkMessage> got1 = new CopyOnWriteArrayList<>();
        ScriptedBroker.Connection c1 = connect(first, false);
        first.unsolicited().subscribe(got1::add);
        c1.send(new Publish("in/1", MqttQos.EXACTLY_ONCE, false, false, 7, bytes("once")));
        assertThat(c1.expect(PubRec.class).packetId()).isEqualTo(7);
        await(() -> got1.size() == 1, "first delivery");
        first.disconnect().block(WAIT);

        MqttClient second = client(options().outboxStorage(file()).cleanSession(false));
        List<LinkMessage> got2 = new CopyOnWriteArrayList<>();
        second.unsolicited().subscribe(got2::add);
        ScriptedBroker.Connection c2 = connect(second, true);
        c2.send(new Publish("in/1", MqttQos.EXACTLY_ONCE, true, false, 7, bytes("once")));
        assertThat(c2.expect(PubRec.class).packetId()).isEqualTo(7);
        c2.send(new PubRel(7));
        assertThat(c2.expect(PubComp.class).packetId()).isEqualTo(7);
        c2.send(new Publish("in/2", MqttQos.EXACTLY_ONCE, false, false, 8, bytes("new")));
        c2.expect(PubRec.class);
        await(() -> got2.size() == 1, "the new message");
        assertThat(got2.get(0).topic()).isEqualTo("in/2");
        second.disconnect().block(WAIT);
    }

    @Test
    void aPublishTheBrokerAnswersByClosingFailsAfterTheAttemptsAndLeavesTheOutbox()
            throws Exception {
        MqttClient client =
                client(options().outboxStorage(file()).reconnect(FAST).publishAttempts(2));
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        List<PublishResult> ok = new CopyOnWriteArrayList<>();
        ScriptedBroker.Connection c1 = connect(client, false);
        client.publish("acl/denied", bytes("x"), MqttQos.AT_LEAST_ONCE)
                .subscribe(r -> {}, errors::add);
        client.publish("acl/allowed", bytes("y"), MqttQos.AT_LEAST_ONCE).subscribe(ok::add);
        c1.expect(Publish.class);
        c1.close(); // the ACL answer of MQTT 3.1.1
        ScriptedBroker.Connection c2 = acceptNext(client, false);
        assertThat(c2.expect(Publish.class).topic()).isEqualTo("acl/denied");
        Publish allowed = c2.expect(Publish.class);
        c2.close();
        await(() -> errors.size() == 1, "the refused publish failing");
        assertThat(errors.get(0))
                .isInstanceOf(PublishRefusedException.class)
                .hasMessageContaining("acl/denied")
                .hasMessageContaining("2 time(s)");
        ScriptedBroker.Connection c3 = acceptNext(client, false);
        Publish next = c3.expect(Publish.class);
        assertThat(next.topic()).isEqualTo(allowed.topic());
        c3.send(new PubAck(next.packetId()));
        await(() -> ok.size() == 1, "the allowed publish");
        client.disconnect().block(WAIT);
        try (FileOutbox o = reopen()) {
            assertThat(o.recovered().publishes()).isEmpty();
        }
    }

    @Test
    void aFullLogRefusesOrEvictsWithTheOutboxPolicy() throws Exception {
        MqttClient failing = client(options().outboxStorage(file().bounds(2, 1 << 20)));
        List<String> outcome = new CopyOnWriteArrayList<>();
        for (int i = 0; i < 3; i++) {
            int n = i;
            failing.publish("f/" + i, bytes("x"), MqttQos.AT_LEAST_ONCE)
                    .subscribe(r -> {}, e -> outcome.add(n + " " + e.getClass().getSimpleName()));
        }
        await(() -> outcome.size() == 1, "the third refused");
        assertThat(outcome).containsExactly("2 OutboxFullException");
        failing.disconnect().block(WAIT);

        MqttClient dropping =
                client(
                        options()
                                .outboxStorage(file().bounds(2, 1 << 20))
                                .outbox(100, OverflowPolicy.DROP_OLDEST));
        List<Throwable> evicted = new CopyOnWriteArrayList<>();
        // the two read back from the first client fill the log: the oldest makes room
        dropping.publish("d/0", bytes("x"), MqttQos.AT_LEAST_ONCE).subscribe(r -> {}, evicted::add);
        dropping.disconnect().block(WAIT);
        try (FileOutbox o = reopen()) {
            assertThat(o.recovered().publishes())
                    .extracting(p -> p.message().topic())
                    .containsExactly("f/1", "d/0");
        }
        assertThat(evicted).singleElement().isInstanceOf(MqttClosedException.class);
    }
}
