package io.thingflux.mqtt;

/** MQTT 3.1.1 control packet types (§2.2.1) with their four-bit wire values. */
public enum PacketType {
    CONNECT(1),
    CONNACK(2),
    PUBLISH(3),
    PUBACK(4),
    PUBREC(5),
    PUBREL(6),
    PUBCOMP(7),
    SUBSCRIBE(8),
    SUBACK(9),
    UNSUBSCRIBE(10),
    UNSUBACK(11),
    PINGREQ(12),
    PINGRESP(13),
    DISCONNECT(14);

    private static final PacketType[] BY_CODE = new PacketType[16];

    static {
        for (PacketType t : values()) {
            BY_CODE[t.code] = t;
        }
    }

    private final int code;

    PacketType(int code) {
        this.code = code;
    }

    /** The four-bit wire value (the high nibble of the first byte). */
    public int code() {
        return code;
    }

    /**
     * The type for a wire value.
     *
     * @throws IllegalArgumentException for 0 and 15, which are reserved
     */
    public static PacketType valueOf(int code) {
        PacketType t = code >= 0 && code < 16 ? BY_CODE[code] : null;
        if (t == null) {
            throw new IllegalArgumentException("reserved packet type " + code);
        }
        return t;
    }
}
