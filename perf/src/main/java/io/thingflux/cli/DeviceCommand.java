package io.thingflux.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thingflux.alink.AlinkJson;
import io.thingflux.alink.AlinkReplyException;
import io.thingflux.alink.AliyunDevice;
import io.thingflux.alink.AliyunDeviceOptions;
import io.thingflux.alink.ThingMessage;
import io.thingflux.aliyun.AliyunDeviceIdentity;
import io.thingflux.aliyun.AliyunEndpoints;
import io.thingflux.mqtt.MqttQos;
import io.thingflux.netty.client.MqttClientOptions;
import io.thingflux.netty.client.MqttClientResources;
import io.thingflux.netty.client.NettyMqttLink;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import reactor.core.Exceptions;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * {@code thingflux device}: one Aliyun thing-model device on the Netty link. Prints every incoming thing
 * message as a JSON line, answers property sets and service calls, posts each JSON object read from stdin
 * as properties and prints the reply. EOF on stdin, SIGINT or SIGTERM disconnect and exit 0.
 */
@Command(name = "device",
        mixinStandardHelpOptions = true,
        description = {
                "Connects one Aliyun IoT thing-model device and streams every incoming thing message (property "
                        + "set, service call, RRPC, config push, NTP, OTA, raw) to stdout as one JSON object per "
                        + "line, with a \"type\" naming its kind. Property sets and service calls are answered "
                        + "with code 200 unless --no-auto-reply.",
                "Each JSON object read from stdin (one per line) is posted as properties; its reply is printed as "
                        + "{\"type\":\"reply\",\"line\":N,\"id\":..,\"code\":..,\"data\":..}, a failure as "
                        + "{\"type\":\"error\",\"line\":N,\"error\":..}. Logs go to stderr.",
                "EOF on stdin, SIGINT or SIGTERM: DISCONNECT, exit 0. A refused or lost connection: exit 1 with "
                        + "a one-line reason on stderr."})
public final class DeviceCommand implements Callable<Integer> {

