package io.thingflux.interop;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.embedded.EmbeddedHiveMQ;
import io.thingflux.link.LinkMessage;
import io.thingflux.mqtt.MqttQos;
import io.thingflux.netty.client.MqttClient;
import io.thingflux.netty.client.MqttClientOptions;
import io.thingflux.netty.client.MqttClientResources;
import io.thingflux.netty.client.MqttWebSocketOptions;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * MQTT over WebSocket against real brokers' WebSocket listeners: HiveMQ CE (embedded, {@code
 * <websocket-listener>} on {@code /mqtt}) and Mosquitto ({@code protocol websockets}) when its
 * build has websockets (skipped with the reason otherwise). One broker per test, each a round trip
 * with a payload larger than the client's frame limit, so it leaves in continuation frames.
 */
class WebSocketInteropIT {

    static final Duration WAIT = Duration.ofSeconds(20);

    /** Subscribes, publishes 3 kB in 512-byte frames to itself at QoS 1 and waits for it. */
    private static void roundTrip(int port, String path) {
        MqttClientResources resources = MqttClientResources.create(1);
        try {
            MqttClient client =
                    MqttClient.create(
                            MqttClientOptions.builder("127.0.0.1", port)
                                    .clientId("thingflux-ws-interop")
                                    .webSocket(
                                            MqttWebSocketOptions.builder()
                                                    .path(path)
                                                    .maxFramePayload(512)
                                                    .build())
                                    .build(),
                            resources);
            client.connect().block(WAIT);
            CompletableFuture<Void> acked = new CompletableFuture<>();
            CompletableFuture<LinkMessage> got = new CompletableFuture<>();
            var sub =
                    client.subscribe("ws/interop", MqttQos.AT_LEAST_ONCE)
                            .doOnAck(a -> acked.complete(null))
                            .subscribe(got::complete, got::completeExceptionally);
            acked.orTimeout(20, TimeUnit.SECONDS).join();
            byte[] payload = "w".repeat(3_000).getBytes(StandardCharsets.UTF_8);
            client.publish("ws/interop", payload, MqttQos.AT_LEAST_ONCE).block(WAIT);
            assertThat(got.orTimeout(20, TimeUnit.SECONDS).join().payload()).isEqualTo(payload);
            sub.dispose();
            client.disconnect().block(WAIT);
        } finally {
            resources.dispose();
        }
    }

    @Test
    void hiveMqCeWebSocketListener(@TempDir Path dir) throws Exception {
        int port = MosquittoBroker.freeLoopbackPort();
        for (String d : List.of("conf", "data", "extensions")) {
            Files.createDirectories(dir.resolve(d));
        }
        Files.writeString(
                dir.resolve("conf").resolve("config.xml"),
                """
                <?xml version="1.0"?>
                <hivemq>
                  <listeners>
                    <websocket-listener>
                      <port>%d</port>
                      <bind-address>127.0.0.1</bind-address>
                      <path>/mqtt</path>
                      <subprotocols><subprotocol>mqtt</subprotocol></subprotocols>
                      <allow-extensions>false</allow-extensions>
                    </websocket-listener>
                  </listeners>
                  <persistence><mode>in-memory</mode></persistence>
                  <anonymous-usage-statistics><enabled>false</enabled></anonymous-usage-statistics>
                </hivemq>
                """
                        .formatted(port),
                StandardCharsets.UTF_8);
        EmbeddedHiveMQ hivemq =
                EmbeddedHiveMQ.builder()
                        .withConfigurationFolder(dir.resolve("conf"))
                        .withDataFolder(dir.resolve("data"))
                        .withExtensionsFolder(dir.resolve("extensions"))
                        .withoutLoggingBootstrap()
                        .build();
        try {
            hivemq.start().get(HiveMqCeBroker.START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            roundTrip(port, "/mqtt");
        } finally {
            hivemq.stop().get(HiveMqCeBroker.STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            hivemq.close();
        }
    }

    @Test
    @RequiresMosquitto
    void mosquittoWebSocketsListener(@TempDir Path dir) throws Exception {
        MosquittoBroker.Installation mosquitto = MosquittoBroker.find().orElseThrow();
        int port = MosquittoBroker.freeLoopbackPort();
        Path config = dir.resolve("mosquitto.conf");
        Files.writeString(
                config,
                String.join(
                        "\n",
                        "listener " + port + " 127.0.0.1",
                        "protocol websockets",
                        "allow_anonymous true",
                        "persistence false",
                        "log_dest stdout",
                        ""));
        Path log = dir.resolve("mosquitto.log");
        ProcessBuilder pb =
                new ProcessBuilder(mosquitto.binary().toString(), "-c", config.toString())
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile());
        if (mosquitto.libraryDir() != null) {
            String existing = System.getenv("LD_LIBRARY_PATH");
            pb.environment()
                    .put(
                            "LD_LIBRARY_PATH",
                            mosquitto.libraryDir()
                                    + (existing == null ? "" : File.pathSeparator + existing));
        }
        Process process = pb.start();
        try {
            long deadline = System.nanoTime() + MosquittoBroker.START_TIMEOUT.toNanos();
            while (!TestBroker.acceptsConnections("127.0.0.1", port)) {
                if (!process.isAlive()) {
                    String out = Files.readString(log);
                    // a build without libwebsockets (Debian 12's 2.0.11) cannot open the listener
                    Assumptions.assumeFalse(
                            out.contains("websockets listen socket")
                                    && out.contains("Unable to start any listening sockets"),
                            "this mosquitto build has no websockets support (not linked with"
                                    + " libwebsockets): "
                                    + out.strip().replace('\n', ' '));
                    throw new IllegalStateException("mosquitto exited:\n" + out);
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            "mosquitto did not listen:\n" + Files.readString(log));
                }
                Thread.sleep(50);
            }
            roundTrip(port, "/mqtt");
        } finally {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
