package io.thingflux.netty.client;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;

/**
 * The root certificates the Aliyun IoT Platform's MQTT endpoints chain to, shipped with this
 * library so that no user downloads a PEM by hand; trust them with {@link
 * MqttTlsOptions.Builder#trustRoots(TrustRoot...)} or {@link MqttTlsOptions#aliyun()}.
 *
 * <p>Which port uses which root: ports 1883 and 443 of the public instances chain to {@link
 * #GLOBALSIGN_ROOT_CA_R1} (valid until 2028-01-28), port 8883 (recommended for new instances) to
 * {@link #ALIYUN_IOT_ROOT_CA_2053}, Aliyun's own root valid until 2053 (Link SDK 4.x demos; the
 * Python linkkit embeds both). Each is pinned by its SHA-256 fingerprint in the tests.
 */
public enum TrustRoot {
    /**
     * {@code CN=GlobalSign Root CA, OU=Root CA, O=GlobalSign nv-sa, C=BE} (also in the JDK's
     * cacerts), SHA-256 {@code EB:D4:10:40:...:1C:99}.
     */
    GLOBALSIGN_ROOT_CA_R1("globalsign-root-ca-r1.pem"),
    /**
     * {@code CN=Aliyun IoT Root CA, OU=Root CA, O=Aliyun IoT, L=Hangzhou, ST=Zhejiang, C=CN}, valid
     * 2023-07-04 to 2053-07-04, SHA-256 {@code 7C:A4:38:A3:...:16:76}; in no public trust store.
     */
    ALIYUN_IOT_ROOT_CA_2053("aliyun-iot-root-ca-2053.pem");

    private final String resource;

    TrustRoot(String resource) {
        this.resource = resource;
    }

    /** The certificate in PEM. */
    public String pem() {
        try (InputStream in = TrustRoot.class.getResourceAsStream("roots/" + resource)) {
            if (in == null) {
                throw new IllegalStateException("missing resource roots/" + resource);
            }
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The certificate, parsed. */
    public X509Certificate certificate() {
        try {
            return (X509Certificate)
                    CertificateFactory.getInstance("X.509")
                            .generateCertificate(
                                    new ByteArrayInputStream(
                                            pem().getBytes(StandardCharsets.US_ASCII)));
        } catch (CertificateException e) {
            throw new IllegalStateException("invalid shipped root " + resource, e);
        }
    }
}
