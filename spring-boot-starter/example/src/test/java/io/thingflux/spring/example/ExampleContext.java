package io.thingflux.spring.example;

import java.time.Duration;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;

/**
 * The example application on a random port with the platform emulator in process, shared by the
 * test classes that extend this (one context for all of them).
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "thingflux.example.demo-interval=0s",
            "thingflux.example.sse-buffer=64",
            "thingflux.event-loop-threads=2",
            "thingflux.aliyun.reconnect.initial-delay=100ms",
            "thingflux.aliyun.reconnect.max-delay=500ms",
            "thingflux.mqtt.reconnect.initial-delay=100ms",
            "thingflux.mqtt.reconnect.max-delay=500ms",
            "management.endpoint.env.show-values=ALWAYS",
            "management.endpoint.configprops.show-values=ALWAYS"
        })
abstract class ExampleContext {

    static final Duration WAIT = Duration.ofSeconds(15);

    @LocalServerPort int port;

    @Autowired EmbeddedPlatform platform;

    WebClient http() {
        return WebClient.builder()
                .baseUrl("http://127.0.0.1:" + port)
                .codecs(c -> c.defaultCodecs().maxInMemorySize(1 << 20))
                .build();
    }

    Flux<ServerSentEvent<String>> sse(String path) {
        return http().get()
                .uri(path)
                .accept(MediaType.TEXT_EVENT_STREAM)
                .retrieve()
                .bodyToFlux(new ParameterizedTypeReference<ServerSentEvent<String>>() {});
    }

    String pk() {
        return platform.device().productKey();
    }

    String dn() {
        return platform.device().deviceName();
    }
}
