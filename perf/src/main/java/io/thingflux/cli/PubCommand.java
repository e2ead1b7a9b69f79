package io.thingflux.cli;

import io.thingflux.link.LinkMessage;
import io.thingflux.mqtt.MqttQos;
import io.thingflux.netty.client.MqttClient;
import io.thingflux.netty.client.MqttClientOptions;
import io.thingflux.netty.client.MqttClientResources;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code thingflux pub}: connects, publishes one message, waits for its acknowledgement (PUBACK for
 * QoS 1, PUBCOMP for QoS 2), disconnects; exit 0 when it was delivered to the broker, 1 otherwise.
 */
@Command(
        name = "pub",
        mixinStandardHelpOptions = true,
        description = {
            "Publishes one message and exits 0 once the broker has it (QoS 1: PUBACK, QoS 2: PUBCOMP); "
                    + "exit 1 with a one-line reason on stderr when the connection or the publish fails."
        })
public final class PubCommand extends MqttClientCommand implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(PubCommand.class);

    @Option(
            names = "--topic",
            required = true,
            paramLabel = "TOPIC",
            description = "Topic name to publish to.")
    String topic;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Payload payload;

    /** The message, as text or as base64 bytes. */
    static final class Payload {
        @Option(
                names = "--message",
                required = true,
                paramLabel = "TEXT",
                description = "The payload, as UTF-8 text.")
        String text;

        @Option(
                names = "--message-base64",
                required = true,
                paramLabel = "BASE64",
                description = "The payload as base64, for binary payloads.")
        String base64;
    }

    @Option(names = "--retain", description = "Ask the broker to retain the message.")
    boolean retain;

    @Override
    public Integer call() {
        MqttClientOptions options = clientOptions();
        MqttQos q = qos();
        byte[] bytes;
        if (payload.text != null) {
            bytes = payload.text.getBytes(StandardCharsets.UTF_8);
        } else {
            try {
                bytes = Base64.getDecoder().decode(payload.base64);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(
                        spec.commandLine(), "--message-base64 is not base64: " + e.getMessage());
            }
        }
        PrintWriter err = spec.commandLine().getErr();
        MqttClientResources resources = MqttClientResources.create(1);
        MqttClient client = MqttClient.create(options, resources);
        String step = "connect to " + options.host() + ":" + options.port();
        try {
            client.connect().block();
            step = "publish to " + topic;
            client.publish(new LinkMessage(topic, bytes, q, retain)).block();
            log.info(
                    "published {} bytes to {} at QoS {}{}",
                    bytes.length,
                    topic,
                    q.code(),
                    retain ? ", retained" : "");
            return 0;
        } catch (RuntimeException e) {
            err.println("thingflux pub: cannot " + step + ": " + FailureReason.of(e));
            err.flush();
            return 1;
        } finally {
            close(client, resources);
        }
    }
}
