package io.thingflux.alink;

import java.util.List;
import java.util.Objects;

/**
 * The thing-model topics of one device ({@code /sys/{pk}/{dn}/...}, {@code /ext/...}, {@code
 * /ota/...}), as in the platform's topic table (Aliyun docs 89301, 90568, 102509, 89307, 89308).
 * Immutable.
 */
public final class AlinkTopics {

    /**
     * Where the platform pushes the result of a dynamic registration with {@code
     * authType=register}.
     */
    public static final String EXT_REGISTER = "/ext/register";

    /**
     * Where the platform pushes the result of a dynamic registration with {@code authType=regnwl}.
     */
    public static final String EXT_REGNWL = "/ext/regnwl";

    /**
     * The prefix of custom-topic and synchronous-service RRPC requests: {@code
     * /ext/rrpc/{messageId}/...}.
     */
    public static final String EXT_RRPC_PREFIX = "/ext/rrpc/";

    /** What the platform appends to a request topic for its reply. */
    public static final String REPLY_SUFFIX = "_reply";

    private final String productKey;
    private final String deviceName;

    /**
     * Holds the product key and device name only: each topic is built when asked (one per device is
     * many).
     */
    public AlinkTopics(String productKey, String deviceName) {
        this.productKey = requireLevel(productKey, "productKey");
        this.deviceName = requireLevel(deviceName, "deviceName");
    }

    public String productKey() {
        return productKey;
    }

    public String deviceName() {
        return deviceName;
    }

    /** {@code /sys/{pk}/{dn}/}: the prefix of the device's system topics. */
    public String sysPrefix() {
        return "/sys/" + productKey + "/" + deviceName + "/";
    }

    /**
     * The length of {@link #sysPrefix()} if {@code topic} starts with it, else -1; builds no
     * string.
     */
    int sysPrefixLength(String topic) {
        int pk = productKey.length();
        int dn = deviceName.length();
        int end = 5 + pk + 1 + dn + 1;
        if (topic.length() < end
                || !topic.startsWith("/sys/")
                || !topic.startsWith(productKey, 5)
                || topic.charAt(5 + pk) != '/'
                || !topic.startsWith(deviceName, 6 + pk)
                || topic.charAt(end - 1) != '/') {
            return -1;
        }
        return end;
    }

    public String propertyPost() {
        return "/sys/"
                + productKey
                + "/"
                + deviceName
                + "/thing/event/property/post"; // every post: one concat
    }

    public String propertySet() {
        return sysPrefix() + "thing/service/property/set";
    }

    /** {@code /sys/{pk}/{dn}/thing/event/{eventId}/post}. */
    public String eventPost(String eventId) {
        return sysPrefix() + "thing/event/" + eventId + "/post";
    }

    public String batchPost() {
        return sysPrefix() + "thing/event/property/batch/post";
    }

    /** {@code /sys/{pk}/{dn}/thing/service/{serviceId}}: an asynchronous service call. */
    public String service(String serviceId) {
        return sysPrefix() + "thing/service/" + serviceId;
    }

    /** The reply topic of a request topic: {@code topic + "_reply"}. */
    public static String reply(String requestTopic) {
        return requestTopic + REPLY_SUFFIX;
    }

    /** {@code /sys/{pk}/{dn}/rrpc/request/} followed by the message id: a system RRPC request. */
    public String rrpcRequestPrefix() {
        return sysPrefix() + "rrpc/request/";
    }

    /**
     * {@code /sys/{pk}/{dn}/rrpc/response/{messageId}}: where a system RRPC request is answered.
     */
    public String rrpcResponse(String messageId) {
        return sysPrefix() + "rrpc/response/" + messageId;
    }

    /**
     * {@code /ext/rrpc/{messageId}/sys/{pk}/{dn}/thing/service/{serviceId}}: a synchronous service
     * call.
     */
    public String syncService(String messageId, String serviceId) {
        return EXT_RRPC_PREFIX + messageId + service(serviceId);
    }

    public String ntpRequest() {
        return "/ext/ntp/" + productKey + "/" + deviceName + "/request";
    }

