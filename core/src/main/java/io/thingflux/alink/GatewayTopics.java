package io.thingflux.alink;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The topics of a gateway: topology ({@code /sys/{gwPk}/{gwDn}/thing/topo/...}), sub-device
 * registration, sub-device sessions ({@code /ext/session/{gwPk}/{gwDn}/combine/...}), and the
 * wildcard filters through which one subscription carries the thing-model messages of the gateway
 * and all its sub-devices. Immutable.
 */
public final class GatewayTopics {

    private static final String SESSION = "/ext/session/";

    /**
     * The thing-model filters of every device behind the gateway: {@link
     * AlinkTopics#deviceSubscriptions()} with {@code +} for product key and device name, and the
     * sub-device disable, enable and delete notices.
     */
    public static final List<String> SUB_DEVICE_FILTERS =
            List.of(
                    "/sys/+/+/thing/service/property/set",
                    "/sys/+/+/thing/service/+",
                    "/sys/+/+/thing/event/+/post_reply",
                    "/sys/+/+/thing/event/property/batch/post_reply",
                    "/sys/+/+/rrpc/request/+",
                    "/ext/rrpc/+/sys/+/+/thing/service/+",
                    "/ext/ntp/+/+/response",
                    "/sys/+/+/thing/config/push",
                    "/ota/device/upgrade/+/+",
                    "/sys/+/+/thing/model/down_raw",
                    "/sys/+/+/thing/disable",
                    "/sys/+/+/thing/enable",
                    "/sys/+/+/thing/delete");

    private final AlinkTopics gateway;

    public GatewayTopics(String productKey, String deviceName) {
        this.gateway = new AlinkTopics(productKey, deviceName);
    }

    /** The gateway's own thing-model topics. */
    public AlinkTopics gateway() {
        return gateway;
    }

    public String topoAdd() {
        return gateway.sysPrefix() + "thing/topo/add";
    }

    public String topoDelete() {
        return gateway.sysPrefix() + "thing/topo/delete";
    }

    public String topoGet() {
        return gateway.sysPrefix() + "thing/topo/get";
    }

    public String topoAddNotify() {
        return gateway.sysPrefix() + "thing/topo/add/notify";
    }

    public String topoChange() {
        return gateway.sysPrefix() + "thing/topo/change";
    }

    public String subRegister() {
        return gateway.sysPrefix() + "thing/sub/register";
    }

    /** {@code /ext/session/{gwPk}/{gwDn}/combine/}. */
    public String sessionPrefix() {
        return SESSION + gateway.productKey() + "/" + gateway.deviceName() + "/combine/";
    }

    public String login() {
        return sessionPrefix() + "login";
    }

    public String logout() {
        return sessionPrefix() + "logout";
    }

    public String batchLogin() {
        return sessionPrefix() + "batch_login";
    }

    public String batchLogout() {
        return sessionPrefix() + "batch_logout";
    }

    /**
     * Everything a gateway subscribes to, in one subscription: {@link #SUB_DEVICE_FILTERS} (which
     * cover the gateway's own thing-model topics too) and the replies and notices of topology,
     * registration and sessions.
     */
    public List<String> subscriptions() {
        List<String> all = new ArrayList<>(SUB_DEVICE_FILTERS);
        all.add(gateway.sysPrefix() + "thing/topo/+");
        all.add(topoAddNotify());
        all.add(AlinkTopics.reply(subRegister()));
        all.add(sessionPrefix() + "+");
        return List.copyOf(all);
    }

    /**
     * Everything a gateway subscribes to when it subscribes each sub-device on its own ({@link
     * AliyunGatewayOptions#subscribePerSubDevice()}): its own thing-model filters and the replies
     * and notices of topology, registration and sessions.
     */
    public List<String> ownSubscriptions() {
        List<String> all = new ArrayList<>(gateway.deviceSubscriptions());
        all.add(gateway.sysPrefix() + "thing/topo/+");
        all.add(topoAddNotify());
        all.add(AlinkTopics.reply(subRegister()));
        all.add(sessionPrefix() + "+");
        return List.copyOf(all);
    }

    /**
     * The filters of one sub-device subscribed on the wire: its thing-model filters and its
     * disable, enable and delete notices.
     */
    public static List<String> subDeviceSubscriptions(String productKey, String deviceName) {
        AlinkTopics t = new AlinkTopics(productKey, deviceName);
        List<String> all = new ArrayList<>(t.deviceSubscriptions());
        all.add(t.sysPrefix() + "thing/disable");
        all.add(t.sysPrefix() + "thing/enable");
        all.add(t.sysPrefix() + "thing/delete");
        return all;
    }

    /**
     * Whether {@code topic} is one of the gateway's topology, registration or session topics
     * (replies and notices), not a device's thing-model message.
     */
    public boolean isManagement(String topic) {
        String sys = gateway.sysPrefix();
        if (topic.startsWith(sys)) {
            return topic.startsWith("thing/topo/", sys.length())
                    || topic.startsWith("thing/sub/", sys.length());
        }
        return topic.startsWith(sessionPrefix());
    }

    /**
     * The {@code pk/dn} key of the device a thing-model topic belongs to ({@code
     * /sys/{pk}/{dn}/..}, {@code /ext/rrpc/{id}/sys/{pk}/{dn}/..}, {@code /ext/ntp/{pk}/{dn}/..},
     * {@code /ota/device/{kind}/{pk}/{dn}}), or {@code null} for another topic. Costs one scan of
     * the topic, whatever the number of devices.
     */
    public static String deviceKey(String topic) {
        Objects.requireNonNull(topic, "topic");
        if (topic.startsWith("/sys/")) {
            return pair(topic, 5);
        }
        if (topic.startsWith("/ext/rrpc/")) {
            int id = topic.indexOf('/', 10);
            return id > 10 && topic.startsWith("/sys/", id) ? pair(topic, id + 5) : null;
        }
        if (topic.startsWith("/ext/ntp/")) {
            return pair(topic, 9);
        }
        if (topic.startsWith("/ota/device/")) {
            int kind = topic.indexOf('/', 12);
            return kind > 12 ? pair(topic, kind + 1) : null;
        }
        return null;
    }

    /** {@code pk/dn} from the two levels starting at {@code from}, or null. */
    private static String pair(String topic, int from) {
        int a = topic.indexOf('/', from);
        if (a <= from) {
            return null;
        }
        int b = topic.indexOf('/', a + 1);
        int end = b < 0 ? topic.length() : b;
        return end > a + 1 ? topic.substring(from, end) : null;
    }

    @Override
    public String toString() {
        return "GatewayTopics[" + gateway.productKey() + "/" + gateway.deviceName() + "]";
    }
}
