package io.thingflux.alink;

import io.thingflux.aliyun.AliyunSigner;
import io.thingflux.aliyun.SignMethod;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import reactor.core.publisher.Mono;

/**
 * Dynamic registration (one-type-one-secret) over HTTPS: {@code POST
 * {endpoint}/auth/register/device} with {@code productKey, deviceName, random, sign,
 * signMethod=hmacsha256} as a form, the sign computed as for the MQTT form ({@link
 * AliyunSigner#registrationPassword}). With pre-registration the platform answers the device
 * secret; without ({@code authType=regnwl}) a client id and device token. A code other than 200
 * fails with {@link DynamicRegistrationException} naming it (6288 off, 6289 already activated, 6600
 * bad sign). The product secret never leaves this call.
 */
public final class HttpsDynamicRegistration {

    /** The registration path on the auth endpoint. */
    public static final String PATH = "/auth/register/device";

    private static final SecureRandom RANDOM = new SecureRandom();

    private HttpsDynamicRegistration() {}

    /**
     * Registers {@code deviceName}.
     *
     * @param endpoint e.g. {@code https://iot-auth.cn-shanghai.aliyuncs.com}
     * @param preRegistered whether the device was registered in the console (the answer is its
     *     secret) or not (a token)
     */
    public static Mono<RegistrationResult> register(
            HttpClient http,
            URI endpoint,
            String productKey,
            String deviceName,
            String productSecret,
            boolean preRegistered) {
        Objects.requireNonNull(http, "http");
        Objects.requireNonNull(productSecret, "productSecret");
        return Mono.defer(
                        () -> {
                            String random = Long.toHexString(RANDOM.nextLong() & Long.MAX_VALUE);
                            Map<String, String> form = new LinkedHashMap<>();
                            form.put("productKey", productKey);
                            form.put("deviceName", deviceName);
                            form.put("random", random);
                            form.put(
                                    "sign",
                                    AliyunSigner.registrationPassword(
                                            SignMethod.HMACSHA256,
                                            productSecret,
                                            productKey,
                                            deviceName,
                                            random));
                            form.put("signMethod", "hmacsha256");
                            if (!preRegistered) {
                                form.put("authType", "regnwl");
                            }
                            String body =
                                    form.entrySet().stream()
                                            .map(
                                                    e ->
                                                            e.getKey()
                                                                    + "="
                                                                    + URLEncoder.encode(
                                                                            e.getValue(),
                                                                            StandardCharsets.UTF_8))
                                            .collect(Collectors.joining("&"));
                            HttpRequest request =
                                    HttpRequest.newBuilder(endpoint.resolve(PATH))
                                            .header(
                                                    "Content-Type",
                                                    "application/x-www-form-urlencoded")
                                            .POST(HttpRequest.BodyPublishers.ofString(body))
                                            .build();
                            return Mono.fromFuture(
                                    () ->
                                            http.sendAsync(
                                                    request,
                                                    HttpResponse.BodyHandlers.ofByteArray()));
                        })
                .map(response -> result(response.body(), productKey, deviceName));
    }

    private static RegistrationResult result(byte[] body, String productKey, String deviceName) {
        Map<String, Object> o;
        try {
            o = AlinkJson.decodeObject(body, "registration answer");
        } catch (MalformedAlinkException e) {
            throw new DynamicRegistrationException("the registration answer is not JSON");
        }
        Object code = o.get("code");
        if (!(code instanceof Number n) || n.intValue() != 200) {
            throw new DynamicRegistrationException(
                    "registration refused with code "
                            + code
                            + (o.get("message") instanceof String m ? ": " + m : ""));
        }
        if (!(o.get("data") instanceof Map<?, ?> data)) {
            throw new DynamicRegistrationException("the registration answer has no data");
        }
        String pk = data.get("productKey") instanceof String s ? s : productKey;
        String dn = data.get("deviceName") instanceof String s ? s : deviceName;
        if (data.get("deviceSecret") instanceof String secret) {
            return new RegistrationResult.DeviceSecret(pk, dn, secret);
        }
        if (data.get("deviceToken") instanceof String token
                && data.get("clientId") instanceof String clientId) {
            return new RegistrationResult.DeviceToken(pk, dn, clientId, token);
        }
        throw new DynamicRegistrationException("the registration answer holds no secret or token");
    }
}
