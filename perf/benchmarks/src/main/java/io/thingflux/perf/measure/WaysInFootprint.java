package io.thingflux.perf.measure;

import com.hivemq.client.mqtt.MqttClientSslConfig;
import com.hivemq.client.mqtt.MqttWebSocketConfig;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3Client;
import io.thingflux.emulator.platform.AliyunPlatformEmulator;
import io.thingflux.emulator.platform.AuthMode;
import io.thingflux.emulator.platform.EmulatorOptions;
import io.thingflux.emulator.platform.internal.CertificateDevices;
import io.thingflux.mqtt.MqttQos;
import io.thingflux.netty.client.MqttClient;
import io.thingflux.netty.client.MqttClientOptions;
import io.thingflux.netty.client.MqttClientResources;
import io.thingflux.netty.client.MqttTlsOptions;
import io.thingflux.netty.client.MqttWebSocketOptions;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.StringWriter;
import java.lang.management.ManagementFactory;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;
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
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Heap per idle connected device and connects per second for each way in (TCP, TLS, WSS, X.509
 * client certificates over TLS), thingflux and the HiveMQ MQTT Client in the same run against one
 * platform emulator (plain-broker auth, X.509 devices by fingerprint) in a child JVM, so its memory
 * is not counted. Each client connects N devices, 128 at a time, each with one QoS 1 subscription;
 * heap is (used after − used before) / N after full collections; 50 uncounted devices warm each
 * combination up first. Each combination runs twice, in the order thingflux, HiveMQ, HiveMQ,
 * thingflux; the mean of the two is printed. Creating a device (options, its key material, the
 * client) counts in its heap but not in the connect time.
 *
 * <pre>
 * java -Xmx2g -cp perf/benchmarks/target/thingflux-benchmarks.jar io.thingflux.perf.measure.WaysInFootprint 1000
 * </pre>
 */
public final class WaysInFootprint {

    private static final int WARM = 50;
    private static final int CONCURRENCY = 128;
    private static final char[] PW = "changeit".toCharArray();

