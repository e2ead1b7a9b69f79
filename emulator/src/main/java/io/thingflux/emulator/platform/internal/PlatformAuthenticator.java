package io.thingflux.emulator.platform.internal;

import io.thingflux.aliyun.AliyunClientId;
import io.thingflux.aliyun.AliyunDeviceIdentity;
import io.thingflux.aliyun.AliyunLimits;
import io.thingflux.aliyun.AliyunProducts;
import io.thingflux.aliyun.AliyunSigner;
import io.thingflux.aliyun.SignMethod;
import io.thingflux.mqtt.Connect;
import io.thingflux.mqtt.ConnectReturnCode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Checks a CONNECT the way the Aliyun IoT Platform does (doc 73742, 148610): the clientId's {@code
 * |key=value,...|} extension parameters, the secure mode of the listener (3 on TCP, 2 on TLS),
 * keepalive 30..1200 s, the user name {@code deviceName&productKey} and the HMAC password over the
 * sorted parameters. Application identities (user name and password) are accepted with any
 * clientId.
 *
 * <p>Refusals: malformed clientId, secure mode mismatch, unknown sign method or keepalive out of
 * range → 0x02; unknown device, malformed user name or wrong signature → 0x04; a device disabled
 * with the OpenAPI's DisableThing → 0x05. The comparison of the signature ignores case (SDKs send
 * upper- and lowercase hex) and takes constant time. Nothing about a secret or password ever
 * reaches a log or an exception.
 */
public final class PlatformAuthenticator {

    /** Keepalive range the platform accepts, in seconds. */
    static final int MIN_KEEPALIVE = AliyunLimits.MIN_KEEPALIVE_SECONDS;

    static final int MAX_KEEPALIVE = AliyunLimits.MAX_KEEPALIVE_SECONDS;

    /** The outcome: a principal, or the CONNACK return code of the refusal. */
    record Result(Principal principal, ConnectReturnCode refusal) {
        static Result refused(ConnectReturnCode code) {
            return new Result(null, code);
        }
    }

    private final Map<String, String> deviceSecrets = new HashMap<>();
    private final Map<String, String> productSecrets;
    private final DeviceDirectory directory;
    private final Map<String, byte[]> appPasswords = new HashMap<>();

    /**
     * Device secrets derived from product secrets (an HMAC each), kept for the next connect of the
     * device; at most {@value #DERIVED_SECRETS_LIMIT}, cleared when full.
     */
    private final ConcurrentHashMap<String, String> derivedSecrets = new ConcurrentHashMap<>();

    static final int DERIVED_SECRETS_LIMIT = 100_000;

    PlatformAuthenticator(
            Iterable<AliyunDeviceIdentity> devices,
            Map<String, String> productSecrets,
            Map<String, String> apps) {
        this(devices, productSecrets, apps, new DeviceDirectory());
    }

