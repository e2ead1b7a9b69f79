package io.thingflux.cli;

import io.thingflux.mqtt.MqttQos;
import io.thingflux.netty.client.MqttClient;
import io.thingflux.netty.client.MqttClientOptions;
import io.thingflux.netty.client.MqttClientResources;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * What {@code sub} and {@code pub} share: the broker address, TLS, credentials, a client id and the
 * QoS, as picocli mixins and options; and how they become {@link MqttClientOptions}.
 */
abstract class MqttClientCommand {

    private static final Logger log = LoggerFactory.getLogger(MqttClientCommand.class);

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Mixin ConnectionOptions connection;

    @Mixin ClientCredentialOptions credentials;

    @Option(
            names = "--client-id",
            paramLabel = "ID",
            description =
                    "MQTT client id (default: a random thingflux-... id; with a device triple: PK.DN, signed).")
    String clientId;

    @Option(
            names = "--qos",
            paramLabel = "0|1|2",
            description =
                    "QoS of the subscription (sub) or of the message (pub) (default: ${DEFAULT-VALUE}).")
    int qos = 0;

    /**
     * The client options the arguments describe. @throws CommandLine.ParameterException when they
     * do not fit
     */
    MqttClientOptions clientOptions() {
        if (connection.host == null) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "Missing required option: '--host=HOST'");
        }
        try {
            MqttClientOptions.Builder b =
                    MqttClientOptions.builder(connection.host, connection.port())
                            .tls(connection.tlsOptions())
                            .webSocket(connection.webSocketOptions())
                            .proxy(connection.proxyOptions());
            if (clientId != null) {
                b.clientId(clientId);
            }
            return credentials.apply(b, connection.tls()).build();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    /** The chosen QoS. @throws CommandLine.ParameterException when it is not 0, 1 or 2 */
    MqttQos qos() {
        if (qos < 0 || qos > 2) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "--qos must be 0, 1 or 2, was " + qos);
        }
        return MqttQos.valueOf(qos);
    }

    /**
     * Disconnects {@code client} and frees {@code resources}, each within {@link
     * FailureReason#CLOSE_TIMEOUT}.
     */
    static void close(MqttClient client, MqttClientResources resources) {
        try {
            client.disconnect().block(FailureReason.CLOSE_TIMEOUT);
        } catch (RuntimeException e) {
            log.debug("disconnect: {}", FailureReason.of(e));
        }
        resources.disposeLater().block(FailureReason.CLOSE_TIMEOUT);
    }
}
