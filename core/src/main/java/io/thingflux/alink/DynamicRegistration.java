package io.thingflux.alink;

import io.thingflux.aliyun.AliyunSigner;
import io.thingflux.aliyun.MqttCredentials;
import io.thingflux.aliyun.SignMethod;
import io.thingflux.link.LinkMessage;
import io.thingflux.link.MqttLink;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Supplier;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Dynamic registration over MQTT (one-type-one-secret, Aliyun doc 132111): connects once with
 * credentials signed by the product secret, waits for the result the platform pushes without a
 * subscription on {@code /ext/register} (a device secret) or {@code /ext/regnwl} (a device token),
 * then disconnects.
 *
 * <pre>
 * clientId = clientId + "|securemode=2,authType=register|regnwl,random=R,signmethod=M[,instanceId=I]|"
 * username = deviceName + "&amp;" + productKey
 * password = hmac(productSecret, "deviceName" + dn + "productKey" + pk + "random" + R)
 * </pre>
 *
 * The platform accepts it over TLS only; the caller's link factory must open a TLS connection, with
 * automatic reconnection off (every reconnect would register again). Immutable; the product secret
 * never appears in {@code toString} or an exception message.
 */
public final class DynamicRegistration {

    /** Default time to wait for the connection and the pushed result together. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(15);

    /** Whether the device was registered in the console beforehand. */
    public enum AuthType {
        /**
         * Pre-registered device: the platform pushes the device secret on {@code /ext/register}.
         */
        REGISTER("register"),
        /** No pre-registration: the platform pushes a device token on {@code /ext/regnwl}. */
        REGNWL("regnwl");

        private final String wireName;

        AuthType(String wireName) {
            this.wireName = wireName;
        }

        /** The {@code authType=} value. */
        public String wireName() {
            return wireName;
        }
    }

    private final String productKey;
    private final String deviceName;
    private final String productSecret;
    private final AuthType authType;
    private final SignMethod signMethod;
    private final String clientId;
    private final String instanceId;
    private final Supplier<String> random;
    private final Duration timeout;
    private final Scheduler scheduler;

    private DynamicRegistration(Builder b) {
        this.productKey = b.productKey;
        this.deviceName = b.deviceName;
        this.productSecret = b.productSecret;
        this.authType = b.authType;
        this.signMethod = b.signMethod;
        this.clientId = b.clientId != null ? b.clientId : b.productKey + "." + b.deviceName;
        this.instanceId = b.instanceId;
        this.random = b.random;
        this.timeout = b.timeout;
        this.scheduler = b.scheduler;
    }

    public static Builder builder(String productKey, String deviceName, String productSecret) {
        return new Builder(productKey, deviceName, productSecret);
    }

    /** The CONNECT credentials for the given random value. */
    public MqttCredentials credentials(String randomValue) {
        requireToken(randomValue, "random");
        StringBuilder cid =
                new StringBuilder(clientId)
                        .append("|securemode=")
                        .append(AliyunSigner.SECURE_MODE_TLS)
                        .append(",authType=")
                        .append(authType.wireName())
                        .append(",random=")
                        .append(randomValue)
                        .append(",signmethod=")
                        .append(signMethod.wireName());
        if (instanceId != null) {
            cid.append(",instanceId=").append(instanceId);
        }
        cid.append('|');
        String password =
                AliyunSigner.registrationPassword(
                        signMethod, productSecret, productKey, deviceName, randomValue);
        return new MqttCredentials(cid.toString(), deviceName + "&" + productKey, password);
    }

    /**
     * Registers: opens a link with {@code linkFactory} (given the registration credentials),
     * connects it, takes the first message on {@code /ext/register} or {@code /ext/regnwl} from
     * {@link MqttLink#unsolicited()} (listening before connecting, so an early push is not missed),
     * and disconnects the link however it ends (errors of that disconnect are ignored: the platform
     * closes the connection itself).
     *
     * @return the secret ({@link AuthType#REGISTER}) or token ({@link AuthType#REGNWL}); errors
     *     with {@link DynamicRegistrationException} when no result came within the timeout or the
     *     result holds neither, and with the link's error when the connection was refused
     */
    public Mono<RegistrationResult> register(Function<MqttCredentials, MqttLink> linkFactory) {
        Objects.requireNonNull(linkFactory, "linkFactory");
        return Mono.usingWhen(
                Mono.fromSupplier(
                        () ->
                                Objects.requireNonNull(
                                        linkFactory.apply(credentials(random.get())),
                                        "the link factory returned null")),
                link -> {
                    Mono<LinkMessage> push =
                            link.unsolicited()
                                    .filter(
                                            m ->
                                                    m.topic().equals(AlinkTopics.EXT_REGISTER)
                                                            || m.topic()
                                                                    .equals(AlinkTopics.EXT_REGNWL))
                                    .next();
                    return Mono.zip(push, link.connect().thenReturn(Boolean.TRUE))
                            .map(t -> parse(t.getT1()))
                            .timeout(timeout, scheduler)
                            .onErrorMap(
                                    TimeoutException.class,
                                    e ->
                                            new DynamicRegistrationException(
                                                    "no registration result for "
                                                            + productKey
                                                            + "/"
                                                            + deviceName
                                                            + " within "
                                                            + timeout.toMillis()
                                                            + " ms"));
                },
                DynamicRegistration::quietDisconnect,
                (link, e) -> quietDisconnect(link),
                DynamicRegistration::quietDisconnect);
    }

