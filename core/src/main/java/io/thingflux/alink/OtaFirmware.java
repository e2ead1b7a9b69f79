package io.thingflux.alink;

import java.util.Map;

/**
 * A firmware the platform offers a device (an OTA upgrade notice's or a {@code
 * thing.ota.firmware.get} reply's {@code data}).
 *
 * @param module the module it is for ({@code default} when the notice names none)
 * @param md5 the file's MD5 in hex, or {@code null}
 * @param sign the file's digest by {@code signMethod} ({@code MD5} or {@code SHA256}), or {@code
 *     null}
 * @param url where to download it over HTTP(S) (signed and expiring), or {@code null} when it comes
 *     over MQTT
 * @param streamId the MQTT download's stream ({@code "dProtocol":"mqtt"}), or {@code null}
 * @param streamFileId the file in that stream
 */
public record OtaFirmware(
        String version,
        String module,
        long size,
        String url,
        String md5,
        String sign,
        String signMethod,
        Long streamId,
        long streamFileId) {

    /** Whether the firmware is downloaded over MQTT ({@code thing.file.download}). */
    public boolean overMqtt() {
        return streamId != null;
    }

    /** The default module's name. */
    public static final String DEFAULT_MODULE = "default";

    /** Reads the platform's fields. */
    public static OtaFirmware of(Map<String, Object> data) {
        Object module = data.get("module");
        return new OtaFirmware(
                str(data.get("version")),
                module == null ? DEFAULT_MODULE : module.toString(),
                data.get("size") instanceof Number n ? n.longValue() : 0,
                str(data.get("url")),
                str(data.get("md5")),
                str(data.get("sign")),
                str(data.get("signMethod")),
                data.get("streamId") instanceof Number n ? Long.valueOf(n.longValue()) : null,
                data.get("streamFileId") instanceof Number n ? n.longValue() : 1);
    }

    private static String str(Object o) {
        return o == null ? null : o.toString();
    }

    @Override
    public String toString() {
        // the URL carries a signature: not shown
        return "OtaFirmware[version="
                + version
                + ", module="
                + module
                + ", size="
                + size
                + ", signMethod="
                + signMethod
                + "]";
    }
}
