package io.thingflux.alink;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import reactor.adapter.JdkFlowAdapter;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * Downloads one file over HTTP(S) with the JDK's {@link HttpClient} as a {@link Flux} of {@link
 * FirmwareChunk}s: memory stays bounded (the body is read as the subscriber asks for it, never
 * whole), a cut transfer is resumed with {@code Range: bytes=N-} from the first byte not yet
 * emitted, up to {@code maxResumes} times, and at the end the size and the MD5 / sign are checked:
 * a mismatch ends the flux with {@link FirmwareVerificationException}.
 */
final class FirmwareDownload {

    private FirmwareDownload() {}

    static Flux<FirmwareChunk> of(
            HttpClient http, OtaFirmware firmware, int maxResumes, Duration resumeBackoff) {
        URI uri = URI.create(firmware.url());
        return Flux.defer(
                () -> {
                    FirmwareDigests digests = new FirmwareDigests();
                    long[] offset = {0};
                    Flux<FirmwareChunk> attempt =
                            Flux.defer(() -> fetch(http, uri, offset[0]))
                                    .map(
                                            buffer -> {
                                                byte[] bytes = new byte[buffer.remaining()];
                                                buffer.get(bytes);
                                                digests.update(bytes);
                                                FirmwareChunk c =
                                                        new FirmwareChunk(
                                                                offset[0], bytes, firmware.size());
                                                offset[0] += bytes.length;
                                                return c;
                                            })
                                    .concatWith(
                                            Mono.defer(
                                                    () ->
                                                            firmware.size() > 0
                                                                            && offset[0]
                                                                                    < firmware
                                                                                            .size()
                                                                    ? Mono.error(
                                                                            new IOException(
                                                                                    "transfer ended at "
                                                                                            + offset[
                                                                                                    0]))
                                                                    : Mono.empty()));
                    return attempt.retryWhen(
                                    Retry.backoff(maxResumes, resumeBackoff)
                                            .filter(e -> e instanceof IOException)
                                            .onRetryExhaustedThrow((spec, s) -> s.failure()))
                            .concatWith(digests.verify(firmware.size(), firmware));
                });
    }

    /** The body from {@code from} on, as the server sends it. */
    private static Flux<ByteBuffer> fetch(HttpClient http, URI uri, long from) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).GET();
        if (from > 0) {
            request.header("Range", "bytes=" + from + "-");
        }
        return Mono.fromFuture(
                        () ->
                                http.sendAsync(
                                        request.build(), HttpResponse.BodyHandlers.ofPublisher()))
                .onErrorMap(
                        e -> e instanceof java.util.concurrent.CompletionException,
                        Throwable::getCause)
                .flatMapMany(
                        response -> {
                            int expected = from > 0 ? 206 : 200;
                            if (response.statusCode() != expected) {
                                // let the body go
                                JdkFlowAdapter.flowPublisherToFlux(response.body())
                                        .subscribe()
                                        .dispose();
                                return Flux.error(
                                        new AlinkException(
                                                "firmware download answered HTTP "
                                                        + response.statusCode()));
                            }
                            return JdkFlowAdapter.flowPublisherToFlux(response.body())
                                    .concatMapIterable(List::copyOf, 4);
                        });
    }
}
