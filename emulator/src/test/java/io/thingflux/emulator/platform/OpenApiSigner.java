package io.thingflux.emulator.platform;

import io.thingflux.emulator.platform.internal.OpenApiSignatures;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Builds signed OpenAPI requests the way the official SDKs do, for tests: version 1.0 (a form POST
 * with the {@code Signature} parameter) and V3 ({@code Authorization: ACS3-HMAC-SHA256}).
 */
final class OpenApiSigner {

    final String endpoint;
    final String accessKeyId;
    final String secret;

    OpenApiSigner(String endpoint, String accessKeyId, String secret) {
        this.endpoint = endpoint;
        this.accessKeyId = accessKeyId;
        this.secret = secret;
    }

    static String timestamp(Instant t) {
        return t.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    /** A version 1.0 form POST of {@code action}. */
    HttpRequest v1(String action, Map<String, String> params) {
        return v1(action, params, timestamp(Instant.now()), UUID.randomUUID().toString(), null);
    }

    /**
     * A version 1.0 form POST with the given timestamp and nonce; {@code tamper}, when given,
     * replaces the signature.
     */
    HttpRequest v1(
            String action,
            Map<String, String> params,
            String timestamp,
            String nonce,
            String tamper) {
        Map<String, String> all = new TreeMap<>(params);
        all.put("Action", action);
        all.put("Version", "2018-01-20");
        all.put("Format", "JSON");
        all.put("AccessKeyId", accessKeyId);
        all.put("SignatureMethod", "HMAC-SHA1");
        all.put("SignatureVersion", "1.0");
        all.put("SignatureNonce", nonce);
        all.put("Timestamp", timestamp);
        all.put("RegionId", "cn-shanghai");
        String signature =
                OpenApiSignatures.v1Signature(
                        secret, OpenApiSignatures.v1StringToSign("POST", all));
        all.put("Signature", tamper != null ? tamper : signature);
        return HttpRequest.newBuilder(URI.create(endpoint + "/"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form(all)))
                .build();
    }

    /** A V3 request of {@code action}: parameters in the query, an empty body. */
    HttpRequest v3(String action, Map<String, String> query, boolean tamper) {
        String host = URI.create(endpoint).getAuthority();
        String hashed = OpenApiSignatures.sha256Hex(new byte[0]);
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("host", host);
        headers.put("x-acs-action", action);
        headers.put("x-acs-content-sha256", hashed);
        headers.put("x-acs-date", timestamp(Instant.now()));
        headers.put("x-acs-signature-nonce", UUID.randomUUID().toString());
        headers.put("x-acs-version", "2018-01-20");
        List<String> signed = List.copyOf(new TreeMap<>(headers).keySet());
        String canonical =
                OpenApiSignatures.v3CanonicalRequest(
                        "POST",
                        "/",
                        query,
                        headers.entrySet().stream()
                                .collect(
                                        Collectors.toMap(
                                                Map.Entry::getKey, e -> List.of(e.getValue()))),
                        signed,
                        hashed);
        String signature =
                OpenApiSignatures.v3Signature(
                        tamper ? secret + "x" : secret,
                        OpenApiSignatures.v3StringToSign(canonical));
        HttpRequest.Builder b =
                HttpRequest.newBuilder(URI.create(endpoint + "/?" + form(new TreeMap<>(query))))
                        .POST(HttpRequest.BodyPublishers.noBody())
                        .header(
                                "Authorization",
                                OpenApiSignatures.ACS3_HMAC_SHA256
                                        + " Credential="
                                        + accessKeyId
                                        + ",SignedHeaders="
                                        + String.join(";", signed)
                                        + ",Signature="
                                        + signature);
        headers.forEach(
                (k, v) -> {
                    if (!k.equals("host")) {
                        b.header(k, v);
                    }
                });
        return b.build();
    }

    private static String form(Map<String, String> params) {
        return params.entrySet().stream()
                .map(
                        e ->
                                OpenApiSignatures.percentEncode(e.getKey())
                                        + "="
                                        + OpenApiSignatures.percentEncode(e.getValue()))
                .collect(Collectors.joining("&"));
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
