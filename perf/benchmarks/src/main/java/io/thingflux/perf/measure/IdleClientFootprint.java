package io.thingflux.perf.measure;

import io.thingflux.mqtt.MqttQos;
import io.thingflux.netty.client.MqttClient;
import io.thingflux.netty.client.MqttClientOptions;
import io.thingflux.netty.client.MqttClientResources;
import io.thingflux.netty.client.MqttTlsOptions;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import reactor.core.publisher.Flux;

/**
 * Measures the heap an idle connected client costs: starts {@code AutoAckBroker} (netty-transport's
 * test jar) in a child JVM (so its memory is not counted), connects N clients (each with one QoS 1
 * subscription) over one shared resources object, and prints (heap after − heap before) / N after
 * full collections.
 *
 * <pre>
 * java -cp perf/benchmarks/target/thingflux-benchmarks.jar io.thingflux.perf.measure.IdleClientFootprint 5000 [tls]
 * </pre>
 *
 * With {@code tls} the broker serves TLS with a fresh self-signed certificate (JDK keytool) that
 * the clients trust, and each client also holds its {@code SSLEngine}.
 */
public final class IdleClientFootprint {

    private IdleClientFootprint() {}

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 2_000;
        boolean useTls = args.length > 1 && args[1].equals("tls");
        String javaCmd = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command =
                new ArrayList<>(
                        List.of(
                                javaCmd,
                                "-Xmx1g",
                                "-cp",
                                System.getProperty("java.class.path"),
                                "io.thingflux.netty.client.AutoAckBroker"));
        MqttTlsOptions tls = null;
        if (useTls) {
            Path store = Files.createTempDirectory("footprint").resolve("broker.p12");
            Process keytool =
                    new ProcessBuilder(
                                    Path.of(System.getProperty("java.home"), "bin", "keytool")
                                            .toString(),
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
                                    "SAN=ip:127.0.0.1",
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
                            .inheritIO()
                            .start();
            if (keytool.waitFor() != 0) {
                throw new IllegalStateException("keytool failed");
            }
            KeyStore ks = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(store)) {
                ks.load(in, "changeit".toCharArray());
            }
            tls =
                    MqttTlsOptions.builder()
                            .trustCertificates((X509Certificate) ks.getCertificate("broker"))
                            .build();
            command.addAll(List.of("tls", store.toString(), "changeit"));
        }
        Process broker =
                new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            BufferedReader out =
                    new BufferedReader(
                            new InputStreamReader(broker.getInputStream(), StandardCharsets.UTF_8));
            int port = Integer.parseInt(out.readLine().substring("PORT ".length()));
            MqttClientResources resources = MqttClientResources.create(2);
            // warm up classes and pools with a few clients that are not counted
            List<MqttClient> warm = connect(resources, port, 50, "warm-", tls);
            long before = usedHeapAfterGc();
            List<MqttClient> clients = connect(resources, port, n, "idle-", tls);
            long after = usedHeapAfterGc();
            System.out.printf(
                    "transport=%s%s clients=%d heap/idle client=%,d bytes (total %,d KB)%n",
                    resources.isNative() ? "epoll" : "nio",
                    useTls ? "+tls" : "",
                    n,
                    (after - before) / n,
                    (after - before) / 1024);
            Flux.fromIterable(clients)
                    .concatWithValues(warm.toArray(new MqttClient[0]))
                    .flatMap(MqttClient::disconnect, 256)
                    .blockLast();
            resources.disposeLater().block();
        } finally {
            broker.getOutputStream().close();
            broker.destroy();
        }
    }

    private static List<MqttClient> connect(
            MqttClientResources resources, int port, int n, String prefix, MqttTlsOptions tls) {
        List<MqttClient> clients = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            clients.add(
                    MqttClient.create(
                            MqttClientOptions.builder("127.0.0.1", port)
                                    .clientId(prefix + i)
                                    .keepAliveSeconds(300)
                                    .tls(tls)
                                    .build(),
                            resources));
        }
        Flux.fromIterable(clients).flatMap(MqttClient::connect, 128).blockLast();
        // one subscription each: the subscriber state is part of an idle device's footprint
        clients.forEach(
                c ->
                        c.subscribe("cmd/" + c.options().clientId(), MqttQos.AT_LEAST_ONCE)
                                .subscribe());
        return clients;
    }

    private static long usedHeapAfterGc() throws InterruptedException {
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(200);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
