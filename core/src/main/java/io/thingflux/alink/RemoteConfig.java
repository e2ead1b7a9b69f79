package io.thingflux.alink;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Remote configuration of one {@link AliyunDevice}: asks for the product's configuration ({@code
 * thing.config.get}), answers the platform's {@code thing.config.push} with {@code push_reply}, and
 * downloads the file a {@link ConfigFile} names, checking its size and SHA-256 sign. The device
 * must subscribe to {@link AlinkTopics#platformSubscriptions()}.
 */
public final class RemoteConfig {

    private final AliyunDevice device;
    private final HttpClient http;

    RemoteConfig(AliyunDevice device, HttpClient http) {
        this.device = Objects.requireNonNull(device, "device");
        this.http = Objects.requireNonNull(http, "http");
    }

    /**
     * The product's current configuration; errors with {@link AlinkReplyException} 6713 when the
     * product has none, 6710 for a request the platform cannot serve.
     */
    public Mono<ConfigFile> get() {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("configScope", "product");
        params.put("getType", "file");
        return device.request(device.topics().configGet(), "thing.config.get", params)
                .map(reply -> ConfigFile.of(reply.dataAsMap()));
    }

    /**
     * The platform's configuration pushes, each answered with code 200 on {@code push_reply} before
     * it is emitted.
     */
    public Flux<ConfigFile> pushes() {
        return device.messages()
                .ofType(ThingMessage.ConfigPush.class)
                .concatMap(
                        push ->
                                device.reply(push, AlinkReply.SUCCESS, Map.of())
                                        .thenReturn(ConfigFile.of(push.config())));
    }

    /**
     * Downloads {@code file} (at most {@link Integer#MAX_VALUE} bytes, held in memory: config files
     * are small) and checks its size and sign; errors with {@link FirmwareVerificationException} on
     * a mismatch.
     */
    public Mono<byte[]> download(ConfigFile file) {
        Objects.requireNonNull(file.url(), "url");
        return Mono.fromFuture(
                        () ->
                                http.sendAsync(
                                        HttpRequest.newBuilder(URI.create(file.url()))
                                                .GET()
                                                .build(),
                                        HttpResponse.BodyHandlers.ofByteArray()))
                .handle(
                        (response, sink) -> {
                            if (response.statusCode() != 200) {
                                sink.error(
                                        new AlinkException(
                                                "config download answered HTTP "
                                                        + response.statusCode()));
                                return;
                            }
                            byte[] body = response.body();
                            String problem =
                                    FirmwareDigests.check(
                                            body,
                                            file.configSize(),
                                            file.sign(),
                                            file.signMethod());
                            if (problem != null) {
                                sink.error(new FirmwareVerificationException(problem));
                            } else {
                                sink.next(body);
                            }
                        });
    }
}
