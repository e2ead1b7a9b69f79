package io.thingflux.alink;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import reactor.core.publisher.Mono;

/** The MD5 and SHA-256 digests of a file being received, checked against the announced ones. */
final class FirmwareDigests {

    private final MessageDigest md5;
    private final MessageDigest sha256;
    private long size;

    FirmwareDigests() {
        try {
            md5 = MessageDigest.getInstance("MD5");
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    void update(byte[] bytes) {
        md5.update(bytes);
        sha256.update(bytes);
        size += bytes.length;
    }

    /**
     * What does not match, or {@code null}: the size (when {@code expectedSize} > 0), the MD5 (when
     * {@code md5} is given), the sign by {@code signMethod} (MD5 or SHA256, when given).
     */
    String check(long expectedSize, String expectedMd5, String sign, String signMethod) {
        String md5Hex = HexFormat.of().formatHex(md5.digest());
        String shaHex = HexFormat.of().formatHex(sha256.digest());
        if (expectedSize > 0 && size != expectedSize) {
            return "size " + size + " is not the announced " + expectedSize;
        }
        if (expectedMd5 != null && !expectedMd5.equalsIgnoreCase(md5Hex)) {
            return "MD5 does not match";
        }
        if (sign != null && signMethod != null) {
            String method = signMethod.toUpperCase(Locale.ROOT).replace("-", "");
            String actual = method.equals("MD5") ? md5Hex : method.equals("SHA256") ? shaHex : null;
            if (actual == null) {
                return "unknown sign method " + signMethod;
            }
            if (!sign.equalsIgnoreCase(actual)) {
                return signMethod + " sign does not match";
            }
        }
        return null;
    }

    /**
     * Completes empty when the file received so far is {@code firmware} ({@code expectedSize} > 0
     * checked too), else fails with {@link FirmwareVerificationException}; checked when subscribed,
     * so it goes at the end of the download's chunks.
     */
    <T> Mono<T> verify(long expectedSize, OtaFirmware firmware) {
        return Mono.defer(
                () -> {
                    String problem =
                            check(
                                    expectedSize,
                                    firmware.md5(),
                                    firmware.sign(),
                                    firmware.signMethod());
                    return problem == null
                            ? Mono.empty()
                            : Mono.error(
                                    new FirmwareVerificationException(
                                            "firmware " + firmware.version() + ": " + problem));
                });
    }

    /** Checks a whole file: {@link #check(long, String, String, String)} without an MD5 field. */
    static String check(byte[] body, long expectedSize, String sign, String signMethod) {
        FirmwareDigests d = new FirmwareDigests();
        d.update(body);
        return d.check(expectedSize, null, sign, signMethod);
    }
}
