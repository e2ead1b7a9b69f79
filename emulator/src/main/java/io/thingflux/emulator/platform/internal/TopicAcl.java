package io.thingflux.emulator.platform.internal;

/**
 * The platform's per-device topic permissions (Aliyun doc 30540): a device publishes and subscribes
 * only inside its own topic space, that is
 *
 * <ul>
 *   <li>{@code /sys/{pk}/{dn}/...} (thing model, RRPC, ...)
 *   <li>{@code /{pk}/{dn}/user/...} (custom topics)
 *   <li>{@code /ext/rrpc/{messageId}/...} over one of the two above (custom-topic RRPC)
 *   <li>{@code /ext/ntp/{pk}/{dn}/...}
 *   <li>{@code /ota/device/{kind}/{pk}/{dn}} and {@code /shadow/{kind}/{pk}/{dn}}
 * </ul>
 *
 * and may in addition subscribe to {@code /broadcast/{pk}/...}. A filter is allowed only when every
 * topic it can match lies in that space: the product key and device name levels must be literal,
 * and a wildcard may stand only where the device's own space leaves the level free.
 */
public final class TopicAcl {

    private TopicAcl() {}

    /** Whether device {@code pk}/{@code dn} may publish to the topic name {@code topic}. */
    public static boolean mayPublish(String pk, String dn, String topic) {
        return ownSpace(pk, dn, topic.split("/", -1), 0, true);
    }

    /** Whether device {@code pk}/{@code dn} may subscribe to the valid filter {@code filter}. */
    public static boolean maySubscribe(String pk, String dn, String filter) {
        String[] l = filter.split("/", -1);
        if (l.length >= 4 && l[0].isEmpty() && l[1].equals("broadcast") && l[2].equals(pk)) {
            return true;
        }
        return ownSpace(pk, dn, l, 0, true);
    }

    /**
     * Whether the levels from {@code from} (starting at the empty level before the leading slash)
     * are the device's own.
     */
    private static boolean ownSpace(String pk, String dn, String[] l, int from, boolean allowRrpc) {
        int n = l.length - from;
        if (n < 3 || !l[from].isEmpty()) {
            return false;
        }
        String first = l[from + 1];
        if (first.equals("sys")) {
            return n >= 5 && l[from + 2].equals(pk) && l[from + 3].equals(dn);
        }
        if (first.equals(pk)) {
            return n >= 5 && l[from + 2].equals(dn) && l[from + 3].equals("user");
        }
        if (first.equals("ext") && n >= 4) {
            String kind = l[from + 2];
            if (kind.equals("ntp")) {
                return n >= 6 && l[from + 3].equals(pk) && l[from + 4].equals(dn);
            }
            if (kind.equals("rrpc") && allowRrpc && n >= 5 && !l[from + 3].equals("#")) {
                // /ext/rrpc/{id}/ + own topic: the own topic starts with the level after the id, so
                // shift by 3 and treat the id level as the empty level before the own topic's
                // leading slash
                String[] rest = new String[n - 3];
                rest[0] = "";
                System.arraycopy(l, from + 4, rest, 1, n - 4);
                return ownSpace(pk, dn, rest, 0, false);
            }
            return false;
        }
        if (first.equals("ota")) {
            return n == 6
                    && l[from + 2].equals("device")
                    && freeLevel(l[from + 3])
                    && l[from + 4].equals(pk)
                    && l[from + 5].equals(dn);
        }
        if (first.equals("shadow")) {
            return n == 5
                    && freeLevel(l[from + 2])
                    && l[from + 3].equals(pk)
                    && l[from + 4].equals(dn);
        }
        return false;
    }

    private static boolean freeLevel(String level) {
        return !level.equals("#") && !level.isEmpty();
    }
}