    public String ntpResponse() {
        return "/ext/ntp/" + productKey + "/" + deviceName + "/response";
    }

    public String configGet() {
        return sysPrefix() + "thing/config/get";
    }

    public String configPush() {
        return sysPrefix() + "thing/config/push";
    }

    public String otaInform() {
        return "/ota/device/inform/" + productKey + "/" + deviceName;
    }

    public String otaUpgrade() {
        return "/ota/device/upgrade/" + productKey + "/" + deviceName;
    }

    public String otaProgress() {
        return "/ota/device/progress/" + productKey + "/" + deviceName;
    }

    public String upRaw() {
        return sysPrefix() + "thing/model/up_raw";
    }

    public String downRaw() {
        return sysPrefix() + "thing/model/down_raw";
    }

    /**
     * The filters a thing-model device subscribes to (ten, well under the platform's 50): property
     * set, asynchronous services, the replies to property and event posts and to batch posts,
     * system RRPC, synchronous services over {@code /ext/rrpc}, NTP responses, config push, OTA
     * upgrade notices and raw down data. None overlaps another, so no message is delivered twice.
     * Dynamic registration results are pushed without a subscription.
     */
    public List<String> deviceSubscriptions() {
        return List.of(
                propertySet(),
                sysPrefix() + "thing/service/+",
                sysPrefix() + "thing/event/+/post_reply",
                reply(batchPost()),
                rrpcRequestPrefix() + "+",
                EXT_RRPC_PREFIX + "+" + sysPrefix() + "thing/service/+",
                ntpResponse(),
                configPush(),
                otaUpgrade(),
                downRaw());
    }

    // ---- platform services: shadow, desired properties, tags, remote config, OTA query

    /** {@code /shadow/update/{pk}/{dn}}: where the device sends shadow get, update and delete. */
    public String shadowUpdate() {
        return "/shadow/update/" + productKey + "/" + deviceName;
    }

    /** {@code /shadow/get/{pk}/{dn}}: shadow replies and control pushes. */
    public String shadowGet() {
        return "/shadow/get/" + productKey + "/" + deviceName;
    }

    public String desiredGet() {
        return sysPrefix() + "thing/property/desired/get";
    }

    public String desiredDelete() {
        return sysPrefix() + "thing/property/desired/delete";
    }

    public String deviceInfoUpdate() {
        return sysPrefix() + "thing/deviceinfo/update";
    }

    public String deviceInfoDelete() {
        return sysPrefix() + "thing/deviceinfo/delete";
    }

    public String otaFirmwareGet() {
        return sysPrefix() + "thing/ota/firmware/get";
    }

    /** {@code /sys/{pk}/{dn}/thing/file/download}: a block of an MQTT file download. */
    public String fileDownload() {
        return sysPrefix() + "thing/file/download";
    }

    /**
     * The filters the platform services need beside {@link #deviceSubscriptions()} (add them with
     * {@link AliyunDeviceOptions.Builder#additionalSubscription(String)}, or use {@link
     * PlatformServices#subscribe}): the shadow topic and the replies to config get, tag update and
     * delete, desired get and delete, the OTA firmware query and MQTT file download. Exact names,
     * so a device never receives its own requests back.
     */
    public List<String> platformSubscriptions() {
        return List.of(
                shadowGet(),
                reply(configGet()),
                reply(deviceInfoUpdate()),
                reply(deviceInfoDelete()),
                reply(desiredGet()),
                reply(desiredDelete()),
                reply(otaFirmwareGet()),
                reply(fileDownload()));
    }

    private static String requireLevel(String s, String what) {
        Objects.requireNonNull(s, what);
        if (s.isEmpty() || s.indexOf('/') >= 0 || s.indexOf('+') >= 0 || s.indexOf('#') >= 0) {
            throw new IllegalArgumentException(
                    what + " must be one non-empty topic level without '/', '+' or '#'");
        }
        return s;
    }

    @Override
    public String toString() {
        return "AlinkTopics[" + productKey + "/" + deviceName + "]";
    }
}
