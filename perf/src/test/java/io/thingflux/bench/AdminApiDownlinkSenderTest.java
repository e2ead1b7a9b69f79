package io.thingflux.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.thingflux.aliyun.AliyunProducts;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Against a scripted HTTP peer on a free loopback port, answering as the emulator's admin API does.
 */
class AdminApiDownlinkSenderTest {

    private final List<JsonNode> requests = new CopyOnWriteArrayList<>();
    private final List<String> auth = new CopyOnWriteArrayList<>();
    private HttpServer server;

    private int start(String answer) throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext(
                "/api/SetDeviceProperty",
                ex -> {
                    requests.add(new ObjectMapper().readTree(ex.getRequestBody()));
                    auth.add(ex.getRequestHeaders().getFirst("Authorization"));
                    byte[] body = answer.getBytes(StandardCharsets.UTF_8);
                    ex.sendResponseHeaders(200, body.length);
                    ex.getResponseBody().write(body);
                    ex.close();
                });
        server.start();
        return server.getAddress().getPort();
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    @Test
    void postsSetDevicePropertyWithTheItemsAsAJsonText() throws Exception {
        int port = start("{\"Success\":true,\"RequestId\":\"r1\",\"Data\":{\"MessageId\":\"7\"}}");
        var sender = new AdminApiDownlinkSender("127.0.0.1", port, "tok");
        sender.setProperties(
                        AliyunProducts.deriveDevice("a1PK", "ps", "d1"), Map.of("BenchSeq", 42))
                .get(10, TimeUnit.SECONDS);
        JsonNode req = requests.get(0);
        assertThat(req.get("ProductKey").asText()).isEqualTo("a1PK");
        assertThat(req.get("DeviceName").asText()).isEqualTo("d1");
        assertThat(new ObjectMapper().readTree(req.get("Items").asText()).get("BenchSeq").asLong())
                .isEqualTo(42);
        assertThat(auth).containsExactly("Bearer tok");
    }

    @Test
    void anUnsuccessfulAnswerFailsWithItsCodeAsTheReason() throws Exception {
        int port =
                start(
                        "{\"Success\":false,\"Code\":\"iot.device.NotActive\",\"ErrorMessage\":\"offline\"}");
        var sender = new AdminApiDownlinkSender("127.0.0.1", port, null);
        assertThatThrownBy(
                        () ->
                                sender.setProperties(
                                                AliyunProducts.deriveDevice("a1PK", "ps", "d1"),
                                                Map.of("k", 1))
                                        .get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOfSatisfying(
                        PostFailedException.class,
                        e ->
                                assertThat(e.reason())
                                        .isEqualTo("downlink_refused_iot.device.NotActive"));
        assertThat(auth).containsExactly((String) null);
    }
}
