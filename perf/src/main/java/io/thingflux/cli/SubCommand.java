package io.thingflux.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thingflux.link.LinkMessage;
import io.thingflux.mqtt.MqttQos;
import io.thingflux.mqtt.Subscription;
import io.thingflux.netty.client.MqttClient;
import io.thingflux.netty.client.MqttClientOptions;
import io.thingflux.netty.client.MqttClientResources;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code thingflux sub}: subscribes to topic filters and prints each message as one JSON line,
 * {@code {"topic","qos","retain","payload"}}, the payload as text or, when it is not valid UTF-8,
 * as base64 with {@code "encoding":"base64"}. Runs until SIGINT/SIGTERM or {@code --count}
 * messages.
 */
@Command(
        name = "sub",
        mixinStandardHelpOptions = true,
        description = {
            "Subscribes to one or more topic filters and prints every message as one JSON line: "
                    + "{\"topic\":..,\"qos\":..,\"retain\":..,\"payload\":..}. A payload that is not valid "
                    + "UTF-8 is printed as base64 with \"encoding\":\"base64\".",
            "Logs the granted QoS to stderr once the broker acknowledged the subscription. "
                    + "Runs until SIGINT/SIGTERM (exit 0), --count messages "
                    + "(exit 0) or a lost connection (exit 1)."
        })
public final class SubCommand extends MqttClientCommand implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(SubCommand.class);

    @Option(
            names = "--topic",
            required = true,
            paramLabel = "FILTER",
            arity = "1..*",
            description = "Topic filter(s) to subscribe to (repeatable; + and # wildcards).")
    List<String> topics = new ArrayList<>();

    @Option(
            names = "--count",
            paramLabel = "N",
            description = "Exit 0 after N messages (default: run until stopped).")
    Long count;

    @Override
    public Integer call() {
        MqttClientOptions options = clientOptions();
        MqttQos q = qos();
        List<Subscription> subscriptions = new ArrayList<>();
        try {
            topics.forEach(t -> subscriptions.add(new Subscription(t, q)));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        if (count != null && count < 1) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "--count must be at least 1");
        }
        PrintWriter err = spec.commandLine().getErr();
        JsonLines out = new JsonLines(spec.commandLine().getOut());
        MqttClientResources resources = MqttClientResources.create(1);
        MqttClient client = MqttClient.create(options, resources);
        try {
            try {
                client.connect().block();
            } catch (RuntimeException e) {
                err.println(
                        "thingflux sub: cannot connect to "
                                + options.host()
                                + ":"
                                + options.port()
                                + ": "
                                + FailureReason.of(e));
                err.flush();
                return 1;
            }
            CompletableFuture<String> end = new CompletableFuture<>();
            ProcessSignals.onInterrupt(() -> end.complete(null));
            var messages =
                    client.subscribe(subscriptions)
                            .doOnSubAck(
                                    codes ->
                                            log.info(
                                                    "subscribed to {}, granted {}", topics, codes));
            (count == null ? messages : messages.take(count))
                    .subscribe(
                            m -> out.write(toJson(m)),
                            e -> end.complete(FailureReason.of(e)),
                            () -> end.complete(count != null ? null : "the connection ended"));
            String failure = end.join();
            if (failure != null) {
                err.println("thingflux sub: " + failure);
                err.flush();
                return 1;
            }
            return 0;
        } finally {
            close(client, resources);
        }
    }

    /** {@code {"topic","qos","retain","payload"[,"encoding":"base64"]}}. */
    static ObjectNode toJson(LinkMessage m) {
        ObjectNode n =
                JsonLines.object()
                        .put("topic", m.topic())
                        .put("qos", m.qos().code())
                        .put("retain", m.retain());
        return PayloadJson.put(n, "payload", m.payloadUnsafe());
    }
}
