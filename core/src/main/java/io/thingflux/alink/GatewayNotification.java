package io.thingflux.alink;

import java.util.List;
import java.util.Objects;

/**
 * A notice the platform sends a gateway about its sub-devices; answer it with {@link
 * AliyunGateway#reply(GatewayNotification, int)}.
 */
public sealed interface GatewayNotification {

    /** The topic it arrived on. */
    String topic();

    /** The Alink id to answer with. */
    String id();

    /** Where the answer goes: the topic plus {@code _reply}. */
    default String replyTopic() {
        return AlinkTopics.reply(topic());
    }

    /**
     * {@code thing.topo.add.notify} on {@code /sys/{gwPk}/{gwDn}/thing/topo/add/notify}: the
     * platform asks the gateway to add these sub-devices to its topology.
     */
    record TopoAddNotify(String topic, String id, List<SubDeviceRef> devices)
            implements GatewayNotification {
        public TopoAddNotify {
            Objects.requireNonNull(topic, "topic");
            devices = List.copyOf(devices);
        }
    }

    /**
     * {@code thing.topo.change} on {@code /sys/{gwPk}/{gwDn}/thing/topo/change}: the topology
     * changed.
     *
     * @param status 0 added, 1 deleted, 2 enabled, 8 disabled
     */
    record TopoChange(String topic, String id, int status, List<SubDeviceRef> devices)
            implements GatewayNotification {

        /** Sub-devices were added. */
        public static final int ADDED = 0;

        /** Sub-devices were deleted from the topology. */
        public static final int DELETED = 1;

        /** Sub-devices were enabled. */
        public static final int ENABLED = 2;

        /** Sub-devices were disabled. */
        public static final int DISABLED = 8;

        public TopoChange {
            Objects.requireNonNull(topic, "topic");
            devices = List.copyOf(devices);
        }
    }

    /**
     * {@code thing.disable}, {@code thing.enable} or {@code thing.delete} on {@code
     * /sys/{pk}/{dn}/thing/{disable,enable,delete}}: a sub-device was disabled, enabled or deleted.
     */
    record SubDeviceChange(String topic, String id, SubDeviceRef device, Kind kind)
            implements GatewayNotification {

        /** What happened to the sub-device. */
        public enum Kind {
            DISABLE,
            ENABLE,
            DELETE
        }

        public SubDeviceChange {
            Objects.requireNonNull(topic, "topic");
            Objects.requireNonNull(device, "device");
            Objects.requireNonNull(kind, "kind");
        }
    }
}
