package io.thingflux.spring.example;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.codec.ServerSentEvent;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ExampleApplicationTest extends ExampleContext {

    @Autowired DeviceMessages messages;

    @Autowired MeterRegistry registry;

    @Test
    @Order(1)
    void deviceStreamDeliversAPropertySetMadeThroughTheAdminApi() {
        Mono<ServerSentEvent<String>> marked =
                sse("/devices/" + dn() + "/messages")
                        .filter(e -> "property_set".equals(e.event()))
                        .filter(e -> e.data().contains("\"Marker\":42"))
                        .next()
                        .cache();
        Disposable listening = marked.subscribe();
        try {
            // SetDeviceProperty until the stream (subscribed asynchronously) shows it
            Flux.interval(java.time.Duration.ZERO, java.time.Duration.ofMillis(200))
                    .onBackpressureDrop()
                    .concatMap(t -> setPropertyThroughAdminApi("{\"Marker\":42}"))
                    .takeUntilOther(marked)
                    .blockLast(WAIT);
            ServerSentEvent<String> e = marked.block(WAIT);
            assertThat(e.data())
                    .contains("\"method\":\"thing.service.property.set\"")
                    .contains("/sys/" + pk() + "/" + dn() + "/thing/service/property/set");
        } finally {
            listening.dispose();
        }
    }

    private Mono<String> setPropertyThroughAdminApi(String items) {
        String body =
                "{\"ProductKey\":\""
                        + pk()
                        + "\",\"DeviceName\":\""
                        + dn()
                        + "\",\"Items\":"
                        + quote(items)
                        + "}";
        return http().post()
                .uri(platform.adminUrl() + "/api/SetDeviceProperty")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(body)
                .retrieve()
                .bodyToMono(String.class)
                .doOnNext(r -> assertThat(r).contains("\"Success\":true"));
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    @Test
    @Order(2)
    void rawStreamDeliversWhatThePostSendsAndThePostAnswersThePlatformsReply() {
        String topic = "/sys/" + pk() + "/" + dn() + "/thing/event/property/post";
        Mono<ServerSentEvent<String>> seen =
                sse("/stream?filter=" + topic)
                        .filter(e -> e.data().contains("Temperature"))
                        .next()
                        .cache();
        Disposable listening = seen.subscribe();
        List<ResponseEntity<String>> answers = new CopyOnWriteArrayList<>();
        try {
            Flux.interval(java.time.Duration.ZERO, java.time.Duration.ofMillis(200))
                    .onBackpressureDrop()
                    .concatMap(t -> post("{\"Temperature\":21.5}").doOnNext(answers::add))
                    .takeUntilOther(seen)
                    .blockLast(WAIT);
            assertThat(seen.block(WAIT).data()).contains("\"topic\":\"" + topic + "\"");
            assertThat(answers)
                    .allSatisfy(
                            a -> {
                                assertThat(a.getStatusCode().value()).isEqualTo(200);
                                assertThat(a.getBody())
                                        .isEqualTo("{\"code\":200,\"message\":\"success\"}");
                            });
        } finally {
            listening.dispose();
        }
    }

    private Mono<ResponseEntity<String>> post(String json) {
        return post(dn(), json);
    }

    private Mono<ResponseEntity<String>> post(String device, String json) {
        return http().post()
                .uri("/devices/" + device + "/properties")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(json)
                .exchangeToMono(r -> r.toEntity(String.class));
    }

    @Test
    @Order(3)
    void refusesInvalidIdentifiersUnknownDevicesAndBadFilters() {
        ResponseEntity<String> invalid = post("{\"bad id\":1}").block(WAIT);
        assertThat(invalid.getStatusCode().value()).isEqualTo(400);
        assertThat(invalid.getBody()).contains("bad id");
        assertThat(post("no-such-device", "{\"A\":1}").block(WAIT).getStatusCode().value())
                .isEqualTo(404);
        HttpStatusCode filter =
                http().get()
                        .uri("/stream?filter={f}", "a/#/b")
                        .exchangeToMono(r -> Mono.just(r.statusCode()))
                        .block(WAIT);
        assertThat(filter.value()).isEqualTo(400);
    }

    @Test
    @Order(4)
    void aSlowReaderDelaysNeitherAFastOneNorTheDevicesReplies() throws Exception {
        String path = "/devices/" + dn() + "/messages";
        int before = messages.subscribers();
        try (Socket slow = new Socket()) {
            // a reader that never reads, with a small window
            slow.setReceiveBufferSize(2048);
            slow.connect(new InetSocketAddress("127.0.0.1", port));
            OutputStream out = slow.getOutputStream();
            out.write(
                    ("GET "
                                    + path
                                    + " HTTP/1.1\r\nHost: localhost\r\nAccept:"
                                    + " text/event-stream\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            out.flush();

            int events = 400;
            AtomicInteger fastCount = new AtomicInteger();
            Mono<ServerSentEvent<String>> last =
                    sse(path)
                            .doOnNext(e -> fastCount.incrementAndGet())
                            .filter(e -> e.data().contains("\"Seq\":" + (events - 1)))
                            .next()
                            .cache();
            Disposable fast = last.subscribe();
            try {
                await().atMost(WAIT).until(() -> messages.subscribers() >= before + 2);
                String blob = "x".repeat(32 * 1024);
                String lastId = null;
                for (int i = 0; i < events; i++) {
                    lastId =
                            platform.emulator()
                                    .setProperties(
                                            pk(),
                                            dn(),
                                            "{\"Seq\":" + i + ",\"Blob\":\"" + blob + "\"}");
                    if (i % 20 == 19) {
                        // in steps the emulator's own per-connection queue takes without drops;
                        // each step waits for the device's reply
                        assertThat(
                                        platform.emulator()
                                                .awaitReply(pk(), dn(), lastId, WAIT)
                                                .block(WAIT))
                                .contains("\"code\":200");
                    }
                }
                // the device answered every property set (the last step included), and the fast
                // reader saw the last one
                assertThat(last.block(WAIT)).as("fast reader, %s events", fastCount).isNotNull();
                // ... while the slow one lost its oldest events
                double dropped =
                        registry.get("thingflux.example.sse.dropped")
                                .tag("stream", "device")
                                .counter()
                                .count();
                assertThat(dropped).isPositive();
                // and is told so when it reads again
                slow.setSoTimeout((int) WAIT.toMillis());
                BufferedReader in =
                        new BufferedReader(
                                new InputStreamReader(
                                        slow.getInputStream(), StandardCharsets.UTF_8));
                String line;
                do {
                    line = in.readLine();
                } while (line != null && !line.startsWith(":dropped "));
                assertThat(line).startsWith(":dropped ");
            } finally {
                fast.dispose();
            }
        }
    }

    @Test
    @Order(5)
    void secretsStayMaskedInTheActuatorWhateverShowValuesSays() {
        String secret = platform.device().deviceSecret();
        String env =
                http().get()
                        .uri("/actuator/env/thingflux.aliyun.device-secret")
                        .retrieve()
                        .bodyToMono(String.class)
                        .block(WAIT);
        assertThat(env).contains("******").doesNotContain(secret);
        String configprops =
                http().get()
                        .uri("/actuator/configprops")
                        .retrieve()
                        .bodyToMono(String.class)
                        .block(WAIT);
        assertThat(configprops)
                .contains("\"deviceName\":\"" + dn() + "\"")
                .contains("\"deviceSecret\":\"******\"")
                .doesNotContain(secret);
        String metrics =
                http().get()
                        .uri("/actuator/metrics/thingflux.connection.connected")
                        .retrieve()
                        .bodyToMono(String.class)
                        .block(WAIT);
        assertThat(metrics).contains("\"connection\"");
    }

    @Test
    @Order(6)
    void healthIsDownWhileThePlatformIsAwayAndUpWhenItIsBack() {
        await().atMost(WAIT).until(() -> health().contains("\"status\":\"UP\""));
        platform.stop();
        try {
            await().atMost(WAIT).until(() -> health().endsWith("\"status\":\"DOWN\"}"));
            assertThat(health()).contains("\"aliyun\":{\"status\":\"DOWN\"");
            assertThat(post("{\"Temperature\":1}").block(WAIT).getStatusCode().value())
                    .isEqualTo(503);
        } finally {
            platform.restart();
        }
        await().atMost(WAIT).until(() -> health().endsWith("\"status\":\"UP\"}"));
    }

    private String health() {
        return http().get()
                .uri("/actuator/health/thingflux")
                .exchangeToMono(r -> r.bodyToMono(String.class))
                .block(WAIT);
    }
}
