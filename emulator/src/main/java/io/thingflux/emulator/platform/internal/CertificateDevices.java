package io.thingflux.emulator.platform.internal;

import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.SslHandler;
import io.thingflux.mqtt.ConnectReturnCode;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * Authenticates devices by their TLS client certificate, as the platform's X.509 mode does: a
 * device list maps a certificate's SHA-256 fingerprint (hex, colons and case ignored) or its
 * subject DN (RFC 2253, as {@link X509Certificate#getSubjectX500Principal()} prints it) to a {@code
 * productKey/deviceName}. The TLS listener has already checked the chain against the configured CA;
 * a connection that presents a certificate is authenticated by it alone (user name and password are
 * not checked), and a certificate not in the list is refused with CONNACK 5.
 */
public final class CertificateDevices {

    private final Map<String, Principal> byKey = new HashMap<>();

    /**
     * @param devices fingerprint or subject → {@code productKey/deviceName}
     */
    public CertificateDevices(Map<String, String> devices) {
        devices.forEach(
                (key, identity) -> {
                    int slash = identity.indexOf('/');
                    if (slash <= 0 || slash == identity.length() - 1) {
                        throw new IllegalArgumentException(
                                "a certificate device is productKey/deviceName");
                    }
                    byKey.put(
                            normalise(key),
                            Principal.device(
                                    identity.substring(0, slash), identity.substring(slash + 1)));
                });
    }

    /** The SHA-256 fingerprint of {@code cert} as lowercase hex without separators. */
    public static String fingerprint(X509Certificate cert) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(cert.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String normalise(String key) {
        String k = key.strip();
        String hex = k.replace(":", "").toLowerCase(Locale.ROOT);
        if (hex.length() == 64 && hex.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            return "sha256:" + hex;
        }
        return "subject:" + new javax.security.auth.x500.X500Principal(k).getName();
    }

    /**
     * The outcome for the connection of {@code pipeline}: {@code null} when it presented no client
     * certificate (check the CONNECT as usual), else its device or a refusal.
     */
    PlatformAuthenticator.Result check(ChannelPipeline pipeline) {
        SslHandler ssl = pipeline.get(SslHandler.class);
        if (ssl == null) {
            return null;
        }
        Certificate[] chain;
        try {
            chain = ssl.engine().getSession().getPeerCertificates();
        } catch (SSLPeerUnverifiedException e) {
            return null;
        }
        if (chain.length == 0 || !(chain[0] instanceof X509Certificate leaf)) {
            return null;
        }
        Principal p = byKey.get("sha256:" + fingerprint(leaf));
        if (p == null) {
            p = byKey.get("subject:" + leaf.getSubjectX500Principal().getName());
        }
        return p != null
                ? new PlatformAuthenticator.Result(p, null)
                : PlatformAuthenticator.Result.refused(ConnectReturnCode.NOT_AUTHORIZED);
    }
}
