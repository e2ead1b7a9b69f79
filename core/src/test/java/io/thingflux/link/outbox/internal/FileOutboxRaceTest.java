package io.thingflux.link.outbox.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.thingflux.link.LinkMessage;
import io.thingflux.link.outbox.FileOutboxOptions;
import io.thingflux.link.outbox.FsyncPolicy;
import io.thingflux.link.outbox.OutboxStorageException;
import io.thingflux.mqtt.MqttQos;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.test.util.RaceTestUtils;

/** Close from another thread racing an append, with the interval syncer running. */
class FileOutboxRaceTest {

    @TempDir Path tmp;

    @Test
    void closeRacingAnAppendLeavesAReadableLogAndAFreeDirectory() {
        FileOutboxOptions options =
                FileOutboxOptions.in(tmp)
                        .segmentBytes(1024)
                        .fsync(FsyncPolicy.every(Duration.ofMillis(1)));
        LinkMessage m = new LinkMessage("t", new byte[100], MqttQos.AT_LEAST_ONCE, false);
        int stored = 0;
        for (int i = 0; i < 200; i++) {
            FileOutbox o = FileOutbox.open(options, "race");
            assertThat(o.recovered().publishes()).hasSize(stored);
            AtomicReference<Object> appended = new AtomicReference<>();
            RaceTestUtils.race(
                    () -> {
                        try {
                            appended.set(o.append(m));
                        } catch (OutboxStorageException e) {
                            appended.set(e);
                        }
                    },
                    o::close);
            o.close();
            if (appended.get() instanceof Long) {
                stored++;
            } else {
                assertThat(appended.get())
                        .asInstanceOf(
                                org.assertj.core.api.InstanceOfAssertFactories.throwable(
                                        OutboxStorageException.class))
                        .hasMessageContaining("closed");
            }
        }
        try (FileOutbox o = FileOutbox.open(options, "race")) {
            assertThat(o.recovered().publishes()).hasSize(stored);
        }
    }
}
