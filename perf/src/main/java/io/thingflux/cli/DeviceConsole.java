package io.thingflux.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thingflux.alink.AlinkJson;
import io.thingflux.alink.AlinkReplyException;
import io.thingflux.alink.AliyunDevice;
import io.thingflux.alink.AliyunDeviceOptions;
import io.thingflux.alink.PlatformServices;
import io.thingflux.alink.ThingMessage;
import io.thingflux.aliyun.AliyunDeviceIdentity;
import io.thingflux.aliyun.AliyunSigner;
import io.thingflux.link.outbox.FileOutboxOptions;
import io.thingflux.link.outbox.FsyncPolicy;
import io.thingflux.link.outbox.OutboxStorage;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;
import reactor.core.publisher.Mono;

/**
 * The console of one Aliyun thing-model device, shared by {@code thingflux device} and {@code
 * thingflux ec600s} (each adds only its transport): a picocli mixin with the device's identity and
 * how it posts and answers, and the loop that connects the device, prints every incoming thing
 * message as a JSON line, answers requests, posts each JSON object read from stdin as properties
 * and prints its reply, until EOF on stdin, a signal or the end of the connection.
 */
final class DeviceConsole extends ThingConsoleOptions {

    private static final Logger log = LoggerFactory.getLogger(DeviceConsole.class);

    @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
    CommandLine.Model.CommandSpec command;

    @ArgGroup(exclusive = false, multiplicity = "1", heading = "Device:%n")
    DeviceIdentityOptions device;

    @Option(
            names = "--sync-time",
            description =
                    "Ask the platform for its time (NTP) once connected and print the response.")
    boolean syncTime;

    @Option(
            names = "--outbox",
            paramLabel = "DIR",
            description =
                    "Keep unacknowledged QoS 1 posts in a crash-safe file log under DIR (one directory "
                            + "per device, locked): a restarted device sends them first. Default: in memory.")
    Path outbox;

    @Option(
            names = "--outbox-fsync",
            paramLabel = "POLICY",
            description =
                    "With --outbox: always (each post synced before it leaves), never, or a number of "
                            + "ms between syncs (default ${DEFAULT-VALUE}).")
    String outboxFsync = "100ms";

    @Option(
            names = "--ota-dir",
            paramLabel = "DIR",
            description =
                    "Download each firmware the platform offers (OTA upgrade notice) into DIR as "
                            + "MODULE-VERSION.bin, checked against its size and MD5/SHA-256, reporting "
                            + "progress to the platform (each 10 %, -2/-3 on failure) and on stderr; "
                            + "prints {\"type\":\"ota_downloaded\"|\"ota_failed\",..}.")
    Path otaDir;

    /** The device triple. @throws IllegalArgumentException when a part is blank or malformed */
    AliyunDeviceIdentity identity() {
        return device.identity();
    }

    /** A signer for secure mode 2 (TLS) or 3 (TCP) with the chosen method. */
    AliyunSigner signer(boolean tls) {
        return device.signer(tls);
    }

    /** The legacy public instance's host of {@code identity} in the chosen region. */
    String legacyHost(AliyunDeviceIdentity identity) {
        return legacyHost(identity.productKey());
    }

    /**
     * Where the link keeps its outbox: a file log under {@code --outbox} with {@code
     * --outbox-fsync}, else in memory. @throws IllegalArgumentException for a bad fsync policy
     */
    OutboxStorage outboxStorage() {
        FsyncPolicy fsync = FsyncPolicy.parse(outboxFsync);
        return outbox != null ? FileOutboxOptions.in(outbox).fsync(fsync) : OutboxStorage.memory();
    }

    /**
     * The device options these arguments describe. @throws IllegalArgumentException for a bad QoS
     */
    AliyunDeviceOptions deviceOptions() {
        AliyunDeviceOptions.Builder b = AliyunDeviceOptions.builder().publishQos(publishQos());
        // shadow pushes and the replies of the platform services
        PlatformServices.subscribe(b, device.productKey, device.deviceName);
        return b.build();
    }

    /**
     * Connects {@code aliyunDevice}, runs the console until EOF, a signal or the end of the
     * connection, and disconnects; returns the exit code (1 with a one-line reason on stderr when
     * it cannot connect or the connection ends).
     *
     * @param target where the device connects to, for the error line
     */
    int run(AliyunDevice aliyunDevice, String target) {
        PrintWriter err = command.commandLine().getErr();
        String name = "thingflux " + command.name();
        try {
            try {
                aliyunDevice.connect().block();
            } catch (RuntimeException e) {
                err.println(name + ": cannot connect " + target + ": " + FailureReason.of(e));
                err.flush();
                return 1;
            }
            log.info("connected {} as {}/{}", target, device.productKey, device.deviceName);
            String failure = loop(aliyunDevice, new JsonLines(command.commandLine().getOut()));
            if (failure == null) {
                return 0;
            }
            err.println(name + ": " + failure);
            err.flush();
            return 1;
        } finally {
            try {
                aliyunDevice.disconnect().block(FailureReason.CLOSE_TIMEOUT);
            } catch (RuntimeException e) {
                log.debug("disconnect: {}", FailureReason.of(e));
            }
        }
    }

