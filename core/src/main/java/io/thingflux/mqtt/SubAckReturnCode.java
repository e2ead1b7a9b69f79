package io.thingflux.mqtt;

/** SUBACK return codes (MQTT 3.1.1 §3.9.3) with their wire values. */
public enum SubAckReturnCode {
    GRANTED_QOS_0(0x00),
    GRANTED_QOS_1(0x01),
    GRANTED_QOS_2(0x02),
    FAILURE(0x80);

    private final int code;

    SubAckReturnCode(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public boolean isFailure() {
        return this == FAILURE;
    }

    /** The granted level, or {@code null} for {@link #FAILURE}. */
    public MqttQos grantedQos() {
        return this == FAILURE ? null : MqttQos.valueOf(code);
    }

    /** The success code granting {@code qos}. */
    public static SubAckReturnCode granted(MqttQos qos) {
        return switch (qos) {
            case AT_MOST_ONCE -> GRANTED_QOS_0;
            case AT_LEAST_ONCE -> GRANTED_QOS_1;
            case EXACTLY_ONCE -> GRANTED_QOS_2;
        };
    }

    /**
     * @throws IllegalArgumentException for anything but 0x00, 0x01, 0x02 and 0x80 (MQTT-3.9.3-2)
     */
    public static SubAckReturnCode valueOf(int code) {
        return switch (code) {
            case 0x00 -> GRANTED_QOS_0;
            case 0x01 -> GRANTED_QOS_1;
            case 0x02 -> GRANTED_QOS_2;
            case 0x80 -> FAILURE;
            default ->
                    throw new IllegalArgumentException(
                            "invalid SUBACK return code 0x" + Integer.toHexString(code));
        };
    }
}
