package io.thingflux.emulator.platform.internal;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The two request signatures of the platform's RPC-style OpenAPI, as the official SDKs compute
 * them: signature version 1.0 (HMAC-SHA1 over the canonicalised parameters, sent as the {@code
 * Signature} parameter) and V3 ({@code Authorization: ACS3-HMAC-SHA256 Credential=..,
 * SignedHeaders=..,Signature=..} over the canonical request). Pure functions; the verifier is
 * {@link OpenApiAuthenticator}.
 */
public final class OpenApiSignatures {

    /** The V3 algorithm name, the first word of the {@code Authorization} header. */
    public static final String ACS3_HMAC_SHA256 = "ACS3-HMAC-SHA256";

    private OpenApiSignatures() {}

    /**
     * Percent-encoding as the platform canonicalises (RFC 3986): everything but {@code A-Z a-z 0-9
     * - _ . ~} is encoded as UTF-8 {@code %XX} with upper-case hex; a space is {@code %20}.
     */
    public static String percentEncode(String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        StringBuilder sb = new StringBuilder(bytes.length + 16);
        for (byte b : bytes) {
            int c = b & 0xFF;
            if ((c >= 'A' && c <= 'Z')
                    || (c >= 'a' && c <= 'z')
                    || (c >= '0' && c <= '9')
                    || c == '-'
                    || c == '_'
                    || c == '.'
                    || c == '~') {
                sb.append((char) c);
            } else {
                sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)));
                sb.append(Character.toUpperCase(Character.forDigit(c & 0xF, 16)));
            }
        }
        return sb.toString();
    }

    /**
     * The version 1.0 string to sign: {@code METHOD&%2F&} followed by the encoded canonical query
     * (every parameter but {@code Signature}, sorted by name, {@code name=value} joined by {@code
     * &}, each part percent-encoded).
     */
    public static String v1StringToSign(String method, Map<String, String> params) {
        StringBuilder canonical = new StringBuilder();
        for (Map.Entry<String, String> e : new TreeMap<>(params).entrySet()) {
            if (e.getKey().equals("Signature")) {
                continue;
            }
            if (canonical.length() > 0) {
                canonical.append('&');
            }
            canonical
                    .append(percentEncode(e.getKey()))
                    .append('=')
                    .append(percentEncode(e.getValue()));
        }
        return method + "&" + percentEncode("/") + "&" + percentEncode(canonical.toString());
    }

    /** The version 1.0 signature: Base64 of HMAC-SHA1 with key {@code secret + "&"}. */
    public static String v1Signature(String secret, String stringToSign) {
        return Base64.getEncoder().encodeToString(hmac("HmacSHA1", secret + "&", stringToSign));
    }

    /**
     * The V3 canonical request: method, URI, canonical query (sorted, values percent-encoded),
     * canonical headers ({@code name:value\n} for each signed header, lower-case, trimmed, multiple
     * values sorted and joined by commas), the signed header names joined by {@code ;}, and the hex
     * SHA-256 of the body.
     *
     * @param headers header values by lower-case name
     * @param signedHeaders lower-case names, as the {@code SignedHeaders} of the request list them
     */
    public static String v3CanonicalRequest(
            String method,
            String canonicalUri,
            Map<String, String> query,
            Map<String, List<String>> headers,
            List<String> signedHeaders,
            String hashedPayload) {
        StringBuilder sb = new StringBuilder(512);
        sb.append(method).append('\n').append(canonicalUri).append('\n');
        boolean first = true;
        for (Map.Entry<String, String> e : new TreeMap<>(query).entrySet()) {
            if (!first) {
                sb.append('&');
            }
            first = false;
            sb.append(percentEncode(e.getKey())).append('=').append(percentEncode(e.getValue()));
        }
        sb.append('\n');
        for (String name : signedHeaders) {
            List<String> values = headers.getOrDefault(name, List.of());
            sb.append(name).append(':');
            sb.append(String.join(",", values.stream().map(String::strip).sorted().toList()));
            sb.append('\n');
        }
        sb.append('\n').append(String.join(";", signedHeaders)).append('\n');
        sb.append(hashedPayload);
        return sb.toString();
    }

    /** The V3 string to sign: the algorithm name and the hex SHA-256 of the canonical request. */
    public static String v3StringToSign(String canonicalRequest) {
        return ACS3_HMAC_SHA256
                + "\n"
                + sha256Hex(canonicalRequest.getBytes(StandardCharsets.UTF_8));
    }

    /** The V3 signature: lower-case hex HMAC-SHA256 of the string to sign. */
    public static String v3Signature(String secret, String stringToSign) {
        return HexFormat.of().formatHex(hmac("HmacSHA256", secret, stringToSign));
    }

    /** Lower-case hex SHA-256, as {@code x-acs-content-sha256} carries a body's hash. */
    public static String sha256Hex(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    private static byte[] hmac(String algorithm, String key, String data) {
        try {
            Mac mac = Mac.getInstance(algorithm);
            mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), algorithm));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(algorithm + " is missing from this JVM", e);
        }
    }
}
