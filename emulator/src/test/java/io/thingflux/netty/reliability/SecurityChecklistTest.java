package io.thingflux.netty.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.ssl.util.SelfSignedCertificate;
import io.thingflux.aliyun.AliyunDeviceIdentity;
import io.thingflux.aliyun.AliyunProducts;
import io.thingflux.aliyun.AliyunSigner;
import io.thingflux.emulator.platform.AliyunPlatformEmulator;
import io.thingflux.emulator.platform.AuthMode;
import io.thingflux.emulator.platform.EmulatorOptions;
import io.thingflux.emulator.platform.EmulatorRequestException;
import io.thingflux.emulator.platform.ReceivedPublish;
import io.thingflux.link.ConnectRefusedException;
import io.thingflux.link.LinkMessage;
import io.thingflux.link.LinkState;
import io.thingflux.link.ReconnectPolicy;
import io.thingflux.link.SubscriptionRefusedException;
import io.thingflux.mqtt.ConnectReturnCode;
import io.thingflux.mqtt.MqttQos;
import io.thingflux.netty.client.MqttClient;
import io.thingflux.netty.client.MqttClientOptions;
import io.thingflux.netty.client.MqttClientResources;
import io.thingflux.netty.client.MqttTlsOptions;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The security checklist of issue 9, one test per item, end to end against the emulator broker. */
class SecurityChecklistTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String PK = "a1SecPk";
    private static final String DEVICE_SECRET = "DeviceSecret0123456789abcdefXYZ";
    private static final String PRODUCT_SECRET = "ProductSecretQwErTy987654321";
    private static final String APP_PASSWORD = "AppPassword-5up3r-s3cr3t";
    private static final String ADMIN_TOKEN = "AdminToken-7f3c9a";
    private static final String ACCESS_KEY_SECRET = "openApiAccessKeySecret-9f2c";
    private static final AliyunDeviceIdentity DEVICE =
            new AliyunDeviceIdentity(PK, "dev1", DEVICE_SECRET);

    private final MqttClientResources resources = MqttClientResources.create(1);

    @AfterEach
    void disposeResources() {
        resources.disposeLater().block(Duration.ofSeconds(10));
    }

    private static ReconnectPolicy quickReconnect() {
        return ReconnectPolicy.exponential()
                .withDelays(Duration.ofMillis(100), Duration.ofMillis(500));
    }

    @Test
    void tlsVerifiesTheHostNameByDefaultAndRefusesACertificateForAnotherHost(@TempDir Path dir)
            throws Exception {
        SelfSignedCertificate cert = new SelfSignedCertificate("localhost");
        try {
            Path certPem =
                    Files.writeString(
                            dir.resolve("cert.pem"), pem("CERTIFICATE", cert.cert().getEncoded()));
            Path keyPem =
                    Files.writeString(
                            dir.resolve("key.pem"), pem("PRIVATE KEY", cert.key().getEncoded()));
            assertThat(MqttTlsOptions.defaults().hostnameVerification())
                    .as("on by default")
                    .isTrue();
            try (AliyunPlatformEmulator broker =
                    AliyunPlatformEmulator.start(
                            EmulatorOptions.builder()
                                    .port(0)
                                    .tlsPort(0)
                                    .tlsCertificate(certPem, keyPem)
                                    .authMode(AuthMode.NONE)
                                    .build())) {
                int tlsPort = broker.tlsAddress().orElseThrow().getPort();
                // trusted certificate, and nothing but trust set: verification is left at its
                // default
                MqttClient right =
                        MqttClient.create(
                                MqttClientOptions.builder("127.0.0.1", tlsPort)
                                        .clientId("tls-ok")
                                        .tls(
                                                MqttTlsOptions.builder()
                                                        .trustPem(certPem)
                                                        .sniHost("localhost")
                                                        .build())
                                        .build(),
                                resources);
                right.connect().block(WAIT);
                assertThat(right.state()).isEqualTo(LinkState.CONNECTED);
                right.disconnect().block(WAIT);

                for (MqttTlsOptions wrongHost :
                        List.of(
                                MqttTlsOptions.builder()
                                        .trustPem(certPem)
                                        .build(), // verifies 127.0.0.1: not in the certificate
                                MqttTlsOptions.builder()
                                        .trustPem(certPem)
                                        .sniHost("broker.example.com")
                                        .build())) {
                    MqttClient wrong =
                            MqttClient.create(
                                    MqttClientOptions.builder("127.0.0.1", tlsPort)
                                            .clientId("tls-wrong")
                                            .tls(wrongHost)
                                            .build(),
                                    resources);
                    assertThatThrownBy(() -> wrong.connect().block(WAIT))
                            .satisfies(
                                    e ->
                                            assertThat(causes(e))
                                                    .anySatisfy(
                                                            c ->
                                                                    assertThat(c)
                                                                            .isInstanceOf(
                                                                                    SSLHandshakeException
                                                                                            .class)))
                            // the JDK's host name check (HostnameChecker), not a trust failure
                            // ("PKIX path ...")
                            .satisfies(
                                    e ->
                                            assertThat(causes(e))
                                                    .as("refused for the host name")
                                                    .anySatisfy(
                                                            c ->
                                                                    assertThat(c)
                                                                            .isInstanceOf(
                                                                                    CertificateException
                                                                                            .class)
                                                                            .hasMessageMatching(
                                                                                    "No subject alternative names present|No .*name.* matching "
                                                                                            + Pattern
                                                                                                    .quote(
                                                                                                            wrongHost
                                                                                                                                    .sniHost()
                                                                                                                            != null
                                                                                                                    ? wrongHost
                                                                                                                            .sniHost()
                                                                                                                    : "127.0.0.1")
                                                                                            + " found\\.?")));
                }
                assertThat(broker.stats().connectsAccepted())
                        .as("only the right host got through")
                        .isEqualTo(1);
            }
        } finally {
            cert.delete();
        }
    }

    @Test
    void secretsAndPasswordsNeverReachLogsToStringExceptionMessagesOrTheRecording(@TempDir Path dir)
            throws Exception {
        AliyunDeviceIdentity derived = AliyunProducts.deriveDevice(PK, PRODUCT_SECRET, "dev2");
        AliyunSigner signer = AliyunSigner.defaults();
        List<String> secrets =
                List.of(
                        DEVICE_SECRET,
                        PRODUCT_SECRET,
                        derived.deviceSecret(),
                        APP_PASSWORD,
                        ADMIN_TOKEN,
                        ACCESS_KEY_SECRET,
                        signer.sign(DEVICE).password(),
                        signer.sign(derived).password());
        Path recording = dir.resolve("received.jsonl");
        List<String> texts = new ArrayList<>();
        List<Throwable> errors = new ArrayList<>();
        try (LogCapture logs = new LogCapture("io.thingflux", "io.netty")) {
            EmulatorOptions emulatorOptions =
                    EmulatorOptions.builder()
                            .port(0)
                            .adminPort(0)
                            .adminToken(ADMIN_TOKEN)
                            .accessKey("LTAIchecklist", ACCESS_KEY_SECRET)
                            .device(DEVICE)
                            .product(PK, PRODUCT_SECRET)
                            .app("app", APP_PASSWORD)
                            .recordFile(recording)
                            .build();
            texts.add(emulatorOptions.toString());
            try (AliyunPlatformEmulator broker = AliyunPlatformEmulator.start(emulatorOptions)) {
                texts.add(broker.toString());
                texts.add(broker.describe());
                int port = broker.mqttAddress().getPort();
                List<MqttClient> clients = new ArrayList<>();
                for (AliyunDeviceIdentity d : List.of(DEVICE, derived)) {
                    MqttClientOptions o =
                            MqttClientOptions.builder("127.0.0.1", port)
                                    .aliyun(d, signer)
                                    .aliyunLimits(true)
                                    .build();
                    texts.add(d.toString());
                    texts.add(o.toString());
                    texts.add(o.connectPacket().toString());
                    texts.add(signer.sign(d).toString());
                    MqttClient c = MqttClient.create(o, resources);
                    c.connect().block(WAIT);
                    texts.add(c.toString());
                    c.publish(
                                    "/sys/"
                                            + PK
                                            + "/"
                                            + d.deviceName()
                                            + "/thing/event/property/post",
                                    "{\"id\":\"1\",\"params\":{\"t\":1}}"
                                            .getBytes(StandardCharsets.UTF_8),
                                    MqttQos.AT_LEAST_ONCE)
                            .block(WAIT);
                    clients.add(c);
                }
                MqttClientOptions appOptions =
                        MqttClientOptions.builder("127.0.0.1", port)
                                .clientId("app1")
                                .credentials("app", APP_PASSWORD)
                                .build();
                texts.add(appOptions.toString());
                texts.add(appOptions.connectPacket().toString());
                MqttClient app = MqttClient.create(appOptions, resources);
                app.connect().block(WAIT);
                clients.add(app);

                // refused: a wrong secret, a wrong app password, a wrong admin token
                for (MqttClientOptions bad :
                        List.of(
                                MqttClientOptions.builder("127.0.0.1", port)
                                        .aliyunLimits(true)
                                        .aliyun(
                                                new AliyunDeviceIdentity(
                                                        PK, "dev1", DEVICE_SECRET + "x"),
                                                signer)
                                        .build(),
                                MqttClientOptions.builder("127.0.0.1", port)
                                        .clientId("app2")
                                        .credentials("app", APP_PASSWORD.substring(1))
                                        .build())) {
                    try {
                        MqttClient.create(bad, resources).connect().block(WAIT);
                        throw new AssertionError("a wrong credential was accepted");
                    } catch (RuntimeException e) {
                        errors.add(e);
                    }
                }
                HttpResponse<String> refused =
                        HttpClient.newHttpClient()
                                .send(
                                        HttpRequest.newBuilder(
                                                        URI.create(
                                                                "http://127.0.0.1:"
                                                                        + broker.adminAddress()
                                                                                .orElseThrow()
                                                                                .getPort()
                                                                        + "/api/GetDeviceStatus"))
                                                .header(
                                                        "Authorization",
                                                        "Bearer " + ADMIN_TOKEN.substring(1))
                                                .POST(
                                                        HttpRequest.BodyPublishers.ofString(
                                                                "{\"ProductKey\":\""
                                                                        + PK
                                                                        + "\",\"DeviceName\":\"dev1\"}"))
                                                .build(),
                                        HttpResponse.BodyHandlers.ofString());
                assertThat(refused.statusCode()).isEqualTo(401);
                assertThat(refused.body()).contains("\"Code\":\"Unauthorized\"");
                texts.add(refused.body());
                // an OpenAPI request with a wrong V3 signature by a configured access key
                HttpResponse<String> badSignature =
                        HttpClient.newHttpClient()
                                .send(
                                        HttpRequest.newBuilder(
                                                        URI.create(
                                                                "http://127.0.0.1:"
                                                                        + broker.adminAddress()
                                                                                .orElseThrow()
                                                                                .getPort()
                                                                        + "/?ProductKey="
                                                                        + PK
                                                                        + "&DeviceName=dev1"))
                                                .header(
                                                        "Authorization",
                                                        "ACS3-HMAC-SHA256 Credential=LTAIchecklist,"
                                                                + "SignedHeaders=x-acs-action;x-acs-date;"
                                                                + "x-acs-signature-nonce;x-acs-version,"
                                                                + "Signature=00")
                                                .header("x-acs-action", "GetDeviceStatus")
                                                .header("x-acs-version", "2018-01-20")
                                                .header(
                                                        "x-acs-date",
                                                        java.time.Instant.now()
                                                                .truncatedTo(
                                                                        java.time.temporal
                                                                                .ChronoUnit.SECONDS)
                                                                .toString())
                                                .header("x-acs-signature-nonce", "checklist-1")
                                                .POST(HttpRequest.BodyPublishers.noBody())
                                                .build(),
                                        HttpResponse.BodyHandlers.ofString());
                assertThat(badSignature.statusCode()).isEqualTo(400);
                assertThat(badSignature.body()).contains("SignatureDoesNotMatch");
                texts.add(badSignature.body());
                Deadline.await(
                        WAIT, () -> broker.stats().publishesReceived() >= 2, "posts received");
                for (MqttClient c : clients) {
                    c.disconnect().block(WAIT);
                }
            }
            texts.addAll(logs.lines());
            assertThat(logs.lines()).as("the capture saw the emulator's log").isNotEmpty();
        }
        String recorded = Files.readString(recording);
        assertThat(recorded)
                .as("the recording has the posts")
                .contains("thing/event/property/post");
        texts.add(recorded);
        assertThat(errors)
                .hasSize(2)
                .allSatisfy(
                        e ->
                                assertThat(e)
                                        .isInstanceOfSatisfying(
                                                ConnectRefusedException.class,
                                                refusal ->
                                                        assertThat(refusal.returnCode())
                                                                .isEqualTo(
                                                                        ConnectReturnCode
                                                                                .BAD_USERNAME_OR_PASSWORD)));
        for (Throwable e : errors) {
            for (Throwable c : causes(e)) {
                texts.add(String.valueOf(c.getMessage()));
                texts.add(c.toString());
            }
        }
        for (String text : texts) {
            for (String secret : secrets) {
                assertThat(text).as("a secret leaked").doesNotContain(secret);
            }
        }
    }

    @Test
    void aclRefusesAnotherDevicesTopicsWhileTheOwnerIsUndisturbed() {
        AliyunDeviceIdentity other = AliyunProducts.deriveDevice(PK, PRODUCT_SECRET, "victim");
        AliyunDeviceIdentity attacker = AliyunProducts.deriveDevice(PK, PRODUCT_SECRET, "intruder");
        try (AliyunPlatformEmulator broker =
                AliyunPlatformEmulator.start(
                        EmulatorOptions.builder().port(0).product(PK, PRODUCT_SECRET).build())) {
            int port = broker.mqttAddress().getPort();
            MqttClient victim =
                    MqttClient.create(
                            MqttClientOptions.builder("127.0.0.1", port)
                                    .aliyun(other, AliyunSigner.defaults())
                                    .aliyunLimits(true)
                                    .build(),
                            resources);
            MqttClient intruder =
                    MqttClient.create(
                            MqttClientOptions.builder("127.0.0.1", port)
                                    .aliyun(attacker, AliyunSigner.defaults())
                                    .aliyunLimits(true)
                                    .reconnect(ReconnectPolicy.none())
                                    .build(),
                            resources);
            victim.connect().block(WAIT);
            intruder.connect().block(WAIT);
            String victimSet = "/sys/" + PK + "/victim/thing/service/property/set";
            String victimUser = "/" + PK + "/victim/user/get";
            List<LinkMessage> victimGot = new CopyOnWriteArrayList<>();
            victim.subscribe(victimUser, MqttQos.AT_LEAST_ONCE).subscribe(victimGot::add);
            List<ReceivedPublish> received = new CopyOnWriteArrayList<>();
            broker.addPublishListener(received::add);

            for (String filter :
                    List.of(victimSet, "/sys/" + PK + "/+/thing/service/property/set", "#")) {
                assertThatThrownBy(
                                () ->
                                        intruder.subscribe(filter, MqttQos.AT_LEAST_ONCE)
                                                .blockFirst(WAIT))
                        .as("subscribe %s", filter)
                        .isInstanceOf(SubscriptionRefusedException.class);
            }
            assertThat(intruder.state())
                    .as("a refused filter is not fatal")
                    .isEqualTo(LinkState.CONNECTED);

            intruder.publish(
                            victimUser,
                            "spoofed".getBytes(StandardCharsets.UTF_8),
                            MqttQos.AT_MOST_ONCE)
                    .block(WAIT);
            Deadline.await(
                    WAIT,
                    () -> intruder.state() == LinkState.DISCONNECTED,
                    "a forbidden publish closes the intruder (no reconnect)");
            assertThat(broker.stats().aclViolations()).isEqualTo(4);

            broker.publish(
                    victimUser, "real".getBytes(StandardCharsets.UTF_8), MqttQos.AT_LEAST_ONCE);
            Deadline.await(WAIT, () -> !victimGot.isEmpty(), "the owner still gets its messages");
            assertThat(victimGot).extracting(LinkMessage::payloadAsString).containsExactly("real");
            assertThat(received).as("the forbidden publish was never accepted").isEmpty();
            assertThat(victim.state()).isEqualTo(LinkState.CONNECTED);
            victim.disconnect().block(WAIT);
        }
    }

    @Test
    void clientRefusesAnInboundPacketAboveItsMaximumAndCarriesOnAfterReconnecting() {
        try (AliyunPlatformEmulator broker =
                AliyunPlatformEmulator.start(
                        EmulatorOptions.builder().port(0).authMode(AuthMode.NONE).build())) {
            MqttClient client =
                    MqttClient.create(
                            MqttClientOptions.builder("127.0.0.1", broker.mqttAddress().getPort())
                                    .clientId("small")
                                    .maxPacketSize(1024)
                                    .reconnect(quickReconnect())
                                    .build(),
                            resources);
            List<LinkState> states = new CopyOnWriteArrayList<>();
            client.states().subscribe(states::add);
            client.connect().block(WAIT);
            List<LinkMessage> got = new CopyOnWriteArrayList<>();
            client.subscribe("big/#", MqttQos.AT_MOST_ONCE).subscribe(got::add);
            Deadline.await(WAIT, () -> subscribed(broker, "big/probe", got), "subscription active");
            got.clear();

            broker.publish("big/one", new byte[4096], MqttQos.AT_MOST_ONCE);
            Deadline.await(
                    WAIT,
                    () -> states.contains(LinkState.RECONNECTING),
                    "oversized packet closes the connection");
            Deadline.await(WAIT, () -> client.state() == LinkState.CONNECTED, "reconnected");
            Deadline.await(
                    WAIT, () -> subscribed(broker, "big/after", got), "small messages flow again");
            assertThat(got).extracting(LinkMessage::topic).doesNotContain("big/one");
            client.disconnect().block(WAIT);
        }
    }

    /** Publishes a small probe as the server and reports whether it arrived. */
    private static boolean subscribed(
            AliyunPlatformEmulator broker, String topic, List<LinkMessage> got) {
        if (got.stream().anyMatch(m -> m.topic().equals(topic))) {
            return true;
        }
        broker.publish(topic, new byte[] {1}, MqttQos.AT_MOST_ONCE);
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return got.stream().anyMatch(m -> m.topic().equals(topic));
    }

    @Test
    void brokerRefusesAnInboundPacketAboveItsMaximumAndServesOthers() {
        try (AliyunPlatformEmulator broker =
                AliyunPlatformEmulator.start(
                        EmulatorOptions.builder()
                                .port(0)
                                .authMode(AuthMode.NONE)
                                .maxPacketSize(1024)
                                .build())) {
            int port = broker.mqttAddress().getPort();
            MqttClient big =
                    MqttClient.create(
                            MqttClientOptions.builder("127.0.0.1", port)
                                    .clientId("big")
                                    .reconnect(ReconnectPolicy.none())
                                    .build(),
                            resources);
            MqttClient small =
                    MqttClient.create(
                            MqttClientOptions.builder("127.0.0.1", port).clientId("small").build(),
                            resources);
            big.connect().block(WAIT);
            small.connect().block(WAIT);
            big.publish("t/big", new byte[4096], MqttQos.AT_MOST_ONCE).block(WAIT);
            Deadline.await(
                    WAIT,
                    () -> big.state() == LinkState.DISCONNECTED,
                    "oversized packet closes that connection (no reconnect)");
            assertThat(broker.stats().protocolErrors()).isEqualTo(1);
            assertThat(
                            small.publish("t/small", new byte[512], MqttQos.AT_LEAST_ONCE)
                                    .block(WAIT)
                                    .isSuccess())
                    .isTrue();
            assertThat(broker.stats().publishesReceived()).as("only the small one").isEqualTo(1);
            small.disconnect().block(WAIT);
        }
    }

    @Test
    void adminApiListensOnLoopbackByDefaultAndRequiresItsToken() throws Exception {
        try (AliyunPlatformEmulator broker =
                AliyunPlatformEmulator.start(
                        EmulatorOptions.builder()
                                .port(0)
                                .adminPort(0)
                                .adminToken(ADMIN_TOKEN)
                                .authMode(AuthMode.NONE)
                                .build())) {
            InetSocketAddress admin = broker.adminAddress().orElseThrow();
            assertThat(admin.getAddress().isLoopbackAddress()).as("bound to %s", admin).isTrue();
            Optional<InetAddress> external = nonLoopbackAddress();
            if (external.isPresent()) {
                try (Socket s = new Socket()) {
                    assertThatThrownBy(
                                    () ->
                                            s.connect(
                                                    new InetSocketAddress(
                                                            external.get(), admin.getPort()),
                                                    2000))
                            .as("reaching the admin port through %s", external.get())
                            .isInstanceOf(IOException.class);
                }
            }
            HttpClient http = HttpClient.newHttpClient();
            String body = "{\"ProductKey\":\"pk\",\"DeviceName\":\"dn\"}";
            for (String token : new String[] {null, "", "wrong", ADMIN_TOKEN + "x"}) {
                HttpRequest.Builder b =
                        HttpRequest.newBuilder(
                                        URI.create(
                                                "http://127.0.0.1:"
                                                        + admin.getPort()
                                                        + "/api/GetDeviceStatus"))
                                .POST(HttpRequest.BodyPublishers.ofString(body));
                if (token != null) {
                    b.header("Authorization", "Bearer " + token);
                }
                HttpResponse<String> refused =
                        http.send(b.build(), HttpResponse.BodyHandlers.ofString());
                assertThat(refused.statusCode()).as("token %s", token).isEqualTo(401);
                assertThat(refused.body())
                        .as("token %s", token)
                        .contains("\"Code\":\"Unauthorized\"");
            }
            HttpResponse<String> ok =
                    http.send(
                            HttpRequest.newBuilder(
                                            URI.create(
                                                    "http://127.0.0.1:"
                                                            + admin.getPort()
                                                            + "/api/GetDeviceStatus"))
                                    .header("Authorization", "Bearer " + ADMIN_TOKEN)
                                    .POST(HttpRequest.BodyPublishers.ofString(body))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            // past the token check the action runs: the device does not exist, which the platform
            // reports in a 200
            assertThat(ok.statusCode()).isEqualTo(200);
            assertThat(ok.body())
                    .contains("\"Code\":\"" + EmulatorRequestException.DEVICE_NOT_FOUND + "\"");
        }
    }

    private static Optional<InetAddress> nonLoopbackAddress() throws IOException {
        for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!nif.isUp() || nif.isLoopback()) {
                continue;
            }
            for (InetAddress a : Collections.list(nif.getInetAddresses())) {
                if (a instanceof Inet4Address && !a.isLoopbackAddress()) {
                    return Optional.of(a);
                }
            }
        }
        return Optional.empty();
    }

    private static List<Throwable> causes(Throwable e) {
        List<Throwable> chain = new ArrayList<>();
        for (Throwable t = e; t != null && !chain.contains(t); t = t.getCause()) {
            chain.add(t);
            Collections.addAll(chain, t.getSuppressed());
        }
        return chain;
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN "
                + type
                + "-----\n"
                + java.util.Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(der)
                + "\n-----END "
                + type
                + "-----\n";
    }
}
