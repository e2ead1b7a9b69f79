package io.thingflux.cli;

import io.thingflux.aliyun.AliyunDeviceIdentity;
import io.thingflux.aliyun.AliyunSigner;
import io.thingflux.aliyun.SignMethod;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * An Aliyun device triple and how to sign it, as a picocli argument group: given together or not at
 * all. The secret is never printed: not in help (no default shown), not in errors.
 */
final class DeviceIdentityOptions {

    @Option(
            names = "--product-key",
            required = true,
            paramLabel = "PK",
            description = "The device's product key.")
    String productKey;

    @Option(
            names = "--device-name",
            required = true,
            paramLabel = "DN",
            description = "The device name.")
    String deviceName;

    @Option(
            names = "--device-secret",
            required = true,
            paramLabel = "DS",
            arity = "0..1",
            interactive = true,
            description =
                    "The device secret. Give the option without a value to type it at a hidden prompt "
                            + "(a value on the command line is visible to other local users in ps).")
    String deviceSecret;

    @Option(
            names = "--sign-method",
            paramLabel = "hmacsha1|hmacsha256|hmacmd5",
            converter = SignMethodConverter.class,
            description = "HMAC of the MQTT password (default: hmacsha256).")
    SignMethod signMethod = SignMethod.HMACSHA256;

    /** The device triple. @throws IllegalArgumentException when a part is blank or malformed */
    public AliyunDeviceIdentity identity() {
        return new AliyunDeviceIdentity(productKey, deviceName, deviceSecret);
    }

    /** A signer for secure mode 2 (TLS) or 3 (TCP) with the chosen method. */
    public AliyunSigner signer(boolean tls) {
        return AliyunSigner.builder()
                .method(signMethod)
                .secureMode(tls ? AliyunSigner.SECURE_MODE_TLS : AliyunSigner.SECURE_MODE_TCP)
                .build();
    }

    /** Reads {@code hmacsha1}, {@code hmacsha256} or {@code hmacmd5}, case-insensitive. */
    static final class SignMethodConverter implements CommandLine.ITypeConverter<SignMethod> {
        @Override
        public SignMethod convert(String value) {
            try {
                return SignMethod.fromWireName(value.toLowerCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
