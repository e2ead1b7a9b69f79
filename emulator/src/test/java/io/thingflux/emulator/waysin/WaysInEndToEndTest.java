package io.thingflux.emulator.waysin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.proxy.ProxyConnectException;
import io.thingflux.aliyun.AliyunDeviceIdentity;
import io.thingflux.aliyun.AliyunSigner;
import io.thingflux.emulator.platform.AliyunPlatformEmulator;
import io.thingflux.emulator.platform.EmulatorOptions;
import io.thingflux.emulator.platform.internal.CertificateDevices;
import io.thingflux.link.ConnectRefusedException;
import io.thingflux.link.LinkMessage;
import io.thingflux.mqtt.ConnectReturnCode;
import io.thingflux.mqtt.MqttQos;
import io.thingflux.netty.client.MqttClient;
import io.thingflux.netty.client.MqttClientOptions;
import io.thingflux.netty.client.MqttClientResources;
import io.thingflux.netty.client.MqttProxyOptions;
import io.thingflux.netty.client.MqttTlsOptions;
import io.thingflux.netty.client.MqttWebSocketOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every way in of the Netty client, end to end against one platform emulator: TLS (a wrong host and
 * a wrong CA refused), MQTT over ws:// and wss:// (packets split over many frames), X.509 device
 * certificates (PEM and PKCS#12 accepted, unlisted and foreign ones refused) and HTTP CONNECT /
 * SOCKS5 proxies with credentials, started in the test.
 */
class WaysInEndToEndTest {

    static final Duration WAIT = Duration.ofSeconds(10);
    static final AliyunDeviceIdentity DEVICE = new AliyunDeviceIdentity("pk1", "dn1", "secret1");
    static final String POST = "/sys/pk1/dn1/thing/event/property/post";
    static final String POST_REPLY = POST + "_reply";

    @TempDir static Path dir;
    static TestPki.Issued serverCa;
    static TestPki.Issued otherCa;
    static TestPki.Issued deviceCa;
    static TestPki.Issued deviceCert;
    static TestPki.Issued bySubject;
    static TestPki.Issued unlisted;
    static AliyunPlatformEmulator emulator;
    static MqttClientResources resources;
    static TestProxy proxy;

    @BeforeAll
    static void start() throws Exception {
        serverCa = TestPki.ca("Test Server CA");
        otherCa = TestPki.ca("Some Other CA");
        deviceCa = TestPki.ca("Test Device CA");
        TestPki.Issued server = TestPki.server(serverCa, "localhost");
        deviceCert = TestPki.device(deviceCa, "device-by-fingerprint");
        bySubject = TestPki.device(deviceCa, "device-by-subject");
        unlisted = TestPki.device(deviceCa, "stranger");
        Path chain = dir.resolve("server.pem");
        Files.writeString(chain, server.certificatePem() + serverCa.certificatePem());
        Path key = dir.resolve("server.key");
        Files.writeString(key, server.keyPem());
        Path clientCa = dir.resolve("device-ca.pem");
        Files.writeString(clientCa, deviceCa.certificatePem());
        emulator =
                AliyunPlatformEmulator.start(
                        EmulatorOptions.builder()
                                .port(0)
                                .tlsPort(0)
                                .wsPort(0)
                                .wssPort(0)
                                .tlsCertificate(chain, key)
                                .device(DEVICE)
                                .device(new AliyunDeviceIdentity("pk1", "dn2", "secret2"))
                                .clientCertificateAuthority(clientCa)
                                .certificateDevice(
                                        CertificateDevices.fingerprint(deviceCert.certificate()),
                                        "pk1",
                                        "dn1")
                                .certificateDevice("CN=device-by-subject", "pk1", "dn2")
                                .build());
        resources = MqttClientResources.create(1);
        proxy = new TestProxy("proxy-user", "proxy-secret");
    }

    @AfterAll
    static void stop() {
        if (proxy != null) {
            proxy.close();
        }
        if (resources != null) {
            resources.dispose();
        }
        if (emulator != null) {
            emulator.close();
        }
    }

    private static MqttTlsOptions.Builder trustServerCa() {
        return MqttTlsOptions.builder().trustPem(serverCa.certificatePem());
    }

    private static MqttClientOptions.Builder signed(int port, boolean tls) {
        return MqttClientOptions.builder("127.0.0.1", port)
                .aliyun(
                        DEVICE,
                        AliyunSigner.builder()
                                .secureMode(
                                        tls
                                                ? AliyunSigner.SECURE_MODE_TLS
                                                : AliyunSigner.SECURE_MODE_TCP)
                                .build());
    }

    /** Connects, posts a property and waits for the platform's reply; then disconnects. */
    private static void roundTrip(MqttClientOptions options, int payloadBytes) {
        MqttClient client = MqttClient.create(options, resources);
        try {
            client.connect().block(WAIT);
            CompletableFuture<Void> subscribed = new CompletableFuture<>();
            CompletableFuture<LinkMessage> reply = new CompletableFuture<>();
            var sub =
                    client.subscribe(POST_REPLY, MqttQos.AT_LEAST_ONCE)
                            .doOnAck(a -> subscribed.complete(null))
                            .subscribe(reply::complete, reply::completeExceptionally);
            subscribed.orTimeout(10, TimeUnit.SECONDS).join();
            String filler = "x".repeat(Math.max(0, payloadBytes));
            String json =
                    "{\"id\":\"7\",\"version\":\"1.0\",\"params\":{\"note\":\""
                            + filler
                            + "\"},\"method\":\"thing.event.property.post\"}";
            client.publish(POST, json.getBytes(StandardCharsets.UTF_8), MqttQos.AT_LEAST_ONCE)
                    .block(WAIT);
            LinkMessage m = reply.orTimeout(10, TimeUnit.SECONDS).join();
            assertThat(m.payloadAsString()).contains("\"id\":\"7\"");
            sub.dispose();
        } finally {
            client.disconnect().onErrorResume(e -> reactor.core.publisher.Mono.empty()).block(WAIT);
        }
    }

    private static Throwable connectFailure(MqttClientOptions options) {
        MqttClient client = MqttClient.create(options, resources);
        Throwable[] caught = new Throwable[1];
        assertThatThrownBy(() -> client.connect().block(WAIT)).satisfies(e -> caught[0] = e);
        client.disconnect().onErrorResume(e -> reactor.core.publisher.Mono.empty()).block(WAIT);
        return caught[0];
    }

    private static List<Throwable> causes(Throwable e) {
        List<Throwable> all = new ArrayList<>();
        for (Throwable t = e; t != null && !all.contains(t); t = t.getCause()) {
            all.add(t);
        }
        return all;
    }

    private int tlsPort() {
        return emulator.tlsAddress().orElseThrow().getPort();
    }

    private int wssPort() {
        return emulator.wssAddress().orElseThrow().getPort();
    }

    @Test
    void tlsWithTheRightCaAndHostConnects() {
        roundTrip(signed(tlsPort(), true).tls(trustServerCa().build()).build(), 10);
    }

    @Test
    void tlsRefusesAWrongHostAndAWrongCa() {
        Throwable wrongHost =
                connectFailure(
                        signed(tlsPort(), true)
                                .tls(trustServerCa().sniHost("broker.example.com").build())
                                .build());
        assertThat(causes(wrongHost))
                .anySatisfy(c -> assertThat(c).isInstanceOf(SSLException.class));
        Throwable wrongCa =
                connectFailure(
                        signed(tlsPort(), true)
                                .tls(
                                        MqttTlsOptions.builder()
                                                .trustPem(otherCa.certificatePem())
                                                .build())
                                .build());
        assertThat(causes(wrongCa)).anySatisfy(c -> assertThat(c).isInstanceOf(SSLException.class));
    }

    @Test
    void mqttOverWebSocketJoinsPacketsSplitOverManyFrames() {
        int ws = emulator.wsAddress().orElseThrow().getPort();
        // 256-byte frames: the 5 kB publish leaves in 20 of them, the emulator joins them
        roundTrip(
                signed(ws, false)
                        .webSocket(
                                MqttWebSocketOptions.builder()
                                        .maxFramePayload(256)
                                        .header("X-Test", "ways-in")
                                        .build())
                        .build(),
                5_000);
    }

    @Test
    void mqttOverSecureWebSocket() {
        roundTrip(
                signed(wssPort(), true)
                        .tls(trustServerCa().build())
                        .webSocket(MqttWebSocketOptions.defaults())
                        .build(),
                10);
    }

    @Test
    void aWrongWebSocketPathIsRefused() {
        int ws = emulator.wsAddress().orElseThrow().getPort();
        connectFailure(
                signed(ws, false)
                        .webSocket(MqttWebSocketOptions.builder().path("/nope").build())
                        .build());
    }

    @Test
    void x509DevicesAreAuthenticatedByTheirCertificate(@TempDir Path tmp) throws Exception {
        // no signature at all: the certificate is the identity (fingerprint → pk1/dn1)
        Path certFile = tmp.resolve("device.pem");
        Path keyFile = tmp.resolve("device.key");
        deviceCert.writePem(certFile, keyFile);
        roundTrip(
                MqttClientOptions.builder("127.0.0.1", tlsPort())
                        .clientId("pk1.dn1")
                        .tls(trustServerCa().clientCertificatePem(certFile, keyFile, null).build())
                        .build(),
                10);
        // PKCS#12, over wss
        char[] pw = "p12-secret".toCharArray();
        Path p12 = deviceCert.writePkcs12(tmp.resolve("device.p12"), pw);
        roundTrip(
                MqttClientOptions.builder("127.0.0.1", wssPort())
                        .clientId("pk1.dn1")
                        .tls(trustServerCa().clientCertificatePkcs12(p12, pw).build())
                        .webSocket(MqttWebSocketOptions.defaults())
                        .build(),
                10);
        // by subject → pk1/dn2: it may not post as dn1, but it connects
        MqttClient second =
                MqttClient.create(
                        MqttClientOptions.builder("127.0.0.1", tlsPort())
                                .clientId("pk1.dn2")
                                .tls(
                                        trustServerCa()
                                                .clientCertificatePem(
                                                        bySubject.certificatePem(),
                                                        bySubject.keyPem(),
                                                        null)
                                                .build())
                                .build(),
                        resources);
        second.connect().block(WAIT);
        second.disconnect().block(WAIT);
    }

    @Test
    void unknownCertificatesAreRefused() {
        // chains to the device CA but is in no device list: CONNACK 5
        Throwable refused =
                connectFailure(
                        MqttClientOptions.builder("127.0.0.1", tlsPort())
                                .clientId("stranger")
                                .tls(
                                        trustServerCa()
                                                .clientCertificatePem(
                                                        unlisted.certificatePem(),
                                                        unlisted.keyPem(),
                                                        null)
                                                .build())
                                .build());
        assertThat(causes(refused))
                .anySatisfy(
                        c ->
                                assertThat(c)
                                        .isInstanceOfSatisfying(
                                                ConnectRefusedException.class,
                                                r ->
                                                        assertThat(r.returnCode())
                                                                .isEqualTo(
                                                                        ConnectReturnCode
                                                                                .NOT_AUTHORIZED)));
        // self-signed, not chaining to the device CA: the handshake fails
        TestPki.Issued rogue = TestPki.ca("rogue device");
        Throwable foreign =
                connectFailure(
                        MqttClientOptions.builder("127.0.0.1", tlsPort())
                                .clientId("rogue")
                                .tls(
                                        trustServerCa()
                                                .clientCertificatePem(
                                                        rogue.certificatePem(),
                                                        rogue.keyPem(),
                                                        null)
                                                .build())
                                .build());
        assertThat(foreign).isNotNull();
    }

    @Test
    void throughHttpConnectAndSocks5ProxiesWithCredentials() {
        int before = proxy.tunnels.size();
        roundTrip(
                signed(tlsPort(), true)
                        .tls(trustServerCa().build())
                        .proxy(
                                MqttProxyOptions.http("127.0.0.1", proxy.httpPort())
                                        .withCredentials("proxy-user", "proxy-secret"))
                        .build(),
                10);
        roundTrip(
                signed(emulator.wsAddress().orElseThrow().getPort(), false)
                        .webSocket(MqttWebSocketOptions.defaults())
                        .proxy(
                                MqttProxyOptions.parse(
                                        "socks5://proxy-user:proxy-secret@127.0.0.1:"
                                                + proxy.socksPort()))
                        .build(),
                10);
        assertThat(proxy.tunnels.subList(before, proxy.tunnels.size()))
                .containsExactly(
                        "127.0.0.1:" + tlsPort(),
                        "127.0.0.1:" + emulator.wsAddress().orElseThrow().getPort());
    }

    @Test
    void wrongProxyCredentialsFailTheConnect() {
        for (MqttProxyOptions wrong :
                List.of(
                        MqttProxyOptions.http("127.0.0.1", proxy.httpPort())
                                .withCredentials("proxy-user", "wrong"),
                        MqttProxyOptions.socks5("127.0.0.1", proxy.socksPort())
                                .withCredentials("proxy-user", "wrong"))) {
            Throwable e =
                    connectFailure(
                            signed(emulator.mqttAddress().getPort(), false).proxy(wrong).build());
            assertThat(causes(e))
                    .anySatisfy(c -> assertThat(c).isInstanceOf(ProxyConnectException.class));
            assertThat(e.toString()).doesNotContain("wrong");
        }
    }
}
