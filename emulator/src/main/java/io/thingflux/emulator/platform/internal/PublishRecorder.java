package io.thingflux.emulator.platform.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thingflux.emulator.platform.ReceivedPublish;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Appends every received PUBLISH to a file as one JSON line {@code
 * {"ts","clientId","productKey","deviceName","topic","qos","payload"}} (payload as UTF-8 text, or
 * base64 with {@code "encoding":"base64"} when it is not valid UTF-8). The file is opened for
 * append, so a restarted broker adds to it. Each line is written with one unbuffered write as soon
 * as it is taken from the queue, so it survives a crash of the process.
 *
 * <p>Writing happens on one dedicated thread, never on an event loop, behind a queue bounded at the
 * configured limit: when it is full the publish is not recorded and the broker's {@code
 * recordingDrops} counter says so. Passwords and secrets are never part of a line (a PUBLISH
 * carries none).
 */
final class PublishRecorder implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PublishRecorder.class);

    private final FileOutputStream out;
    private final ThreadPoolExecutor writer;
    private final BrokerCounters counters;

    PublishRecorder(Path file, int queueLimit, BrokerCounters counters) {
        this.counters = counters;
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                java.nio.file.Files.createDirectories(parent);
            }
            this.out = new FileOutputStream(file.toFile(), true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the recording file " + file, e);
        }
        this.writer =
                new ThreadPoolExecutor(
                        1,
                        1,
                        0,
                        TimeUnit.MILLISECONDS,
                        new ArrayBlockingQueue<>(queueLimit),
                        r -> {
                            Thread t = new Thread(r, "thingflux-broker-recorder");
                            t.setDaemon(true);
                            return t;
                        },
                        (r, executor) -> counters.recordingDrops.increment());
    }

    void record(ReceivedPublish publish) {
        writer.execute(() -> write(publish));
    }

    private void write(ReceivedPublish p) {
        try {
            out.write(line(p));
        } catch (IOException e) {
            counters.recordingDrops.increment();
            log.warn("cannot append to the recording: {}", e.toString());
        }
    }

    static byte[] line(ReceivedPublish p) {
        ObjectNode line = EmulatorJson.object();
        line.put("ts", p.timestampMillis());
        line.put("clientId", p.clientId());
        line.put("productKey", p.productKey());
        line.put("deviceName", p.deviceName());
        line.put("topic", p.topic());
        line.put("qos", p.qos());
        String text = utf8OrNull(p.payload());
        if (text != null) {
            line.put("payload", text);
        } else {
            line.put("payload", Base64.getEncoder().encodeToString(p.payload()));
            line.put("encoding", "base64");
        }
        byte[] json = EmulatorJson.bytes(line);
        byte[] out = Arrays.copyOf(json, json.length + 1);
        out[json.length] = '\n';
        return out;
    }

    private static String utf8OrNull(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /** Writes what is queued, then closes the file. */
    @Override
    public void close() {
        writer.shutdown();
        try {
            if (!writer.awaitTermination(10, TimeUnit.SECONDS)) {
                log.warn("recording queue not drained within 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            out.close();
        } catch (IOException e) {
            log.warn("cannot close the recording: {}", e.toString());
        }
    }
}
