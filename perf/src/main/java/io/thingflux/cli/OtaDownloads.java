package io.thingflux.cli;

import io.thingflux.alink.AliyunDevice;
import io.thingflux.alink.OtaFirmware;
import io.thingflux.alink.PlatformServices;
import io.thingflux.alink.ThingMessage;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The {@code --ota-dir} behaviour of {@code device} and {@code ec600s}: downloads an offered
 * firmware into the directory with {@link io.thingflux.alink.DeviceOta#downloadTo}, shows progress
 * on stderr and prints the outcome as a JSON line.
 */
final class OtaDownloads {

    private OtaDownloads() {}

    static void start(
            AliyunDevice device,
            ThingMessage.OtaUpgrade upgrade,
            Path dir,
            JsonLines out,
            PrintWriter err) {
        OtaFirmware firmware = OtaFirmware.of(upgrade.data());
        String name =
                (firmware.module() + "-" + firmware.version()).replaceAll("[^A-Za-z0-9._-]", "_")
                        + ".bin";
        Path file = dir.resolve(name);
        try {
            Files.createDirectories(dir);
        } catch (java.io.IOException e) {
            out.write(
                    JsonLines.object()
                            .put("type", "ota_failed")
                            .put("version", firmware.version())
                            .put("error", FailureReason.of(e)));
            return;
        }
        int[] shown = {-1};
        PlatformServices.of(device)
                .ota()
                .downloadTo(
                        firmware,
                        file,
                        pct -> {
                            if (pct / 5 != shown[0]) { // every 5 %
                                shown[0] = pct / 5;
                                err.println("ota " + firmware.version() + ": " + pct + "%");
                                err.flush();
                            }
                        })
                .subscribe(
                        f ->
                                out.write(
                                        JsonLines.object()
                                                .put("type", "ota_downloaded")
                                                .put("version", firmware.version())
                                                .put("module", firmware.module())
                                                .put("size", firmware.size())
                                                .put("file", f.toString())),
                        e ->
                                out.write(
                                        JsonLines.object()
                                                .put("type", "ota_failed")
                                                .put("version", firmware.version())
                                                .put("module", firmware.module())
                                                .put("error", FailureReason.of(e))));
    }
}