    /** Posts awaiting their reply at once; further stdin lines wait (the rest of stdin is not read meanwhile). */
    static final int MAX_POSTS_IN_FLIGHT = 64;
    /** How long disconnecting may take before the command exits anyway. */
    static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);

    private static final Logger log = LoggerFactory.getLogger(DeviceCommand.class);

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @ArgGroup(exclusive = false, multiplicity = "1", heading = "Device:%n")
    DeviceIdentityOptions device;

    @Mixin
    ConnectionOptions connection;

    @Option(names = "--region", paramLabel = "REGION",
            description = "Region of the legacy public instance; the host is PK.iot-as-mqtt.REGION.aliyuncs.com "
                    + "(default: " + AliyunEndpoints.DEFAULT_REGION + "). Ignored with --host.")
    String region;

    @Option(names = "--instance-id", paramLabel = "ID",
            description = "New public / Enterprise instance; the host is ID.mqtt.iothub.aliyuncs.com. Ignored with --host.")
    String instanceId;

    @Option(names = "--qos", paramLabel = "0|1", description = "QoS of posts and replies (default: ${DEFAULT-VALUE}).")
    int qos = 0;

    @Option(names = "--reply-code", paramLabel = "CODE",
            description = "Code answered to property sets, service calls, RRPC calls and config pushes "
                    + "(default: ${DEFAULT-VALUE}).")
    int replyCode = 200;

    @Option(names = "--no-auto-reply", description = "Do not answer incoming requests (only print them).")
    boolean noAutoReply;

    @Option(names = "--sync-time", description = "Ask the platform for its time (NTP) once connected and print the response.")
    boolean syncTime;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        AliyunDeviceIdentity identity;
        MqttClientOptions clientOptions;
        AliyunDeviceOptions deviceOptions;
        try {
            identity = device.identity();
            clientOptions = clientOptions(identity);
            deviceOptions = AliyunDeviceOptions.builder().publishQos(qos(qos)).build();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        JsonLines out = new JsonLines(spec.commandLine().getOut());
        MqttClientResources resources = MqttClientResources.create(1);
        AliyunDevice aliyunDevice = AliyunDevice.create(NettyMqttLink.create(clientOptions, resources), identity,
                deviceOptions);
        try {
            try {
                aliyunDevice.connect().block();
            } catch (RuntimeException e) {
                err.println("thingflux device: cannot connect to " + clientOptions.host() + ":" + clientOptions.port()
                        + ": " + reason(e));
                err.flush();
                return 1;
            }
            log.info("connected to {}:{} as {}/{}", clientOptions.host(), clientOptions.port(),
                    identity.productKey(), identity.deviceName());
            return run(aliyunDevice, out, err);
        } finally {
            try {
                aliyunDevice.disconnect().block(CLOSE_TIMEOUT);
            } catch (RuntimeException e) {
                log.debug("disconnect: {}", reason(e));
            }
            resources.disposeLater().block(CLOSE_TIMEOUT);
        }
    }

    /**
     * The stdin/stdout loop on a connected device until EOF, a signal or the end of the connection; also runs
     * {@code thingflux ec600s} (with this command's reply options set).
     */
    int run(AliyunDevice aliyunDevice, JsonLines out, PrintWriter err) {
        // completed once: null for a clean end (EOF, a signal), else the reason of the failure
        CompletableFuture<String> end = new CompletableFuture<>();
        ProcessSignals.onInterrupt(() -> end.complete(null));
        aliyunDevice.messages().subscribe(m -> onMessage(aliyunDevice, m, out),
                e -> end.complete("the connection ended: " + reason(e)),
                () -> end.complete("the connection ended"));
        if (syncTime) {
            // the response is printed as it arrives, like every incoming message; only a failure is printed here
            aliyunDevice.syncTime().subscribe(r -> { }, e -> out.write(error(0, "NTP: " + reason(e))));
        }
        postStdin(aliyunDevice, System.in, out).subscribe(null,
                e -> end.complete("reading stdin failed: " + reason(e)),
                () -> end.complete(null));
        String failure = end.join();
        if (failure == null) {
            return 0;
        }
        err.println("thingflux device: " + failure);
        err.flush();
        return 1;
    }

    /** Posts each stdin line as properties, at most {@link #MAX_POSTS_IN_FLIGHT} at once; completes at EOF when all are answered. */
    static Mono<Void> postStdin(AliyunDevice device, InputStream in, JsonLines out) {
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        return Flux.fromStream(reader::lines)
                .subscribeOn(Schedulers.boundedElastic())
                .index()
                .filter(t -> !t.getT2().isBlank())
                .flatMap(t -> post(device, t.getT1() + 1, t.getT2(), out), MAX_POSTS_IN_FLIGHT)
                .then();
    }

    /** Posts one line and prints its outcome; never fails. */
    private static Mono<Void> post(AliyunDevice device, long line, String text, JsonLines out) {
        Map<String, Object> properties;
        Mono<ObjectNode> outcome;
        try {
            properties = AlinkJson.decodeObject(text.getBytes(StandardCharsets.UTF_8), "the line");
            outcome = device.postProperties(properties).map(r -> {
                ObjectNode n = JsonLines.object().put("type", "reply").put("line", line);
                return ThingMessageJson.reply(n, r);
            });
        } catch (RuntimeException e) { // malformed JSON, not an object, refused identifiers or values
            outcome = Mono.just(error(line, reason(e)));
        }
        return outcome.onErrorResume(e -> {
                    if (e instanceof AlinkReplyException r) {
                        return Mono.just(ThingMessageJson.reply(JsonLines.object().put("type", "reply").put("line", line),
                                r.reply()));
                    }
                    return Mono.just(error(line, reason(e)));
                })
                .doOnNext(out::write)
                .then();
    }

    private void onMessage(AliyunDevice aliyunDevice, ThingMessage message, JsonLines out) {
        if (message instanceof ThingMessage.Reply) {
            return; // replies to posts are printed by the post that awaited them
        }
        out.write(ThingMessageJson.toJson(message));
        if (noAutoReply || !(message instanceof ThingMessage.Request request) || !replyWanted(request)) {
            return;
        }
        aliyunDevice.reply(request, replyCode, Map.of()).subscribe(
                v -> { },
                e -> log.warn("answering {} id {} failed: {}", ThingMessageJson.type(message), request.id(), reason(e)),
                () -> log.info("answered {} id {} with {}", ThingMessageJson.type(message), request.id(), replyCode));
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

    MqttClientOptions clientOptions(AliyunDeviceIdentity identity) {
        if (region != null && instanceId != null) {
            throw new IllegalArgumentException("give either --region or --instance-id, not both");
        }
        boolean tls = connection.tls();
        String host = connection.host;
        if (host == null) {
            host = instanceId != null ? AliyunEndpoints.instanceHost(instanceId)
                    : AliyunEndpoints.legacyHost(identity.productKey(),
                            region != null ? region : AliyunEndpoints.DEFAULT_REGION);
        }
        int port = connection.port(tls && instanceId != null ? AliyunEndpoints.PORT_TLS : AliyunEndpoints.PORT_TCP);
        return MqttClientOptions.builder(host, port)
                .tls(connection.tlsOptions())
                .aliyun(identity, device.signer(tls))
                .build();
    }

    static MqttQos qos(int qos) {
        if (qos != 0 && qos != 1) {
            throw new IllegalArgumentException("--qos must be 0 or 1 (the platform has no QoS 2), was " + qos);
        }
        return MqttQos.valueOf(qos);
    }

    private static ObjectNode error(long line, String reason) {
        ObjectNode n = JsonLines.object().put("type", "error");
        if (line > 0) {
            n.put("line", line);
        }
        return n.put("error", reason);
    }

    /** One line naming the failure: the innermost useful message, without stack or secrets. */
    static String reason(Throwable e) {
        Throwable t = Exceptions.unwrap(e);
        String text = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        Throwable cause = t.getCause();
        if (cause != null && cause.getMessage() != null && !text.contains(cause.getMessage())) {
            text = text + " (" + cause.getMessage() + ")";
        }
        return text.replace('\n', ' ').replace('\r', ' ');
    }
}
