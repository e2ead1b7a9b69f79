package io.thingflux.netty.client;

import io.thingflux.mqtt.MqttQos;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import reactor.core.publisher.Flux;

/**
 * Measures the heap an idle connected client costs: starts {@link AutoAckBroker} in a child JVM (so its
 * memory is not counted), connects N clients (each with one QoS 1 subscription) over one shared resources
 * object, and prints (heap after − heap before) / N after full collections.
 *
 * <pre>
 * java -cp "$(cat cp.txt):target/classes:target/test-classes" io.thingflux.netty.client.IdleClientFootprint 5000
 * </pre>
 */
public final class IdleClientFootprint {

    private IdleClientFootprint() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 2_000;
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process broker = new ProcessBuilder(java, "-Xmx512m", "-cp", System.getProperty("java.class.path"),
                AutoAckBroker.class.getName()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(broker.getInputStream(),
                    StandardCharsets.UTF_8));
            int port = Integer.parseInt(out.readLine().substring("PORT ".length()));
            MqttClientResources resources = MqttClientResources.create(2);
            // warm up classes and pools with a few clients that are not counted
            List<MqttClient> warm = connect(resources, port, 50, "warm-");
            long before = usedHeapAfterGc();
            List<MqttClient> clients = connect(resources, port, n, "idle-");
            long after = usedHeapAfterGc();
            System.out.printf("transport=%s clients=%d heap/idle client=%,d bytes (total %,d KB)%n",
                    resources.isNative() ? "epoll" : "nio", n, (after - before) / n, (after - before) / 1024);
            Flux.fromIterable(clients).concatWithValues(warm.toArray(new MqttClient[0]))
                    .flatMap(MqttClient::disconnect, 256).blockLast();
            resources.disposeLater().block();
        } finally {
            broker.getOutputStream().close();
            broker.destroy();
        }
    }

    private static List<MqttClient> connect(MqttClientResources resources, int port, int n, String prefix) {
        List<MqttClient> clients = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            clients.add(MqttClient.create(MqttClientOptions.builder("127.0.0.1", port).clientId(prefix + i)
                    .keepAliveSeconds(300).build(), resources));
        }
        Flux.fromIterable(clients).flatMap(MqttClient::connect, 128).blockLast();
        // one subscription each: the subscriber state is part of an idle device's footprint
        clients.forEach(c -> c.subscribe("cmd/" + c.options().clientId(), MqttQos.AT_LEAST_ONCE).subscribe());
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
