package io.thingflux.netty.client;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS settings of a client: whom to trust, whether to verify the host name (on by default), the SNI
 * name and the handshake timeout. The {@link SslContext} is built once in {@link Builder#build()}
 * and shared by every client given these options; {@link #mutate()} derives others.
 *
 * <p>For the Aliyun IoT Platform, trust its roots by name: {@link #aliyun()}, or {@link
 * Builder#trustRoots(TrustRoot...)} with {@link TrustRoot#GLOBALSIGN_ROOT_CA_R1} for ports 1883/443
 * and {@link TrustRoot#ALIYUN_IOT_ROOT_CA_2053} for port 8883.
 *
 * <p>A client certificate (mutual TLS, the platform's X.509 devices) comes from a PEM key and chain
 * ({@link Builder#clientCertificatePem(Path, Path, String)}) or a PKCS#12 file ({@link
 * Builder#clientCertificatePkcs12(Path, char[])}); the key and its password never appear in a
 * {@code toString} or an exception.
 */
public final class MqttTlsOptions {

    /** Default TLS handshake timeout: 10 s. */
    public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);

    /** The settings, frozen: a private copy of the builder that nothing changes. */
    private final Builder settings;

    private final SslContext sslContext;

    private MqttTlsOptions(Builder b) throws SSLException {
        this.settings = b;
        SslContextBuilder ctx =
                SslContextBuilder.forClient()
                        .endpointIdentificationAlgorithm(b.hostnameVerification ? "HTTPS" : null);
        if (b.trustManagerFactory != null) {
            ctx.trustManager(b.trustManagerFactory);
        } else if (!b.trusted.isEmpty()) {
            ctx.trustManager(b.trusted);
        }
        if (b.protocols != null) {
            ctx.protocols(b.protocols);
        }
        if (b.keyManagerFactory != null) {
            ctx.keyManager(b.keyManagerFactory);
        } else if (b.clientChainPem != null) {
            try {
                ctx.keyManager(
                        new ByteArrayInputStream(
                                b.clientChainPem.getBytes(StandardCharsets.US_ASCII)),
                        new ByteArrayInputStream(
                                b.clientKeyPem.getBytes(StandardCharsets.US_ASCII)),
                        b.clientKeyPassword);
            } catch (IllegalArgumentException e) {
                // the cause may quote the key material: not kept
                throw new SSLException("invalid client certificate chain or private key");
            }
        }
        this.sslContext = ctx.build();
    }

    /** A builder; without trust settings the JVM's default trust store is used. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * TLS for the Aliyun IoT Platform: trusts {@link TrustRoot#GLOBALSIGN_ROOT_CA_R1} (ports
     * 1883/443) and {@link TrustRoot#ALIYUN_IOT_ROOT_CA_2053} (port 8883), hostname verification
     * on.
     */
    public static MqttTlsOptions aliyun() {
        return builder().trustRoots(TrustRoot.values()).build();
    }

    /** TLS with the JVM's default trust store and hostname verification. */
    public static MqttTlsOptions defaults() {
        return builder().build();
    }

    /** A builder holding these settings, to derive others from (its build makes a new context). */
    public Builder mutate() {
        return settings.copy();
    }

    /** The shared client context. */
    public SslContext sslContext() {
        return sslContext;
    }

    public boolean hostnameVerification() {
        return settings.hostnameVerification;
    }

    /** The SNI and verification host name, or {@code null} to use the client's host. */
    public String sniHost() {
        return settings.sniHost;
    }

    public Duration handshakeTimeout() {
        return settings.handshakeTimeout;
    }

    /** Whether the client presents a certificate (mutual TLS). */
    public boolean hasClientCertificate() {
        return settings.keyManagerFactory != null || settings.clientChainPem != null;
    }

    @Override
    public String toString() {
        return "MqttTlsOptions[hostnameVerification="
                + hostnameVerification()
                + ", sni="
                + sniHost()
                + ", handshakeTimeout="
                + handshakeTimeout()
                + (hasClientCertificate() ? ", clientCertificate" : "")
                + "]";
    }

    /**
     * Builds {@link MqttTlsOptions}; not thread-safe. Every field is an immutable value (lists are
     * replaced by copies on each change), so a copy made with {@link #copy()} shares nothing that
     * changes.
     */
    public static final class Builder implements Cloneable {
        private List<X509Certificate> trusted = List.of();
        private TrustManagerFactory trustManagerFactory;
        private boolean hostnameVerification = true;
        private String sniHost;
        private Duration handshakeTimeout = DEFAULT_HANDSHAKE_TIMEOUT;
        private List<String> protocols;
        private String clientChainPem;
        private String clientKeyPem;
        private String clientKeyPassword;
        private KeyManagerFactory keyManagerFactory;

        private Builder() {}

        /**
         * Trusts these named roots (in addition to other trusted certificates) instead of the JVM's
         * store.
         */
        public Builder trustRoots(TrustRoot... roots) {
            List<X509Certificate> certs = new ArrayList<>();
            for (TrustRoot r : roots) {
                certs.add(r.certificate());
            }
            return trust(certs);
        }

        /**
         * Presents a client certificate: {@code chainPem} holds the certificate and its chain (leaf
         * first), {@code keyPem} the PKCS#8 private key, encrypted with {@code keyPassword} or not
         * ({@code null}).
         */
        public Builder clientCertificatePem(String chainPem, String keyPem, String keyPassword) {
            this.clientChainPem = Objects.requireNonNull(chainPem, "chainPem");
            this.clientKeyPem = Objects.requireNonNull(keyPem, "keyPem");
            this.clientKeyPassword = keyPassword;
            this.keyManagerFactory = null;
            return this;
        }

        /** {@link #clientCertificatePem(String, String, String)} read from PEM files. */
        public Builder clientCertificatePem(Path chainPem, Path keyPem, String keyPassword) {
            try {
                return clientCertificatePem(
                        Files.readString(chainPem, StandardCharsets.US_ASCII),
                        Files.readString(keyPem, StandardCharsets.US_ASCII),
                        keyPassword);
            } catch (IOException e) {
                throw new IllegalArgumentException(
                        "cannot read the client certificate or key file", e);
            }
        }

        /**
         * Presents the client certificate of a PKCS#12 file (its one key entry, key and store
         * protected by {@code password}).
         */
        public Builder clientCertificatePkcs12(Path file, char[] password) {
            try (InputStream in = Files.newInputStream(file)) {
                KeyStore store = KeyStore.getInstance("PKCS12");
                store.load(in, password);
                KeyManagerFactory kmf =
                        KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(store, password);
                return keyManagerFactory(kmf);
            } catch (IOException | GeneralSecurityException e) {
                // names the file, never the password
                throw new IllegalArgumentException(
                        "cannot read the PKCS#12 client certificate "
                                + file
                                + ": "
                                + e.getClass().getSimpleName());
            }
        }

        /** Presents what {@code factory} holds (a custom key store). */
        public Builder keyManagerFactory(KeyManagerFactory factory) {
            this.keyManagerFactory = Objects.requireNonNull(factory, "factory");
            this.clientChainPem = null;
            this.clientKeyPem = null;
            this.clientKeyPassword = null;
            return this;
        }

        /**
         * Trusts the certificates in {@code pem} (one or more PEM blocks) instead of the JVM's
         * store.
         */
        public Builder trustPem(String pem) {
            return trustPem(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
        }

        /** Trusts the certificates in the PEM file {@code path}. */
        public Builder trustPem(Path path) {
            try (InputStream in = Files.newInputStream(path)) {
                return trustPem(in);
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read trust PEM " + path, e);
            }
        }

        private Builder trustPem(InputStream in) {
            try {
                CertificateFactory cf = CertificateFactory.getInstance("X.509");
                List<X509Certificate> read = new ArrayList<>();
                cf.generateCertificates(in).forEach(c -> read.add((X509Certificate) c));
                if (read.isEmpty()) {
                    throw new IllegalArgumentException("no certificate found in the trust PEM");
                }
                return trust(read);
            } catch (CertificateException e) {
                throw new IllegalArgumentException("invalid trust PEM", e);
            }
        }

        /** Trusts {@code certificates} instead of the JVM's store. */
        public Builder trustCertificates(X509Certificate... certificates) {
            return trust(List.of(certificates));
        }

        private Builder trust(List<X509Certificate> more) {
            List<X509Certificate> all = new ArrayList<>(trusted);
            all.addAll(more);
            this.trusted = List.copyOf(all);
            return this;
        }

        /** Trusts what {@code factory} trusts (a custom trust store). */
        public Builder trustManagerFactory(TrustManagerFactory factory) {
            this.trustManagerFactory = Objects.requireNonNull(factory, "factory");
            return this;
        }

        /**
         * Whether the server certificate must match the host name (default true). Turn off only in
         * tests.
         */
        public Builder hostnameVerification(boolean verify) {
            this.hostnameVerification = verify;
            return this;
        }

        /** The name sent as SNI and verified against the certificate; default the client's host. */
        public Builder sniHost(String host) {
            this.sniHost = host;
            return this;
        }

        /** Default {@link #DEFAULT_HANDSHAKE_TIMEOUT}. */
        public Builder handshakeTimeout(Duration timeout) {
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("handshake timeout must be positive");
            }
            this.handshakeTimeout = timeout;
            return this;
        }

        /**
         * The TLS protocol versions to enable, e.g. {@code "TLSv1.3", "TLSv1.2"}; default the
         * JDK's.
         */
        public Builder protocols(String... protocols) {
            this.protocols = List.of(protocols);
            return this;
        }

        /**
         * @throws IllegalArgumentException when the TLS context cannot be built
         */
        public MqttTlsOptions build() {
            try {
                return new MqttTlsOptions(copy());
            } catch (SSLException e) {
                throw new IllegalArgumentException("cannot build the TLS context", e);
            }
        }

        /** A builder with the same settings (a shallow copy: every field is an immutable value). */
        private Builder copy() {
            try {
                return (Builder) super.clone();
            } catch (CloneNotSupportedException e) {
                throw new AssertionError(e);
            }
        }
    }
}