    private WaysInFootprint() {}

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000;
        if (args.length > 2 && args[1].equals("broker")) {
            broker(n + WARM, Path.of(args[2]));
            return;
        }
        Path dir = Files.createTempDirectory("ways-in");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process broker =
                new ProcessBuilder(
                                java,
                                "-Xmx1g",
                                "-cp",
                                System.getProperty("java.class.path"),
                                WaysInFootprint.class.getName(),
                                String.valueOf(n),
                                "broker",
                                dir.toString())
                        .redirectError(ProcessBuilder.Redirect.INHERIT)
                        .start();
        try {
            BufferedReader out =
                    new BufferedReader(
                            new InputStreamReader(broker.getInputStream(), StandardCharsets.UTF_8));
            String[] ports = out.readLine().split(" ");
            int tcp = Integer.parseInt(ports[1]);
            int tls = Integer.parseInt(ports[2]);
            int wss = Integer.parseInt(ports[3]);
            X509Certificate ca;
            try (InputStream in = Files.newInputStream(dir.resolve("server-ca.pem"))) {
                ca =
                        (X509Certificate)
                                CertificateFactory.getInstance("X.509").generateCertificate(in);
            }
            System.out.printf(
                    "ways in, %d idle devices each, %d cores, %s%n",
                    n,
                    Runtime.getRuntime().availableProcessors(),
                    System.getProperty("java.version"));
            System.out.println("| way in | client | heap / idle device | connects / s |");
            System.out.println("|---|---|---:|---:|");
            for (String mode : List.of("tcp", "tls", "wss", "x509")) {
                int port = mode.equals("tcp") ? tcp : mode.equals("wss") ? wss : tls;
                // ABBA: each client goes first once, so neither always meets the colder broker;
                // the table shows the mean of its two runs
                long[][] sum = new long[2][2];
                for (String client : List.of("thingflux", "hivemq", "hivemq", "thingflux")) {
                    int k = client.equals("thingflux") ? 0 : 1;
                    long[] r =
                            k == 0
                                    ? thingflux(mode, port, n, ca, dir)
                                    : hivemq(mode, port, n, ca, dir);
                    sum[k][0] += r[0];
                    sum[k][1] += r[1];
                }
                for (int k = 0; k < 2; k++) {
                    System.out.printf(
                            "| %s | %s | %,d B | %,d |%n",
                            mode, k == 0 ? "thingflux" : "hivemq", sum[k][0] / 2, sum[k][1] / 2);
                }
            }
        } finally {
            broker.getOutputStream().close();
            broker.destroy();
        }
    }

    /**
     * Runs {@code n} devices of one client; returns heap per device and connects per second. {@code
     * create} makes device {@code i} (options, key material, client: counted in the heap, not
     * timed) and returns what connects and subscribes it (timed).
     */
    private static long[] measure(
            IntFunction<Supplier<Mono<?>>> create, int from, int n, Runnable closeAll)
            throws Exception {
        List<Supplier<Mono<?>>> warm = new ArrayList<>();
        for (int i = from; i < from + WARM; i++) {
            warm.add(create.apply(i));
        }
        Flux.fromIterable(warm).flatMap(Supplier::get, CONCURRENCY).blockLast();
        long before = usedHeapAfterGc();
        List<Supplier<Mono<?>>> devices = new ArrayList<>(n);
        for (int i = from + WARM; i < from + WARM + n; i++) {
            devices.add(create.apply(i));
        }
        long t0 = System.nanoTime();
        Flux.fromIterable(devices).flatMap(Supplier::get, CONCURRENCY).blockLast();
        long nanos = System.nanoTime() - t0;
        long after = usedHeapAfterGc();
        closeAll.run();
        return new long[] {(after - before) / n, (long) (n / (nanos / 1e9))};
    }

    private static int offset;

    /** Device {@code i}'s property-set topic, which its X.509 identity may subscribe to. */
    private static String topic(int i, int n) {
        return "/sys/pkWays/dev-" + (i % (n + WARM)) + "/thing/service/property/set";
    }

    private static Path p12(Path dir, int i, int n) {
        return dir.resolve("dev-" + (i % (n + WARM)) + ".p12");
    }

    private static long[] thingflux(String mode, int port, int n, X509Certificate ca, Path dir)
            throws Exception {
        MqttClientResources resources = MqttClientResources.create(2);
        List<MqttClient> clients = new ArrayList<>();
        MqttTlsOptions serverTrust =
                mode.equals("tcp") ? null : MqttTlsOptions.builder().trustCertificates(ca).build();
        int base = offset;
        offset += n + WARM;
        return measure(
                i -> {
                    MqttClientOptions.Builder b =
                            MqttClientOptions.builder("127.0.0.1", port)
                                    .clientId("tf-" + mode + "-" + i)
                                    .keepAliveSeconds(300);
                    if (mode.equals("x509")) {
                        // each device its own certificate, so its own TLS context
                        b.tls(
                                MqttTlsOptions.builder()
                                        .trustCertificates(ca)
                                        .clientCertificatePkcs12(p12(dir, i, n), PW)
                                        .build());
                    } else {
                        b.tls(serverTrust);
                    }
                    if (mode.equals("wss")) {
                        b.webSocket(MqttWebSocketOptions.defaults());
                    }
                    MqttClient c = MqttClient.create(b.build(), resources);
                    clients.add(c);
                    String topic = topic(i, n);
                    return () ->
                            c.connect()
                                    .then(
                                            Mono.create(
                                                    sink ->
                                                            c.subscribe(
                                                                            topic,
                                                                            MqttQos.AT_LEAST_ONCE)
                                                                    .doOnAck(sink::success)
                                                                    .subscribe(
                                                                            m -> {}, sink::error)));
                },
                base,
                n,
                () -> {
                    Flux.fromIterable(clients).flatMap(MqttClient::disconnect, 256).blockLast();
                    resources.disposeLater().block();
                });
    }

    private static long[] hivemq(String mode, int port, int n, X509Certificate ca, Path dir)
            throws Exception {
        List<Mqtt3AsyncClient> clients = new ArrayList<>();
        TrustManagerFactory tmf =
                TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", ca);
        tmf.init(trust);
        int base = offset;
        offset += n + WARM;
        return measure(
                i -> {
                    var b =
                            Mqtt3Client.builder()
                                    .identifier("hm-" + mode + "-" + i)
                                    .serverHost("127.0.0.1")
                                    .serverPort(port);
                    if (!mode.equals("tcp")) {
                        var ssl = MqttClientSslConfig.builder().trustManagerFactory(tmf);
                        if (mode.equals("x509")) {
                            ssl.keyManagerFactory(keyManager(p12(dir, i, n)));
                        }
                        b.sslConfig(ssl.build());
                    }
                    if (mode.equals("wss")) {
                        b.webSocketConfig(
                                MqttWebSocketConfig.builder()
                                        .serverPath("mqtt")
                                        .subprotocol("mqtt")
                                        .build());
                    }
                    Mqtt3AsyncClient c = b.buildAsync();
                    clients.add(c);
                    String topic = topic(i, n);
                    return () ->
                            Mono.fromFuture(
                                    () ->
                                            c.connectWith()
                                                    .keepAlive(300)
                                                    .send()
                                                    .thenCompose(
                                                            a ->
                                                                    c.subscribeWith()
                                                                            .topicFilter(topic)
                                                                            .qos(
                                                                                    com.hivemq
                                                                                            .client
                                                                                            .mqtt
                                                                                            .datatypes
                                                                                            .MqttQos
                                                                                            .AT_LEAST_ONCE)
                                                                            .callback(p -> {})
                                                                            .send()));
                },
                base,
                n,
                () ->
                        Flux.fromIterable(clients)
                                .flatMap(c -> Mono.fromFuture(c.disconnect()), 256)
                                .blockLast());
    }

    private static KeyManagerFactory keyManager(Path p12) {
        try (InputStream in = Files.newInputStream(p12)) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(in, PW);
            KeyManagerFactory kmf =
                    KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, PW);
            return kmf;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static long usedHeapAfterGc() throws InterruptedException {
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(200);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    // ---- the broker side, in the child JVM

    private static void broker(int devices, Path dir) throws Exception {
        SecureRandom random = new SecureRandom();
        KeyPair serverCaKeys = keys(random);
        X509Certificate serverCa =
                sign(
                        "CN=ways-in server CA",
                        serverCaKeys,
                        "CN=ways-in server CA",
                        serverCaKeys.getPrivate(),
                        true,
                        false,
                        random);
        KeyPair serverKeys = keys(random);
        X509Certificate server =
                sign(
                        "CN=localhost",
                        serverKeys,
                        "CN=ways-in server CA",
                        serverCaKeys.getPrivate(),
                        false,
                        true,
                        random);
        Files.writeString(dir.resolve("server-ca.pem"), pem(serverCa));
        Files.writeString(dir.resolve("server.pem"), pem(server) + pem(serverCa));
        Files.writeString(
                dir.resolve("server.key"),
                pem(new JcaPKCS8Generator(serverKeys.getPrivate(), null).generate()));
        KeyPair deviceCaKeys = keys(random);
        X509Certificate deviceCa =
                sign(
                        "CN=ways-in device CA",
                        deviceCaKeys,
                        "CN=ways-in device CA",
                        deviceCaKeys.getPrivate(),
                        true,
                        false,
                        random);
        Files.writeString(dir.resolve("device-ca.pem"), pem(deviceCa));
        EmulatorOptions.Builder o =
                EmulatorOptions.builder()
                        .host("127.0.0.1")
                        .port(0)
                        .tlsPort(0)
                        .wssPort(0)
                        .authMode(AuthMode.NONE)
                        .maxSubscriptions(100_000)
                        .tlsCertificate(dir.resolve("server.pem"), dir.resolve("server.key"))
                        .clientCertificateAuthority(dir.resolve("device-ca.pem"));
        // device certificates, used by both clients' X.509 runs (the same device ids, one at a
        // time)
        for (int i = 0; i < devices; i++) {
            KeyPair k = keys(random);
            X509Certificate c =
                    sign(
                            "CN=dev-" + i,
                            k,
                            "CN=ways-in device CA",
                            deviceCaKeys.getPrivate(),
                            false,
                            false,
                            random);
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("dev", k.getPrivate(), PW, new Certificate[] {c});
            try (OutputStream out = Files.newOutputStream(dir.resolve("dev-" + i + ".p12"))) {
                ks.store(out, PW);
            }
            o.certificateDevice(CertificateDevices.fingerprint(c), "pkWays", "dev-" + i);
        }
        try (AliyunPlatformEmulator emulator = AliyunPlatformEmulator.start(o.build())) {
            System.out.println(
                    "PORTS "
                            + emulator.mqttAddress().getPort()
                            + " "
                            + emulator.tlsAddress().orElseThrow().getPort()
                            + " "
                            + emulator.wssAddress().orElseThrow().getPort());
            System.out.flush();
            while (System.in.read() >= 0) {
                // until the parent closes our stdin
            }
        }
    }

    private static KeyPair keys(SecureRandom random) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"), random);
        return g.generateKeyPair();
    }

    private static X509Certificate sign(
            String subject,
            KeyPair keys,
            String issuer,
            PrivateKey issuerKey,
            boolean ca,
            boolean serverNames,
            SecureRandom random)
            throws Exception {
        Instant now = Instant.now();
        X509v3CertificateBuilder b =
                new JcaX509v3CertificateBuilder(
                        new X500Name(issuer),
                        new BigInteger(64, random),
                        Date.from(now.minus(Duration.ofDays(1))),
                        Date.from(now.plus(Duration.ofDays(2))),
                        new X500Name(subject),
                        keys.getPublic());
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
                        b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey)));
    }

    private static String pem(Object o) throws Exception {
        StringWriter w = new StringWriter();
        try (JcaPEMWriter p = new JcaPEMWriter(w)) {
            p.writeObject(o);
        }
        return w.toString();
    }
}
