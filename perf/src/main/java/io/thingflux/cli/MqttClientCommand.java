package io.thingflux.cli;

import io.thingflux.mqtt.MqttQos;
import io.thingflux.netty.client.MqttClientOptions;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * What {@code sub} and {@code pub} share: the broker address, TLS, credentials and a client id, as picocli
 * mixins; and how they become {@link MqttClientOptions}.
 */
abstract class MqttClientCommand {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    ConnectionOptions connection;

    @Mixin
    ClientCredentialOptions credentials;

    @Option(names = "--client-id", paramLabel = "ID",
            description = "MQTT client id (default: a random thingflux-... id; with a device triple: PK.DN, signed).")
    String clientId;

    /** The client options the arguments describe. @throws CommandLine.ParameterException when they do not fit */
    MqttClientOptions clientOptions() {
        if (connection.host == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "Missing required option: '--host=HOST'");
        }
        try {
            MqttClientOptions.Builder b = MqttClientOptions.builder(connection.host, connection.port())
                    .tls(connection.tlsOptions());
            if (clientId != null) {
                b.clientId(clientId);
            }
            return credentials.apply(b, connection.tls()).build();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    MqttQos qos(int qos) {
        if (qos < 0 || qos > 2) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--qos must be 0, 1 or 2, was " + qos);
        }
        return MqttQos.valueOf(qos);
    }
}
