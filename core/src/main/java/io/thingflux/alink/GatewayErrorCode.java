package io.thingflux.alink;

/**
 * The platform's result codes for gateway requests: topology ({@code thing/topo/*}) and sub-device
 * sessions ({@code /ext/session/.../combine/*}), after Aliyun doc 120329 and the things-go SDK's
 * {@code infra/code.go}. Meanings marked "unverified" come from indirect sources.
 */
public enum GatewayErrorCode {
    /** 401: the sub-device's sign did not check (topology add). */
    SIGN_CHECK_FAILED(401, "the sub-device's sign did not check"),
    /** 427: the sub-device logged in elsewhere (unverified). */
    LOGGED_IN_ELSEWHERE(427, "the sub-device is logged in elsewhere"),
    /** 428: too many sub-devices online under the gateway. */
    TOO_MANY_ONLINE(428, "too many sub-devices online under the gateway"),
    /** 429: sub-device logins too frequent, throttled. */
    THROTTLED(429, "too many requests, throttled"),
    /** 460: a request parameter is missing or invalid (e.g. more than a batch may hold). */
    BAD_PARAMS(460, "request parameter error"),
    /** 520: the sub-device has no session (not logged in). */
    NO_SESSION(520, "the sub-device is not logged in"),
    /** 521: the sub-device was deleted. */
    DELETED(521, "the sub-device was deleted"),
    /** 522: the sub-device is disabled. */
    DISABLED(522, "the sub-device is disabled"),
    /** 527: the sub-device's session request failed on the platform (unverified). */
    SESSION_FAILED(527, "the sub-device's session request failed"),
    /** 6100: the sub-device does not exist. */
    NOT_FOUND(6100, "the sub-device does not exist"),
    /** 6280: the sub-device's identity is invalid (unverified). */
    INVALID_SUB_DEVICE(6280, "the sub-device's identity is invalid"),
    /** 6287: the sub-device's secret or sign is wrong (login). */
    WRONG_SIGN(6287, "the sub-device's secret or sign is wrong"),
    /** 6400: the gateway holds the most sub-devices its topology may hold. */
    TOPOLOGY_FULL(6400, "the gateway's topology is full"),
    /** 6401: the sub-device is not in the gateway's topology. */
    NOT_IN_TOPOLOGY(6401, "the sub-device is not in the gateway's topology"),
    /** 6402: a device cannot be its own sub-device. */
    SELF_TOPOLOGY(6402, "a device cannot be its own sub-device"),
    /** Any other code. */
    OTHER(-1, "refused");

    private final int code;
    private final String meaning;

    GatewayErrorCode(int code, String meaning) {
        this.code = code;
        this.meaning = meaning;
    }

    /** The platform's code, -1 for {@link #OTHER}. */
    public int code() {
        return code;
    }

    /** What the code means, in a few words. */
    public String meaning() {
        return meaning;
    }

    /** The constant for {@code code}, {@link #OTHER} for one not listed. */
    public static GatewayErrorCode valueOf(int code) {
        for (GatewayErrorCode c : values()) {
            if (c.code == code) {
                return c;
            }
        }
        return OTHER;
    }
}
