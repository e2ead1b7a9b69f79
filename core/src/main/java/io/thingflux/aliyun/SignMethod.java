package io.thingflux.aliyun;

import java.util.Locale;

/** The HMAC the platform accepts for the MQTT password ({@code signmethod} in the clientId). */
public enum SignMethod {
    HMACSHA1("hmacsha1", "HmacSHA1"),
    HMACSHA256("hmacsha256", "HmacSHA256"),
    HMACMD5("hmacmd5", "HmacMD5");

    private final String wireName;
    private final String jcaName;

    SignMethod(String wireName, String jcaName) {
        this.wireName = wireName;
        this.jcaName = jcaName;
    }

    /** The value of {@code signmethod=} in the clientId, e.g. {@code hmacsha1}. */
    public String wireName() {
        return wireName;
    }

    /** The JCA {@code Mac} algorithm. */
    public String jcaName() {
        return jcaName;
    }

    /**
     * The method for a {@code signmethod} value, case-insensitive.
     *
     * @throws IllegalArgumentException for an unknown method
     */
    public static SignMethod fromWireName(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        for (SignMethod m : values()) {
            if (m.wireName.equals(n)) {
                return m;
            }
        }
        throw new IllegalArgumentException(
                "unknown sign method '" + name + "' (hmacsha1, hmacsha256 or hmacmd5)");
    }
}
