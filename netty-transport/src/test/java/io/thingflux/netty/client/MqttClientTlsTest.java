package io.thingflux.netty.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.thingflux.link.LinkState;
import io.thingflux.mqtt.ConnAck;
import io.thingflux.mqtt.Connect;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.test.StepVerifier;

/**
 * TLS through SslHandler against a broker with a self-signed certificate for localhost / 127.0.0.1,
 * made with the JDK's keytool: trusted with matching host connects, a wrong host or an untrusted
 * certificate is refused with a typed transport error.
 */
class MqttClientTlsTest extends ClientTestSupport {

    private static final char[] PASS = "changeit".toCharArray();
    @TempDir static Path dir;
    private static X509Certificate certificate;
    private static SslContext serverContext;
    private static String certificatePem;

    @BeforeAll
    static void makeCertificate() throws Exception {
        Path store = dir.resolve("broker.p12");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Process p =
                new ProcessBuilder(
                                keytool,
                                "-genkeypair",
                                "-alias",
                                "broker",
                                "-keyalg",
                                "EC",
                                "-groupname",
                                "secp256r1",
                                "-dname",
                                "CN=localhost",
                                "-ext",
                                "SAN=dns:localhost,ip:127.0.0.1",
                                "-validity",
                                "2",
                                "-keystore",
                                store.toString(),
                                "-storetype",
                                "PKCS12",
                                "-storepass",
                                "changeit",
                                "-keypass",
                                "changeit")
                        .redirectErrorStream(true)
                        .start();
        String output = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(output).isZero();
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            ks.load(in, PASS);
        }
        certificate = (X509Certificate) ks.getCertificate("broker");
        certificatePem =
                "-----BEGIN CERTIFICATE-----\n"
                        + Base64.getMimeEncoder(64, "\n".getBytes())
                                .encodeToString(certificate.getEncoded())
                        + "\n-----END CERTIFICATE-----\n";
        KeyManagerFactory kmf =
                KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, PASS);
        serverContext = SslContextBuilder.forServer(kmf).build();
    }

    @AfterAll
    static void forget() {
        serverContext = null;
    }

    private ScriptedBroker tlsBroker() {
        broker.close();
        broker = ScriptedBroker.startTls(serverContext);
        return broker;
    }

    @Test
    void trustedCertificateWithMatchingHostConnectsOverTls() throws Exception {
        tlsBroker();
        MqttClient client =
                client(
                        MqttClientOptions.builder("localhost", broker.port())
                                .clientId("tls-1")
                                .tls(MqttTlsOptions.builder().trustPem(certificatePem).build()));
        client.connect().subscribe(a -> {}, e -> {});
        ScriptedBroker.Connection c = broker.awaitConnection();
        assertThat(c.expect(Connect.class).clientId()).isEqualTo("tls-1");
        c.send(ConnAck.accepted(false));
        awaitState(client, LinkState.CONNECTED);
    }

    @Test
    void certificateForAnotherHostIsRefusedByHostnameVerification() {
        tlsBroker();
        MqttClient client =
                client(
                        MqttClientOptions.builder("127.0.0.1", broker.port())
                                .tls(
                                        MqttTlsOptions.builder()
                                                .trustCertificates(certificate)
                                                .sniHost("broker.example.com")
                                                .build()));
        StepVerifier.create(client.connect())
                .expectErrorSatisfies(
                        e -> {
                            assertThat(e)
                                    .isInstanceOf(MqttTransportException.class)
                                    .hasMessageContaining("TLS");
                            assertThat(e.getCause()).isInstanceOf(SSLHandshakeException.class);
                        })
                .verify(WAIT);
    }

    @Test
    void sameCertificateIsAcceptedForItsIpAddress() throws Exception {
        tlsBroker();
        MqttClient client =
                client(
                        MqttClientOptions.builder("127.0.0.1", broker.port())
                                .tls(
                                        MqttTlsOptions.builder()
                                                .trustCertificates(certificate)
                                                .build()));
        client.connect().subscribe(a -> {}, e -> {});
        ScriptedBroker.Connection c = broker.awaitConnection();
        c.expect(Connect.class);
        c.send(ConnAck.accepted(false));
        awaitState(client, LinkState.CONNECTED);
    }

    @Test
    void theConfiguredSniNameReachesTheBroker() throws Exception {
        java.util.concurrent.CompletableFuture<String> sni =
                new java.util.concurrent.CompletableFuture<>();
        broker.close();
        io.netty.util.Mapping<String, SslContext> mapping =
                name -> {
                    sni.complete(String.valueOf(name));
                    return serverContext;
                };
        broker = ScriptedBroker.startTls(mapping);
        MqttClient client =
                client(
                        MqttClientOptions.builder("127.0.0.1", broker.port())
                                .tls(
                                        MqttTlsOptions.builder()
                                                .trustCertificates(certificate)
                                                .sniHost("iot.example.com")
                                                .hostnameVerification(false)
                                                .build()));
        client.connect().subscribe(a -> {}, e -> {});
        ScriptedBroker.Connection c = broker.awaitConnection();
        c.expect(Connect.class);
        c.send(ConnAck.accepted(false));
        awaitState(client, LinkState.CONNECTED);
        assertThat(sni.get(10, TimeUnit.SECONDS)).isEqualTo("iot.example.com");
    }

    @Test
    void untrustedCertificateIsRefused() {
        tlsBroker();
        MqttClient client =
                client(
                        MqttClientOptions.builder("localhost", broker.port())
                                .tls(MqttTlsOptions.defaults()));
        StepVerifier.create(client.connect())
                .expectErrorSatisfies(
                        e ->
                                assertThat(e)
                                        .isInstanceOf(MqttTransportException.class)
                                        .hasCauseInstanceOf(SSLHandshakeException.class))
                .verify(WAIT);
    }

    @Test
    void trustPemWithoutCertificatesIsRejected() {
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> MqttTlsOptions.builder().trustPem("not a pem"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(MqttTlsOptions.defaults().hostnameVerification()).isTrue();
        assertThat(List.of(MqttTlsOptions.defaults().toString()))
                .noneMatch(s -> s.contains("changeit"));
    }
}
