package io.thingflux.emulator.waysin;

import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Test certificates: a CA, server certificates for localhost/127.0.0.1, device certificates. */
final class TestPki {

    private static final SecureRandom RANDOM = new SecureRandom();

    /** A certificate and its key (test material only). */
    record Issued(X509Certificate certificate, PrivateKey key) {

        String certificatePem() {
            return pem(certificate);
        }

        String keyPem() {
            try {
                return pem(new JcaPKCS8Generator(key, null).generate());
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        void writePem(Path cert, Path keyFile) throws IOException {
            Files.writeString(cert, certificatePem());
            Files.writeString(keyFile, keyPem());
        }

        Path writePkcs12(Path file, char[] password) throws Exception {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("device", key, password, new Certificate[] {certificate});
            try (OutputStream out = Files.newOutputStream(file)) {
                ks.store(out, password);
            }
            return file;
        }
    }

    private TestPki() {}

    static Issued ca(String commonName) {
        KeyPair keys = keys();
        return new Issued(
                sign(commonName, keys, commonName, keys.getPrivate(), true, false),
                keys.getPrivate());
    }

    static Issued server(Issued ca, String commonName) {
        KeyPair keys = keys();
        return new Issued(
                sign(
                        commonName,
                        keys,
                        ca.certificate().getSubjectX500Principal().getName(),
                        ca.key(),
                        false,
                        true),
                keys.getPrivate());
    }

    static Issued device(Issued ca, String commonName) {
        KeyPair keys = keys();
        return new Issued(
                sign(
                        commonName,
                        keys,
                        ca.certificate().getSubjectX500Principal().getName(),
                        ca.key(),
                        false,
                        false),
                keys.getPrivate());
    }

    private static KeyPair keys() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static X509Certificate sign(
            String subjectCn,
            KeyPair subject,
            String issuerDn,
            PrivateKey issuerKey,
            boolean ca,
            boolean serverNames) {
        try {
            Instant now = Instant.now();
            X500Name issuer =
                    issuerDn.startsWith("CN=")
                            ? new X500Name(issuerDn)
                            : new X500Name("CN=" + issuerDn);
            X509v3CertificateBuilder b =
                    new JcaX509v3CertificateBuilder(
                            issuer,
                            new BigInteger(64, RANDOM),
                            Date.from(now.minus(Duration.ofDays(1))),
                            Date.from(now.plus(Duration.ofDays(30))),
                            new X500Name("CN=" + subjectCn),
                            subject.getPublic());
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
            if (serverNames) {
                b.addExtension(
                        Extension.subjectAlternativeName,
                        false,
                        new GeneralNames(
                                new GeneralName[] {
                                    new GeneralName(GeneralName.dNSName, "localhost"),
                                    new GeneralName(GeneralName.iPAddress, "127.0.0.1")
                                }));
            }
            return new JcaX509CertificateConverter()
                    .getCertificate(
                            b.build(
                                    new JcaContentSignerBuilder("SHA256withECDSA")
                                            .build(issuerKey)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String pem(Object o) {
        StringWriter w = new StringWriter();
        try (JcaPEMWriter pem = new JcaPEMWriter(w)) {
            pem.writeObject(o);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return w.toString();
    }
}
