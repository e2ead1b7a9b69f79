package io.thingflux.aliyun;

import java.util.Objects;

/** The platform's MQTT endpoint hosts and ports (Aliyun doc 147356). */
public final class AliyunEndpoints {

    /** Plain TCP (and TLS) port of every instance. */
    public static final int PORT_TCP = 1883;

    /** TLS port of new public and Enterprise instances, served with Aliyun's own root. */
    public static final int PORT_TLS = 8883;

    /** The region of the legacy public instance most devices use. */
    public static final String DEFAULT_REGION = "cn-shanghai";

    private AliyunEndpoints() {}

    /**
     * The legacy public instance host: {@code ${productKey}.iot-as-mqtt.${region}.aliyuncs.com}.
     */
    public static String legacyHost(String productKey, String region) {
        return requireLabel(productKey, "productKey")
                + ".iot-as-mqtt."
                + requireLabel(region, "region")
                + ".aliyuncs.com";
    }

    /**
     * The new public / Enterprise instance host: {@code ${instanceId}.mqtt.iothub.aliyuncs.com}.
     */
    public static String instanceHost(String instanceId) {
        return requireLabel(instanceId, "instanceId") + ".mqtt.iothub.aliyuncs.com";
    }

    /**
     * Whether {@code host} is one of the platform's endpoints, where Aliyun's limits apply
     * (keepalive 30..1200 s, no QoS 2, no will or retain).
     */
    public static boolean isAliyunHost(String host) {
        return host != null && (host.endsWith(".aliyuncs.com") || host.endsWith(".aliyuncs.com."));
    }

    private static String requireLabel(String s, String what) {
        Objects.requireNonNull(s, what);
        if (s.isEmpty() || !s.matches("[A-Za-z0-9-]+")) {
            throw new IllegalArgumentException(
                    what + " must be letters, digits and '-', was '" + s + "'");
        }
        return s;
    }
}