    private static Mono<Void> quietDisconnect(MqttLink link) {
        return link.disconnect().onErrorResume(e -> Mono.empty());
    }

    /** Reads a pushed registration result. Never puts the payload into an exception message. */
    static RegistrationResult parse(LinkMessage message) {
        Map<String, Object> o;
        try {
            o = AlinkJson.decodeObject(message.payloadUnsafe(), "registration result");
        } catch (MalformedAlinkException e) {
            throw new DynamicRegistrationException(
                    "the registration result on " + message.topic() + " is not a JSON object");
        }
        String pk = string(o, "productKey");
        String dn = string(o, "deviceName");
        String secret = string(o, "deviceSecret");
        String token = string(o, "deviceToken");
        if (pk == null || dn == null) {
            throw new DynamicRegistrationException(
                    "the registration result on "
                            + message.topic()
                            + " lacks productKey or deviceName");
        }
        if (secret != null && !secret.isEmpty()) {
            return new RegistrationResult.DeviceSecret(pk, dn, secret);
        }
        if (token != null && !token.isEmpty()) {
            return new RegistrationResult.DeviceToken(pk, dn, string(o, "clientId"), token);
        }
        Object code = o.get("code");
        throw new DynamicRegistrationException(
                "the registration result for "
                        + pk
                        + "/"
                        + dn
                        + " holds neither a device secret nor a device token"
                        + (code == null ? "" : " (code " + code + ")"));
    }

    private static String string(Map<String, Object> o, String field) {
        return o.get(field) instanceof String s ? s : null;
    }

    private static String requireToken(String s, String what) {
        Objects.requireNonNull(s, what);
        if (s.isEmpty() || s.matches(".*[|,=&].*")) {
            throw new IllegalArgumentException(
                    what + " must be non-empty and free of '|', ',', '=' and '&'");
        }
        return s;
    }

    @Override
    public String toString() {
        return "DynamicRegistration["
                + productKey
                + "/"
                + deviceName
                + ", authType="
                + authType.wireName()
                + ", signmethod="
                + signMethod.wireName()
                + ", productSecret=<redacted>]";
    }

    /** Builds a {@link DynamicRegistration}. */
    public static final class Builder {
        private static final SecureRandom RANDOM = new SecureRandom();

        private final String productKey;
        private final String deviceName;
        private final String productSecret;
        private AuthType authType = AuthType.REGISTER;
        private SignMethod signMethod = SignMethod.HMACSHA256;
        private String clientId;
        private String instanceId;
        private Supplier<String> random = () -> Long.toString(RANDOM.nextLong() & Long.MAX_VALUE);
        private Duration timeout = DEFAULT_TIMEOUT;
        private Scheduler scheduler = Schedulers.parallel();

        private Builder(String productKey, String deviceName, String productSecret) {
            this.productKey = requireToken(productKey, "productKey");
            this.deviceName = requireToken(deviceName, "deviceName");
            Objects.requireNonNull(productSecret, "productSecret");
            if (productSecret.isEmpty()) {
                throw new IllegalArgumentException("productSecret must not be empty");
            }
            this.productSecret = productSecret;
        }

        /** {@link AuthType#REGISTER} (default) or {@link AuthType#REGNWL}. */
        public Builder authType(AuthType authType) {
            this.authType = Objects.requireNonNull(authType, "authType");
            return this;
        }

        /** Default hmacsha256. */
        public Builder signMethod(SignMethod signMethod) {
            this.signMethod = Objects.requireNonNull(signMethod, "signMethod");
            return this;
        }

        /** The clientId before the parameters; default {@code productKey.deviceName}. */
        public Builder clientId(String clientId) {
            this.clientId = requireToken(clientId, "clientId");
            return this;
        }

        /**
         * The instance id of a new public or Enterprise instance ({@code instanceId=} is added);
         * default none.
         */
        public Builder instanceId(String instanceId) {
            this.instanceId = instanceId == null ? null : requireToken(instanceId, "instanceId");
            return this;
        }

        /**
         * Where the random value comes from; default a SecureRandom non-negative long in decimal.
         */
        public Builder random(Supplier<String> random) {
            this.random = Objects.requireNonNull(random, "random");
            return this;
        }

        /** How long the connection and the result may take together; default 15 s. */
        public Builder timeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("timeout must be positive");
            }
            this.timeout = timeout;
            return this;
        }

        /** Where the timeout runs; default parallel. */
        public Builder scheduler(Scheduler scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        public DynamicRegistration build() {
            return new DynamicRegistration(this);
        }
    }
}