    /**
     * The stdin/stdout loop on a connected device; null for a clean end (EOF, a signal), else the
     * reason of the failure.
     */
    private String loop(AliyunDevice aliyunDevice, JsonLines out) {
        CompletableFuture<String> end = new CompletableFuture<>();
        ProcessSignals.onInterrupt(() -> end.complete(null));
        aliyunDevice
                .messages()
                .subscribe(
                        m -> onMessage(aliyunDevice, m, out),
                        e -> end.complete("the connection ended: " + FailureReason.of(e)),
                        () -> end.complete("the connection ended"));
        if (syncTime) {
            // the response is printed as it arrives, like every incoming message; only a failure is
            // printed here
            aliyunDevice
                    .syncTime()
                    .subscribe(r -> {}, e -> out.write(error(0, "NTP: " + FailureReason.of(e))));
        }
        postStdin(aliyunDevice, System.in, out)
                .subscribe(
                        null,
                        e -> end.complete("reading stdin failed: " + FailureReason.of(e)),
                        () -> end.complete(null));
        return end.join();
    }

    /**
     * Posts each stdin line as properties, at most {@link #MAX_POSTS_IN_FLIGHT} at once; completes
     * at EOF when all are answered.
     */
    static Mono<Void> postStdin(AliyunDevice device, InputStream in, JsonLines out) {
        return postEachLine(in, (line, text) -> post(device, line, text, out));
    }

    /** Posts one line and prints its outcome; never fails. */
    private static Mono<Void> post(AliyunDevice device, long line, String text, JsonLines out) {
        Map<String, Object> properties;
        Mono<ObjectNode> outcome;
        try {
            properties = AlinkJson.decodeObject(text.getBytes(StandardCharsets.UTF_8), "the line");
            outcome =
                    device.postProperties(properties)
                            .map(
                                    r -> {
                                        ObjectNode n =
                                                JsonLines.object()
                                                        .put("type", "reply")
                                                        .put("line", line);
                                        return ThingMessageJson.reply(n, r);
                                    });
        } catch (
                RuntimeException
                        e) { // malformed JSON, not an object, refused identifiers or values
            outcome = Mono.just(error(line, FailureReason.of(e)));
        }
        return outcome.onErrorResume(
                        e -> {
                            if (e instanceof AlinkReplyException r) {
                                return Mono.just(
                                        ThingMessageJson.reply(
                                                JsonLines.object()
                                                        .put("type", "reply")
                                                        .put("line", line),
                                                r.reply()));
                            }
                            return Mono.just(error(line, FailureReason.of(e)));
                        })
                .doOnNext(out::write)
                .then();
    }

    private void onMessage(AliyunDevice aliyunDevice, ThingMessage message, JsonLines out) {
        if (message instanceof ThingMessage.Reply) {
            return; // replies to posts are printed by the post that awaited them
        }
        out.write(ThingMessageJson.toJson(message));
        if (otaDir != null
                && message instanceof ThingMessage.OtaUpgrade upgrade
                && "1000".equals(upgrade.code())) {
            OtaDownloads.start(aliyunDevice, upgrade, otaDir, out, command.commandLine().getErr());
        }
        if (noAutoReply
                || !(message instanceof ThingMessage.Request request)
                || !replyWanted(request)) {
            return;
        }
        aliyunDevice
                .reply(request, replyCode, Map.of())
                .subscribe(
                        v -> {},
                        e ->
                                log.warn(
                                        "answering {} id {} failed: {}",
                                        ThingMessageJson.type(message),
                                        request.id(),
                                        FailureReason.of(e)),
                        () ->
                                log.info(
                                        "answered {} id {} with {}",
                                        ThingMessageJson.type(message),
                                        request.id(),
                                        replyCode));
    }

    private static boolean replyWanted(ThingMessage.Request request) {
        if (request instanceof ThingMessage.PropertySet p) {
            return p.request().replyWanted();
        } else if (request instanceof ThingMessage.ServiceCall s) {
            return s.request().replyWanted();
        } else if (request instanceof ThingMessage.ConfigPush c) {
            return c.request().replyWanted();
        }
        return true; // RRPC: the caller waits for an answer
    }

    private static ObjectNode error(long line, String reason) {
        ObjectNode n = JsonLines.object().put("type", "error");
        if (line > 0) {
            n.put("line", line);
        }
        return n.put("error", reason);
    }
}
