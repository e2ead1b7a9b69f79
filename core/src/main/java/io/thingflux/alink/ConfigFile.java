package io.thingflux.alink;

import java.util.Map;

/**
 * A remote configuration file the platform offers ({@code thing.config.get} reply data or {@code
 * thing.config.push} params).
 *
 * @param sign the file's digest in hex, by {@code signMethod} ({@code Sha256})
 * @param url where to download it (signed and expiring)
 */
public record ConfigFile(
        String configId, long configSize, String sign, String signMethod, String url) {

    /** Reads the platform's fields; missing ones are {@code null} or 0. */
    public static ConfigFile of(Map<String, Object> data) {
        return new ConfigFile(
                str(data.get("configId")),
                data.get("configSize") instanceof Number n ? n.longValue() : 0,
                str(data.get("sign")),
                str(data.get("signMethod")),
                str(data.get("url")));
    }

    private static String str(Object o) {
        return o == null ? null : o.toString();
    }

    @Override
    public String toString() {
        // the URL carries a signature: not shown
        return "ConfigFile[configId=" + configId + ", configSize=" + configSize + "]";
    }
}
