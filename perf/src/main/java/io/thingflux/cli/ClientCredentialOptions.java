package io.thingflux.cli;

import io.thingflux.netty.client.MqttClientOptions;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

/**
 * How {@code sub} and {@code pub} authenticate: a user name (and password), a signed Aliyun device
 * triple, or nothing. A picocli mixin holding an exclusive argument group, so the two cannot be
 * mixed.
 */
final class ClientCredentialOptions {

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    Choice choice;

    /** One of the two ways. */
    static final class Choice {
        @ArgGroup(exclusive = false, multiplicity = "1")
        UserPassword user;

        @ArgGroup(exclusive = false, multiplicity = "1")
        DeviceIdentityOptions device;
    }

    /** A user name with an optional password. */
    static final class UserPassword {
        @Option(
                names = "--username",
                required = true,
                paramLabel = "USER",
                description = "MQTT user name.")
        String username;

        @Option(
                names = "--password",
                paramLabel = "PASSWORD",
                arity = "0..1",
                interactive = true,
                description = "MQTT password; without a value it is read at a hidden prompt.")
        String password;
    }

    /**
     * Puts the credentials (if any) on {@code builder}; a device triple is signed for TLS or TCP.
     */
    public MqttClientOptions.Builder apply(MqttClientOptions.Builder builder, boolean tls) {
        if (choice == null) {
            return builder;
        }
        if (choice.device != null) {
            return builder.aliyun(choice.device.identity(), choice.device.signer(tls));
        }
        UserPassword u = choice.user;
        return u.password == null
                ? builder.credentials(u.username, (byte[]) null)
                : builder.credentials(u.username, u.password);
    }
}
