package io.thingflux.aliyun;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * An MQTT clientId as the platform reads it: {@code clientId|key=value,key=value|}. Used by the
 * emulator to check a CONNECT the way the platform does.
 *
 * @param clientId the part before the first {@code |}
 * @param params the extension parameters in the order sent
 */
public record AliyunClientId(String clientId, Map<String, String> params) {

    public AliyunClientId {
        params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
    }

    /**
     * Parses {@code mqttClientId}.
     *
     * @throws IllegalArgumentException when it has no {@code |...|} section or a parameter lacks
     *     {@code =}
     */
    public static AliyunClientId parse(String mqttClientId) {
        int open = mqttClientId.indexOf('|');
        if (open < 0 || !mqttClientId.endsWith("|") || open == mqttClientId.length() - 1) {
            throw new IllegalArgumentException("clientId has no |...| extension section");
        }
        String cid = mqttClientId.substring(0, open);
        String section = mqttClientId.substring(open + 1, mqttClientId.length() - 1);
        if (section.indexOf('|') >= 0) {
            throw new IllegalArgumentException("clientId has more than one '|' section");
        }
        Map<String, String> params = new LinkedHashMap<>();
        for (String part : section.split(",", -1)) {
            if (part.isEmpty()) {
                continue; // Link SDK 4.x leaves a trailing comma
            }
            int eq = part.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("extension parameter without '=': " + part);
            }
            params.put(part.substring(0, eq), part.substring(eq + 1));
        }
        return new AliyunClientId(cid, params);
    }

    public Optional<String> param(String key) {
        return Optional.ofNullable(params.get(key));
    }
}
