package io.thingflux.alink;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntConsumer;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Over-the-air upgrades of one {@link AliyunDevice}: reports the running version of each module
 * ({@code /ota/device/inform}), receives upgrade notices, asks for the pending firmware ({@code
 * thing.ota.firmware.get}), downloads it over HTTP(S) as a {@link Flux} of chunks (bounded memory,
 * resumed with {@code Range} after a cut, size and MD5/SHA-256 checked) and reports progress
 * ({@code /ota/device/progress}: 1..100, -1 upgrade failed, -2 download failed, -3 verification
 * failed, -4 flashing failed). The device must subscribe to {@link
 * AlinkTopics#platformSubscriptions()} for {@link #query(String)}.
 */
public final class DeviceOta {

    /** How often a cut download is resumed before it fails. */
    public static final int MAX_RESUMES = 5;

    /** Progress step: the upgrade failed. */
    public static final int STEP_UPGRADE_FAILED = -1;

    /** Progress step: the download failed. */
    public static final int STEP_DOWNLOAD_FAILED = -2;

    /** Progress step: the file did not verify. */
    public static final int STEP_VERIFY_FAILED = -3;

    /** Progress step: writing the firmware failed. */
    public static final int STEP_FLASH_FAILED = -4;

    private static final Duration RESUME_BACKOFF = Duration.ofMillis(200);

    private final AliyunDevice device;
    private final HttpClient http;
    private final AtomicLong ids = new AtomicLong();

    DeviceOta(AliyunDevice device, HttpClient http) {
        this.device = Objects.requireNonNull(device, "device");
        this.http = Objects.requireNonNull(http, "http");
    }

    /** Reports the version {@code module} runs ({@code null} module: the default one). */
    public Mono<Void> reportVersion(String version, String module) {
        Objects.requireNonNull(version, "version");
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("version", version);
        if (module != null) {
            params.put("module", module);
        }
        return publish(device.topics().otaInform(), params);
    }

    /**
     * Reports progress: {@code step} 1..100, or one of the negative failure steps.
     *
     * @throws IllegalArgumentException for a step outside -4..100 or 0
     */
    public Mono<Void> reportProgress(int step, String desc, String module) {
        if (step < STEP_FLASH_FAILED || step > 100 || step == 0) {
            throw new IllegalArgumentException("step is 1..100 or -1..-4");
        }
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("step", Integer.toString(step));
        params.put("desc", desc == null ? "" : desc);
        if (module != null) {
            params.put("module", module);
        }
        return publish(device.topics().otaProgress(), params);
    }

    private Mono<Void> publish(String topic, Map<String, Object> params) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", Long.toString(ids.incrementAndGet()));
        m.put("params", params);
        return device.publishUnanswered(topic, AlinkJson.encodeValue(m));
    }

    /** The upgrade notices ({@code code} 1000) the platform sends, as they arrive. */
    public Flux<OtaFirmware> upgrades() {
        return device.messages()
                .ofType(ThingMessage.OtaUpgrade.class)
                .filter(u -> "1000".equals(u.code()))
                .map(u -> OtaFirmware.of(u.data()));
    }

    /**
     * The firmware the platform has for {@code module} ({@code null}: the default one); empty when
     * there is none.
     */
    public Mono<OtaFirmware> query(String module) {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("module", module == null ? OtaFirmware.DEFAULT_MODULE : module);
        return device.request(device.topics().otaFirmwareGet(), "thing.ota.firmware.get", params)
                .flatMap(
                        r ->
                                r.dataAsMap().get("url") == null
                                                && r.dataAsMap().get("streamId") == null
                                        ? Mono.empty()
                                        : Mono.just(OtaFirmware.of(r.dataAsMap())));
    }

    /**
     * Downloads {@code firmware} as chunks in order: over HTTP(S) ({@link FirmwareDownload}), or
     * over the device's MQTT link when the notice says so ({@link MqttFileDownload}, e.g. on an
     * EC600S). Reports nothing.
     */
    public Flux<FirmwareChunk> download(OtaFirmware firmware) {
        if (firmware.overMqtt()) {
            return MqttFileDownload.of(device, firmware, MqttFileDownload.DEFAULT_BLOCK_SIZE);
        }
        Objects.requireNonNull(firmware.url(), "firmware url");
        return FirmwareDownload.of(http, firmware, MAX_RESUMES, RESUME_BACKOFF);
    }

    /**
     * Downloads {@code firmware} into {@code file} (written to {@code file + ".part"} and moved in
     * place once verified), reporting progress to the platform at each 10 % (and to {@code
     * progress}, when given, at each percent), and -2 or -3 when it fails.
     */
    public Mono<Path> downloadTo(OtaFirmware firmware, Path file, IntConsumer progress) {
        Path part = file.resolveSibling(file.getFileName() + ".part");
        String module = firmware.module();
        return Mono.usingWhen(
                        Mono.fromCallable(
                                        () ->
                                                FileChannel.open(
                                                        part,
                                                        StandardOpenOption.CREATE,
                                                        StandardOpenOption.WRITE,
                                                        StandardOpenOption.TRUNCATE_EXISTING))
                                .subscribeOn(Schedulers.boundedElastic()),
                        channel -> {
                            int[] last = {0, 0}; // last percent seen, last step reported
                            return download(firmware)
                                    .publishOn(Schedulers.boundedElastic(), 8)
                                    .doOnNext(
                                            chunk -> {
                                                write(channel, chunk);
                                                int pct = chunk.percent();
                                                if (pct != last[0] && progress != null) {
                                                    progress.accept(pct);
                                                }
                                                last[0] = pct;
                                                int step = pct / 10 * 10;
                                                if (step > last[1] && step > 0) {
                                                    last[1] = step;
                                                    // sent in order by the link; not awaited, so a
                                                    // failure ends the download at once
                                                    reportProgress(step, "downloading", module)
                                                            .subscribe(v -> {}, e -> {});
                                                }
                                            })
                                    .then(
                                            Mono.fromCallable(
                                                    () -> {
                                                        channel.force(true);
                                                        return file;
                                                    }));
                        },
                        channel -> Mono.fromRunnable(() -> close(channel)))
                .map(
                        f -> {
                            try {
                                return Files.move(part, f, StandardCopyOption.REPLACE_EXISTING);
                            } catch (IOException e) {
                                throw new UncheckedIOException(e);
                            }
                        })
                .onErrorResume(
                        e ->
                                reportProgress(
                                                e instanceof FirmwareVerificationException
                                                        ? STEP_VERIFY_FAILED
                                                        : STEP_DOWNLOAD_FAILED,
                                                e.getMessage(),
                                                module)
                                        .onErrorResume(x -> Mono.empty())
                                        .then(Mono.error(e)));
    }

    private static void write(FileChannel channel, FirmwareChunk chunk) {
        try {
            ByteBuffer b = ByteBuffer.wrap(chunk.bytes());
            long pos = chunk.offset();
            while (b.hasRemaining()) {
                pos += channel.write(b, pos);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void close(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // nothing more to do
        }
    }
}
