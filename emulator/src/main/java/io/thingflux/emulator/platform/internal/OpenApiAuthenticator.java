package io.thingflux.emulator.platform.internal;

import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Checks the signature of an OpenAPI request as the platform does: the access key must be
 * configured ({@code InvalidAccessKeyId.NotFound}, 404), the timestamp within {@link #MAX_SKEW} of
 * now ({@code InvalidTimeStamp.Expired}), the signature right ({@code SignatureDoesNotMatch}) and
 * the nonce unused ({@code SignatureNonceUsed}). Both schemes: version 1.0 ({@code Signature}
 * parameter) and V3 ({@code Authorization: ACS3-HMAC-SHA256 ...}).
 *
 * <p>Nonces are remembered for {@link #MAX_SKEW} past their request's timestamp (a request outside
 * it is refused anyway), at most {@link #MAX_NONCES}; when full, the oldest is forgotten early
 * (overflow: a replay of that one request would be accepted until its timestamp expires). Secrets
 * never reach a log, an exception or {@code toString}.
 */
final class OpenApiAuthenticator {

    /** How far a request's timestamp may be from the emulator's clock, as the platform allows. */
    static final Duration MAX_SKEW = Duration.ofMinutes(15);

    /** The most nonces remembered. */
    static final int MAX_NONCES = 100_000;

    private final Map<String, String> secrets;
    private final Clock clock;
    private final int maxNonces;

    /** Access key id + nonce to the time (ms) it may be forgotten, in insertion order. */
    private final LinkedHashMap<String, Long> nonces = new LinkedHashMap<>();

    OpenApiAuthenticator(Map<String, String> secrets, Clock clock) {
        this(secrets, clock, MAX_NONCES);
    }

    OpenApiAuthenticator(Map<String, String> secrets, Clock clock, int maxNonces) {
        this.secrets = new HashMap<>(secrets);
        this.clock = clock;
        this.maxNonces = maxNonces;
    }

    /** How many nonces are remembered now. */
    synchronized int rememberedNonces() {
        return nonces.size();
    }

    /**
     * Checks {@code request} and returns its parameters (query and form, and for V3 the action and
     * version from the {@code x-acs-*} headers); throws {@link OpenApiError} when refused.
     */
    Map<String, String> verify(OpenApiRequest request) {
        String authorization = request.header("authorization");
        if (authorization != null && authorization.startsWith("ACS3-")) {
            return verifyV3(request, authorization);
        }
        return verifyV1(request);
    }

    private Map<String, String> verifyV1(OpenApiRequest request) {
        Map<String, String> params = new HashMap<>(request.query());
        params.putAll(request.form());
        OpenApiParams p = new OpenApiParams(params);
        String accessKeyId = p.required("AccessKeyId");
        String signature = p.required("Signature");
        String method = p.optional("SignatureMethod");
        if (method != null && !method.equals("HMAC-SHA1")) {
            throw OpenApiError.invalid("SignatureMethod", "only HMAC-SHA1 is supported");
        }
        String version = p.optional("SignatureVersion");
        if (version != null && !version.equals("1.0")) {
            throw OpenApiError.invalid("SignatureVersion", "only 1.0 is supported");
        }
        String secret = secretOf(accessKeyId);
        Instant timestamp = checkTimestamp(p.required("Timestamp"));
        String nonce = p.required("SignatureNonce");
        String expected =
                OpenApiSignatures.v1Signature(
                        secret, OpenApiSignatures.v1StringToSign(request.method(), params));
        if (!equal(expected, signature)) {
            throw signatureDoesNotMatch();
        }
        useNonce(accessKeyId, nonce, timestamp);
        return params;
    }

    private Map<String, String> verifyV3(OpenApiRequest request, String authorization) {
        int space = authorization.indexOf(' ');
        String algorithm = space < 0 ? authorization : authorization.substring(0, space);
        if (!algorithm.equals(OpenApiSignatures.ACS3_HMAC_SHA256)) {
            throw OpenApiError.invalid("Authorization", "only ACS3-HMAC-SHA256 is supported");
        }
        Map<String, String> fields = new HashMap<>();
        for (String part : authorization.substring(space + 1).split(",")) {
            int eq = part.indexOf('=');
            if (eq > 0) {
                fields.put(part.substring(0, eq).strip(), part.substring(eq + 1).strip());
            }
        }
        String accessKeyId = fields.get("Credential");
        String signedHeadersText = fields.get("SignedHeaders");
        String signature = fields.get("Signature");
        if (accessKeyId == null || signedHeadersText == null || signature == null) {
            throw incomplete("Authorization needs Credential, SignedHeaders and Signature");
        }
        List<String> signedHeaders =
                Arrays.stream(signedHeadersText.split(";"))
                        .map(h -> h.strip().toLowerCase(Locale.ROOT))
                        .toList();
        for (String needed :
                List.of("x-acs-action", "x-acs-date", "x-acs-signature-nonce", "x-acs-version")) {
            if (request.header(needed) == null) {
                throw OpenApiError.missing(needed);
            }
            if (!signedHeaders.contains(needed)) {
                throw incomplete("SignedHeaders must include " + needed);
            }
        }
        String secret = secretOf(accessKeyId);
        Instant timestamp = checkTimestamp(request.header("x-acs-date"));
        String hashedPayload = OpenApiSignatures.sha256Hex(request.body());
        String declared = request.header("x-acs-content-sha256");
        if (declared != null && !declared.equalsIgnoreCase(hashedPayload)) {
            throw signatureDoesNotMatch();
        }
        String canonical =
                OpenApiSignatures.v3CanonicalRequest(
                        request.method(),
                        request.rawPath().isEmpty() ? "/" : request.rawPath(),
                        request.query(),
                        request.headers(),
                        signedHeaders,
                        declared != null ? declared : hashedPayload);
        String expected =
                OpenApiSignatures.v3Signature(secret, OpenApiSignatures.v3StringToSign(canonical));
        if (!equal(expected, signature.toLowerCase(Locale.ROOT))) {
            throw signatureDoesNotMatch();
        }
        useNonce(accessKeyId, request.header("x-acs-signature-nonce"), timestamp);
        Map<String, String> params = new HashMap<>(request.query());
        params.putAll(request.form());
        params.put("Action", request.header("x-acs-action"));
        params.put("Version", request.header("x-acs-version"));
        params.put("AccessKeyId", accessKeyId);
        return params;
    }

    private String secretOf(String accessKeyId) {
        String secret = secrets.get(accessKeyId);
        if (secret == null) {
            throw new OpenApiError(
                    HttpResponseStatus.NOT_FOUND,
                    "InvalidAccessKeyId.NotFound",
                    "Specified access key is not found.");
        }
        return secret;
    }

    private Instant checkTimestamp(String text) {
        Instant t;
        try {
            t = Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new OpenApiError(
                    HttpResponseStatus.BAD_REQUEST,
                    "InvalidTimeStamp.Format",
                    "Specified time stamp or date value is not well formatted"
                            + " (yyyy-MM-ddTHH:mm:ssZ, UTC).");
        }
        Duration skew = Duration.between(t, clock.instant()).abs();
        if (skew.compareTo(MAX_SKEW) > 0) {
            throw new OpenApiError(
                    HttpResponseStatus.BAD_REQUEST,
                    "InvalidTimeStamp.Expired",
                    "Specified time stamp or date value is expired (more than "
                            + MAX_SKEW.toMinutes()
                            + " minutes off).");
        }
        return t;
    }

    private synchronized void useNonce(String accessKeyId, String nonce, Instant timestamp) {
        long now = clock.millis();
        for (Iterator<Long> it = nonces.values().iterator(); it.hasNext(); ) {
            if (it.next() > now) {
                break;
            }
            it.remove();
        }
        String key = accessKeyId + '\n' + nonce;
        if (nonces.containsKey(key)) {
            throw new OpenApiError(
                    HttpResponseStatus.BAD_REQUEST,
                    "SignatureNonceUsed",
                    "Specified signature nonce was used already.");
        }
        if (nonces.size() >= maxNonces) {
            Iterator<Long> it = nonces.values().iterator();
            it.next();
            it.remove();
        }
        // insertion order is nearly expiry order: requests arrive within the skew of each other
        nonces.put(key, Math.max(now, timestamp.toEpochMilli()) + MAX_SKEW.toMillis());
    }

    private static boolean equal(String expected, String given) {
        return MessageDigest.isEqual(
                expected.getBytes(StandardCharsets.UTF_8), given.getBytes(StandardCharsets.UTF_8));
    }

    private static OpenApiError signatureDoesNotMatch() {
        return new OpenApiError(
                HttpResponseStatus.BAD_REQUEST,
                "SignatureDoesNotMatch",
                "Specified signature does not match our calculation.");
    }

    private static OpenApiError incomplete(String why) {
        return new OpenApiError(HttpResponseStatus.BAD_REQUEST, "IncompleteSignature", why);
    }

    @Override
    public String toString() {
        return "OpenApiAuthenticator[keys=" + secrets.keySet() + "]";
    }
}
