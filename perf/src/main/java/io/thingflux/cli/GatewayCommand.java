package io.thingflux.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thingflux.alink.AlinkJson;
import io.thingflux.alink.AlinkReplyException;
import io.thingflux.alink.AliyunDevice;
import io.thingflux.alink.AliyunDeviceOptions;
import io.thingflux.alink.AliyunGateway;
import io.thingflux.alink.AliyunGatewayOptions;
import io.thingflux.alink.GatewayNotification;
import io.thingflux.alink.SubDeviceRef;
import io.thingflux.alink.ThingMessage;
import io.thingflux.aliyun.AliyunDeviceIdentity;
import io.thingflux.netty.client.MqttClientOptions;
import io.thingflux.netty.client.MqttClientResources;
import io.thingflux.netty.client.NettyMqttLink;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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
import reactor.core.publisher.Mono;

/**
 * {@code thingflux gateway}: one Aliyun gateway on the Netty link that adds the sub-devices of a
 * CSV file to its topology, logs them in (in batches of 50), prints every message of the gateway
 * and its sub-devices as JSON lines and posts properties for a sub-device from each stdin line.
 */
@Command(
        name = "gateway",
        mixinStandardHelpOptions = true,
        description = {
            "Connects an Aliyun IoT gateway, adds the sub-devices listed in --sub-devices (CSV lines "
                    + "productKey,deviceName,deviceSecret) to its topology and logs them in, in batches "
                    + "of 50. Prints one JSON object per line: {\"type\":\"login\",..} per sub-device, "
                    + "every thing message of the gateway and its sub-devices (as `device` prints them, "
                    + "plus \"productKey\" and \"deviceName\"), and the platform's notices "
                    + "({\"type\":\"notification\",\"kind\":..}). Property sets and service calls are "
                    + "answered with code 200 unless --no-auto-reply.",
            "Each stdin line {\"deviceName\":DN[,\"productKey\":PK],\"properties\":{..}} is posted as "
                    + "properties of that sub-device (of the gateway itself when DN is the gateway's); "
                    + "its reply is printed as {\"type\":\"reply\",\"line\":N,..}, a failure as "
                    + "{\"type\":\"error\",\"line\":N,\"error\":..}.",
            "EOF on stdin, SIGINT or SIGTERM: DISCONNECT, exit 0. A refused connection or login: exit 1 "
                    + "with a one-line reason on stderr. Secrets are never printed."
        })
