package io.thingflux.mqtt;

/** MQTT quality of service levels (MQTT 3.1.1 §4.3) with their wire values. */
public enum MqttQos {
    AT_MOST_ONCE(0),
    AT_LEAST_ONCE(1),
    EXACTLY_ONCE(2);

    private static final MqttQos[] BY_CODE = values();

    private final int code;

    MqttQos(int code) {
        this.code = code;
    }

    /** The two-bit wire value. */
    public int code() {
        return code;
    }

    /**
     * The level for a wire value.
     *
     * @throws IllegalArgumentException for anything but 0, 1 or 2 (QoS 3 is malformed,
     *     MQTT-3.3.1-4)
     */
    public static MqttQos valueOf(int code) {
        if (code < 0 || code > 2) {
            throw new IllegalArgumentException("QoS must be 0, 1 or 2, was " + code);
        }
        return BY_CODE[code];
    }

    /**
     * The lower of this level and {@code other}, as a broker downgrades delivery to the granted
     * QoS.
     */
    public MqttQos min(MqttQos other) {
        return code <= other.code ? this : other;
    }
}