    /**
     * An authenticator that also accepts the devices registered in {@code directory}, and refuses
     * those deleted or disabled there (the OpenAPI's RegisterDevice, DeleteDevice, DisableThing).
     */
    PlatformAuthenticator(
            Iterable<AliyunDeviceIdentity> devices,
            Map<String, String> productSecrets,
            Map<String, String> apps,
            DeviceDirectory directory) {
        this.directory = directory;
        for (AliyunDeviceIdentity d : devices) {
            deviceSecrets.put(key(d.productKey(), d.deviceName()), d.deviceSecret());
        }
        this.productSecrets = Map.copyOf(productSecrets);
        apps.forEach((u, p) -> appPasswords.put(u, p.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * Whether the emulator knows device {@code pk}/{@code dn} (configured, or of a configured
     * product).
     */
    boolean knows(String pk, String dn) {
        if (directory.registered(pk, dn) != null) {
            return true;
        }
        if (directory.isDeleted(pk, dn)) {
            return false;
        }
        return deviceSecrets.containsKey(key(pk, dn)) || productSecrets.containsKey(pk);
    }

    /** Whether {@code pk/dn} is a configured device (not one derived from a product secret). */
    boolean isConfigured(String pk, String dn) {
        return deviceSecrets.containsKey(key(pk, dn));
    }

    /** The product secret of {@code pk}, or {@code null}. */
    String productSecret(String pk) {
        return productSecrets.get(pk);
    }

    /** The configured devices as {@code pk/dn} keys. */
    Iterable<String> configuredDeviceKeys() {
        return deviceSecrets.keySet();
    }

    /** The device's secret, when the emulator knows the device. */
    Optional<String> secretOf(String pk, String dn) {
        DeviceDirectory.Registered registered = directory.registered(pk, dn);
        if (registered != null) {
            return Optional.of(registered.secret());
        }
        if (directory.isDeleted(pk, dn)) {
            return Optional.empty();
        }
        String key = key(pk, dn);
        String secret = deviceSecrets.get(key);
        if (secret != null) {
            return Optional.of(secret);
        }
        String productSecret = productSecrets.get(pk);
        if (productSecret == null) {
            return Optional.empty();
        }
        String derived = derivedSecrets.get(key);
        if (derived == null) {
            derived = AliyunProducts.deriveDeviceSecret(productSecret, dn);
            if (derivedSecrets.size() >= DERIVED_SECRETS_LIMIT) {
                derivedSecrets.clear();
            }
            derivedSecrets.put(key, derived);
        }
        return Optional.of(derived);
    }

    Result check(Connect connect, boolean tls) {
        String username = connect.username();
        byte[] password = connect.passwordUnsafe();
        if (username != null && password != null && appPasswords.containsKey(username)) {
            return MessageDigest.isEqual(appPasswords.get(username), password)
                    ? new Result(Principal.app(connect.clientId()), null)
                    : Result.refused(ConnectReturnCode.BAD_USERNAME_OR_PASSWORD);
        }
        AliyunClientId cid;
        try {
            cid = AliyunClientId.parse(connect.clientId());
        } catch (IllegalArgumentException e) {
            return Result.refused(ConnectReturnCode.IDENTIFIER_REJECTED);
        }
        if ("connwl".equals(cid.params().get("authType")) && tokens != null) {
            return checkToken(username, password);
        }
        String expectedMode = tls ? "2" : "3";
        if (!expectedMode.equals(cid.params().get("securemode"))) {
            return Result.refused(ConnectReturnCode.IDENTIFIER_REJECTED);
        }
        SignMethod method;
        try {
            method =
                    SignMethod.fromWireName(
                            cid.param("signmethod").orElse("hmacmd5")); // the doc's default
        } catch (IllegalArgumentException e) {
            return Result.refused(ConnectReturnCode.IDENTIFIER_REJECTED);
        }
        if (cid.clientId().length() > 64) {
            return Result.refused(ConnectReturnCode.IDENTIFIER_REJECTED);
        }
        int keepAlive = connect.keepAliveSeconds();
        if (keepAlive < MIN_KEEPALIVE || keepAlive > MAX_KEEPALIVE) {
            return Result.refused(ConnectReturnCode.IDENTIFIER_REJECTED);
        }
        if (username == null || password == null) {
            return Result.refused(ConnectReturnCode.BAD_USERNAME_OR_PASSWORD);
        }
        int amp = username.indexOf('&');
        if (amp <= 0 || amp == username.length() - 1 || username.indexOf('&', amp + 1) >= 0) {
            return Result.refused(ConnectReturnCode.BAD_USERNAME_OR_PASSWORD);
        }
        String dn = username.substring(0, amp);
        String pk = username.substring(amp + 1);
        Optional<String> secret = secretOf(pk, dn);
        if (secret.isEmpty()) {
            return Result.refused(ConnectReturnCode.BAD_USERNAME_OR_PASSWORD);
        }
        String signedClientId = cid.clientId().isEmpty() ? null : cid.clientId();
        String expected =
                AliyunSigner.password(
                        method,
                        secret.get(),
                        signedClientId,
                        dn,
                        pk,
                        cid.params().get("timestamp"));
        byte[] given =
                new String(password, StandardCharsets.UTF_8)
                        .toLowerCase(Locale.ROOT)
                        .getBytes(StandardCharsets.UTF_8);
        if (!MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8), given)) {
            return Result.refused(ConnectReturnCode.BAD_USERNAME_OR_PASSWORD);
        }
        if (directory.isDisabled(pk, dn)) {
            return Result.refused(ConnectReturnCode.NOT_AUTHORIZED);
        }
        return new Result(Principal.device(pk, dn), null);
    }

    /**
     * Where the device tokens of registrations without pre-registration are looked up (by "pk/dn"),
     * for connections with {@code authType=connwl} (password = token); none by default. The
     * emulator does not insist on TLS for them.
     */
    void tokens(java.util.function.Function<String, String> lookup) {
        this.tokens = lookup;
    }

    private volatile java.util.function.Function<String, String> tokens;

    private Result checkToken(String username, byte[] password) {
        int amp = username == null ? -1 : username.indexOf('&');
        if (amp <= 0 || password == null) {
            return Result.refused(ConnectReturnCode.BAD_USERNAME_OR_PASSWORD);
        }
        String dn = username.substring(0, amp);
        String pk = username.substring(amp + 1);
        String token = tokens.apply(key(pk, dn));
        if (token == null
                || !MessageDigest.isEqual(token.getBytes(StandardCharsets.UTF_8), password)) {
            return Result.refused(ConnectReturnCode.BAD_USERNAME_OR_PASSWORD);
        }
        if (directory.isDisabled(pk, dn)) {
            return Result.refused(ConnectReturnCode.NOT_AUTHORIZED);
        }
        return new Result(Principal.device(pk, dn), null);
    }

    static String key(String pk, String dn) {
        return pk + "/" + dn;
    }
}