public final class GatewayCommand extends ThingConsoleOptions implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(GatewayCommand.class);

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Mixin ConnectionOptions connection;

    @ArgGroup(exclusive = false, multiplicity = "1", heading = "Gateway:%n")
    DeviceIdentityOptions gateway;

    @Option(
            names = "--sub-devices",
            required = true,
            paramLabel = "CSV",
            description =
                    "Sub-devices, one per line: productKey,deviceName,deviceSecret (blank lines and "
                            + "lines starting with # are skipped).")
    Path subDevices;

    @Option(
            names = "--no-topology",
            description = "Do not add the sub-devices to the topology first (they are in it).")
    boolean noTopology;

    @Option(
            names = "--max-sub-devices",
            paramLabel = "N",
            description = "Sub-devices the gateway may hold (default: ${DEFAULT-VALUE}).")
    int maxSubDevices = AliyunGatewayOptions.DEFAULT_MAX_SUB_DEVICES;

    /** Where posts are read from; tests replace it. */
    InputStream stdin = System.in;

    @Override
    public Integer call() {
        AliyunDeviceIdentity identity;
        List<AliyunDeviceIdentity> subs;
        AliyunGatewayOptions options;
        MqttClientOptions clientOptions;
        try {
            identity = gateway.identity();
            subs = readCsv(subDevices);
            options =
                    AliyunGatewayOptions.builder()
                            .maxSubDevices(maxSubDevices)
                            .deviceOptions(
                                    AliyunDeviceOptions.builder().publishQos(publishQos()).build())
                            .build();
            boolean tls = connection.tls();
            String host =
                    connection.host != null ? connection.host : legacyHost(identity.productKey());
            clientOptions =
                    MqttClientOptions.builder(host, connection.port())
                            .tls(connection.tlsOptions())
                            .aliyun(identity, gateway.signer(tls))
                            .build();
        } catch (IllegalArgumentException | IOException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        PrintWriter err = spec.commandLine().getErr();
        JsonLines out = new JsonLines(spec.commandLine().getOut());
        MqttClientResources resources = MqttClientResources.create(1);
        AliyunGateway gw =
                AliyunGateway.create(
                        NettyMqttLink.create(clientOptions, resources), identity, options);
        try {
            CompletableFuture<String> end = new CompletableFuture<>();
            ProcessSignals.onInterrupt(() -> end.complete(null));
            print(gw.device(), identity.productKey(), identity.deviceName(), out, end);
            gw.notifications().subscribe(n -> out.write(notification(n)));
            try {
                gw.connect().block();
                start(gw, subs, !noTopology, out);
            } catch (RuntimeException e) {
                err.println("thingflux gateway: " + FailureReason.of(e));
                err.flush();
                return 1;
            }
            for (AliyunDevice d : gw.subDevices()) {
                print(d, d.topics().productKey(), d.topics().deviceName(), out, null);
            }
            postStdin(gw, stdin, out)
                    .subscribe(
                            null,
                            e -> end.complete("reading stdin failed: " + FailureReason.of(e)),
                            () -> end.complete(null));
            String failure = end.join();
            if (failure != null) {
                err.println("thingflux gateway: " + failure);
                err.flush();
                return 1;
            }
            return 0;
        } finally {
            try {
                gw.disconnect().block(FailureReason.CLOSE_TIMEOUT);
            } catch (RuntimeException e) {
                log.debug("disconnect: {}", FailureReason.of(e));
            }
            resources.disposeLater().block(FailureReason.CLOSE_TIMEOUT);
        }
    }

    /**
     * Adds {@code subs} to the topology (when asked) and logs them in, in batches; prints a login
     * line for each.
     */
    static void start(
            AliyunGateway gw, List<AliyunDeviceIdentity> subs, boolean topology, JsonLines out) {
        if (topology) {
            for (int i = 0; i < subs.size(); i += AliyunGatewayOptions.MAX_BATCH_LOGIN) {
                gw.addTopology(
                                subs.subList(
                                        i,
                                        Math.min(
                                                subs.size(),
                                                i + AliyunGatewayOptions.MAX_BATCH_LOGIN)))
                        .block();
            }
        }
        gw.loginAll(subs)
                .doOnNext(
                        d ->
                                out.write(
                                        JsonLines.object()
                                                .put("type", "login")
                                                .put("productKey", d.topics().productKey())
                                                .put("deviceName", d.topics().deviceName())))
                .then()
                .block();
    }

    /** Prints the messages of {@code device}, answering its requests unless told not to. */
    private void print(
            AliyunDevice device,
            String pk,
            String dn,
            JsonLines out,
            CompletableFuture<String> end) {
        device.messages()
                .subscribe(
                        m -> {
                            if (m instanceof ThingMessage.Reply) {
                                return; // printed by the post that awaited it
                            }
                            ObjectNode n = ThingMessageJson.toJson(m);
                            n.put("productKey", pk).put("deviceName", dn);
                            out.write(n);
                            if (!noAutoReply
                                    && (m instanceof ThingMessage.PropertySet
                                            || m instanceof ThingMessage.ServiceCall
                                            || m instanceof ThingMessage.RrpcCall)) {
                                device.reply((ThingMessage.Request) m, replyCode, Map.of())
                                        .subscribe(
                                                v -> {}, e -> log.warn("reply: {}", e.toString()));
                            }
                        },
                        e -> {
                            if (end != null) {
                                end.complete("the connection ended: " + FailureReason.of(e));
                            }
                        },
                        () -> {
                            if (end != null) {
                                end.complete("the connection ended");
                            }
                        });
    }

    static ObjectNode notification(GatewayNotification n) {
        ObjectNode o = JsonLines.object().put("type", "notification").put("topic", n.topic());
        o.put("id", n.id());
        if (n instanceof GatewayNotification.TopoAddNotify a) {
            o.put("kind", "topo_add_notify");
            refs(o, a.devices());
        } else if (n instanceof GatewayNotification.TopoChange c) {
            o.put("kind", "topo_change").put("status", c.status());
            refs(o, c.devices());
        } else if (n instanceof GatewayNotification.SubDeviceChange s) {
            o.put("kind", s.kind().name().toLowerCase(Locale.ROOT));
            refs(o, List.of(s.device()));
        }
        return o;
    }

    private static void refs(ObjectNode o, List<SubDeviceRef> refs) {
        var a = o.putArray("devices");
        refs.forEach(
                r ->
                        a.addObject()
                                .put("productKey", r.productKey())
                                .put("deviceName", r.deviceName()));
    }

    /**
     * Reads {@code productKey,deviceName,deviceSecret} lines. @throws IllegalArgumentException for
     * a malformed line (named by number, its secret not shown)
     */
    static List<AliyunDeviceIdentity> readCsv(Path csv) throws IOException {
        List<AliyunDeviceIdentity> all = new ArrayList<>();
        List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split(",", -1);
            if (f.length != 3) {
                throw new IllegalArgumentException(
                        csv + " line " + (i + 1) + ": expected productKey,deviceName,deviceSecret");
            }
            try {
                all.add(new AliyunDeviceIdentity(f[0].strip(), f[1].strip(), f[2].strip()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        csv + " line " + (i + 1) + ": " + e.getMessage());
            }
        }
        if (all.isEmpty()) {
            throw new IllegalArgumentException(csv + " lists no sub-device");
        }
        return all;
    }

    /**
     * Posts each stdin line's properties for the sub-device it names; completes at EOF when all are
     * answered.
     */
    static Mono<Void> postStdin(AliyunGateway gw, InputStream in, JsonLines out) {
        return postEachLine(in, (line, text) -> post(gw, line, text, out));
    }

    private static Mono<Void> post(AliyunGateway gw, long line, String text, JsonLines out) {
        Mono<ObjectNode> outcome;
        String[] who = new String[2];
        try {
            JsonNode n = JsonLines.MAPPER.readTree(text);
            if (n == null || !n.isObject() || !n.path("deviceName").isTextual()) {
                throw new IllegalArgumentException(
                        "a line is {\"deviceName\":DN[,\"productKey\":PK],\"properties\":{..}}");
            }
            String dn = n.get("deviceName").asText();
            String pk = n.path("productKey").isTextual() ? n.get("productKey").asText() : null;
            AliyunDevice device = find(gw, pk, dn);
            who[0] = device.topics().productKey();
            who[1] = dn;
            Map<String, Object> properties =
                    AlinkJson.decodeObject(
                            JsonLines.MAPPER.writeValueAsBytes(n.path("properties")),
                            "\"properties\"");
            outcome =
                    device.postProperties(properties)
                            .map(r -> ThingMessageJson.reply(head(line, who), r));
        } catch (IOException | RuntimeException e) {
            outcome = Mono.just(error(line, who, FailureReason.of(e)));
        }
        return outcome.onErrorResume(
                        e ->
                                Mono.just(
                                        e instanceof AlinkReplyException r
                                                ? ThingMessageJson.reply(head(line, who), r.reply())
                                                : error(line, who, FailureReason.of(e))))
                .doOnNext(out::write)
                .then();
    }

    /** The sub-device (or the gateway itself) named {@code pk/dn}; pk may be left out. */
    private static AliyunDevice find(AliyunGateway gw, String pk, String dn) {
        AliyunDevice self = gw.device();
        if (self.topics().deviceName().equals(dn)
                && (pk == null || self.topics().productKey().equals(pk))) {
            return self;
        }
        if (pk != null) {
            return gw.subDevice(new SubDeviceRef(pk, dn))
                    .orElseThrow(
                            () ->
                                    new IllegalArgumentException(
                                            "no logged-in sub-device " + pk + "/" + dn));
        }
        return gw.subDevices().stream()
                .filter(d -> d.topics().deviceName().equals(dn))
                .findFirst()
                .orElseThrow(
                        () -> new IllegalArgumentException("no logged-in sub-device named " + dn));
    }

    private static ObjectNode head(long line, String[] who) {
        ObjectNode n = JsonLines.object().put("type", "reply").put("line", line);
        if (who[0] != null) {
            n.put("productKey", who[0]).put("deviceName", who[1]);
        }
        return n;
    }

    private static ObjectNode error(long line, String[] who, String reason) {
        ObjectNode n = JsonLines.object().put("type", "error").put("line", line);
        if (who[0] != null) {
            n.put("productKey", who[0]).put("deviceName", who[1]);
        }
        return n.put("error", reason);
    }
}
