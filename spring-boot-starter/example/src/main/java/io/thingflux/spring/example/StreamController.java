package io.thingflux.spring.example;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.thingflux.alink.AlinkJson;
import io.thingflux.alink.AlinkReply;
import io.thingflux.alink.AlinkReplyException;
import io.thingflux.alink.AlinkTimeoutException;
import io.thingflux.alink.AliyunDevice;
import io.thingflux.alink.TooManyPendingRequestsException;
import io.thingflux.link.LinkMessage;
import io.thingflux.link.LinkState;
import io.thingflux.mqtt.MqttQos;
import io.thingflux.mqtt.MqttTopics;
import io.thingflux.netty.client.MqttClient;
import io.thingflux.spring.ThingfluxConnection;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The example's HTTP API: {@code GET /devices/{deviceName}/messages} (SSE of the device's
 * thing-model messages), {@code GET /stream?filter=...} (SSE of a raw MQTT subscription of the
 * {@code thingflux.mqtt} client) and {@code POST /devices/{deviceName}/properties} (posts, answers
 * with the platform's reply). Every SSE client has a buffer of {@code thingflux.example.sse-buffer}
 * events of its own; what a slow client loses is counted in {@code thingflux.example.sse.dropped}
 * (tagged {@code stream}) and told to it in an SSE comment.
 */
@RestController
final class StreamController {

    private final AliyunDevice device;
    private final DeviceMessages messages;
    private final ObjectProvider<MqttClient> client;
    private final ShutdownSignal shutdown;
    private final ThingfluxConnection deviceConnection;
    private final int bufferSize;
    private final Counter deviceDropped;
    private final Counter streamDropped;

    StreamController(
            AliyunDevice device,
            DeviceMessages messages,
            ObjectProvider<MqttClient> client,
            ShutdownSignal shutdown,
            List<ThingfluxConnection> connections,
            MeterRegistry registry,
            @Value("${thingflux.example.sse-buffer:256}") int bufferSize) {
        this.device = device;
        this.messages = messages;
        this.client = client;
        this.shutdown = shutdown;
        this.deviceConnection =
                connections.stream()
                        .filter(c -> c.name().equals("aliyun"))
                        .findFirst()
                        .orElse(null);
        this.bufferSize = bufferSize;
        this.deviceDropped = dropCounter(registry, "device");
        this.streamDropped = dropCounter(registry, "raw");
    }

    private static Counter dropCounter(MeterRegistry registry, String stream) {
        return Counter.builder("thingflux.example.sse.dropped")
                .description("SSE events a slow client lost (its oldest waiting ones)")
                .tag("stream", stream)
                .register(registry);
    }

    @GetMapping(
            path = "/devices/{deviceName}/messages",
            produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    Flux<ServerSentEvent<String>> deviceMessages(@PathVariable String deviceName) {
        requireDevice(deviceName);
        return BoundedSse.of(
                        messages.messages(),
                        bufferSize,
                        deviceDropped,
                        m ->
                                ServerSentEvent.builder(DeviceMessages.json(m))
                                        .event(DeviceMessages.type(m)))
                .takeUntilOther(shutdown.closing());
    }

    @GetMapping(path = "/stream", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    Flux<ServerSentEvent<String>> stream(@RequestParam String filter) {
        MqttClient c = client.getIfAvailable();
        if (c == null) {
            throw new ResponseStatusException(
                    HttpStatus.NOT_FOUND, "no MQTT client: set thingflux.mqtt.host");
        }
        String problem = MqttTopics.filterProblem(filter);
        if (problem != null) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, problem);
        }
        // each HTTP client its own MQTT subscription, read at once into its own buffer
        return BoundedSse.of(
                        c.subscribe(filter, MqttQos.AT_LEAST_ONCE),
                        bufferSize,
                        streamDropped,
                        m -> ServerSentEvent.builder(rawJson(m)).event("message"))
                .takeUntilOther(shutdown.closing());
    }

    @PostMapping(path = "/devices/{deviceName}/properties")
    Mono<ResponseEntity<Map<String, Object>>> postProperties(
            @PathVariable String deviceName, @RequestBody Map<String, Object> properties) {
        requireDevice(deviceName);
        if (linkDown()) {
            return Mono.just(
                    answer(HttpStatus.SERVICE_UNAVAILABLE, null, "the device is not connected"));
        }
        Mono<AlinkReply> post;
        try {
            post = device.postProperties(properties);
        } catch (IllegalArgumentException e) {
            return Mono.just(answer(HttpStatus.BAD_REQUEST, null, e.getMessage()));
        }
        return post.map(r -> answer(HttpStatus.OK, r.code(), r.message()))
                .onErrorResume(
                        AlinkReplyException.class,
                        e -> Mono.just(answer(HttpStatus.OK, e.code(), e.getMessage())))
                .onErrorResume(
                        AlinkTimeoutException.class,
                        e -> Mono.just(answer(HttpStatus.GATEWAY_TIMEOUT, null, e.getMessage())))
                .onErrorResume(
                        TooManyPendingRequestsException.class,
                        e -> Mono.just(answer(HttpStatus.TOO_MANY_REQUESTS, null, e.getMessage())))
                .onErrorResume(
                        e -> !(e instanceof ResponseStatusException),
                        e ->
                                Mono.just(
                                        answer(
                                                HttpStatus.SERVICE_UNAVAILABLE,
                                                null,
                                                e.getClass().getSimpleName())));
    }

    private boolean linkDown() {
        return connectionState() != LinkState.CONNECTED;
    }

    /** The device's link state; CONNECTED when the application made the device itself. */
    private LinkState connectionState() {
        return deviceConnection == null ? LinkState.CONNECTED : deviceConnection.state();
    }

    private void requireDevice(String deviceName) {
        if (!device.topics().deviceName().equals(deviceName)) {
            throw new ResponseStatusException(
                    HttpStatus.NOT_FOUND, "no device named " + deviceName + " here");
        }
    }

    private static ResponseEntity<Map<String, Object>> answer(
            HttpStatus status, Integer code, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        if (code != null) {
            body.put("code", code);
        }
        body.put("message", message);
        return ResponseEntity.status(status).body(body);
    }

    /** A raw message as JSON: topic, qos, and the payload as text when it is UTF-8, else base64. */
    static String rawJson(LinkMessage m) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("topic", m.topic());
        o.put("qos", m.qos().code());
        byte[] payload = m.payload();
        try {
            o.put(
                    "payload",
                    StandardCharsets.UTF_8
                            .newDecoder()
                            .decode(ByteBuffer.wrap(payload))
                            .toString());
        } catch (CharacterCodingException e) {
            o.put("payloadBase64", Base64.getEncoder().encodeToString(payload));
        }
        return new String(AlinkJson.encodeValue(o), StandardCharsets.UTF_8);
    }
}
