package io.thingflux.alink;

import io.thingflux.aliyun.SignMethod;
import java.util.Objects;

/**
 * Immutable settings of an {@link AliyunGateway}; build with {@link #builder()}, change with {@link
 * #mutate()}.
 */
public final class AliyunGatewayOptions {

    /** The platform's bound of sub-devices per gateway (Aliyun doc 30527). */
    public static final int DEFAULT_MAX_SUB_DEVICES = 2000;

    /** The platform's bound of sub-devices in one batch login or logout. */
    public static final int MAX_BATCH_LOGIN = 50;

    /** The platform's bound of sub-devices in one batch registration. */
    public static final int MAX_BATCH_REGISTER = 30;

    /** Default bound of notifications held for slow or absent readers. */
    public static final int DEFAULT_NOTIFICATION_BUFFER_SIZE = 256;

    private static final AliyunGatewayOptions DEFAULTS = new AliyunGatewayOptions(new Builder());

    private final Builder settings;

    private AliyunGatewayOptions(Builder b) {
        this.settings = b.clone();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The default settings (one shared instance). */
    public static AliyunGatewayOptions defaults() {
        return DEFAULTS;
    }

    /** A builder holding these settings. */
    public Builder mutate() {
        return settings.clone();
    }

    /**
     * The settings of the gateway's own thing-model device and of every sub-device (reply timeout,
     * bounds, QoS, scheduler); default {@link AliyunDeviceOptions#defaults()}. Its additional
     * subscriptions are the gateway's.
     */
    public AliyunDeviceOptions deviceOptions() {
        return settings.deviceOptions;
    }

    /**
     * How many sub-devices the gateway holds logged in at most; one more login fails with {@link
     * GatewayLimitException} before anything is sent. Default {@value #DEFAULT_MAX_SUB_DEVICES},
     * the platform's bound; private deployments may allow more.
     */
    public int maxSubDevices() {
        return settings.maxSubDevices;
    }

    /** How sub-device logins and topology additions are signed; default hmacsha256. */
    public SignMethod signMethod() {
        return settings.signMethod;
    }

    /**
     * How many notifications wait for the slowest reader of {@link AliyunGateway#notifications()};
     * beyond, the newest is dropped and logged. Default {@value #DEFAULT_NOTIFICATION_BUFFER_SIZE}.
     */
    public int notificationBufferSize() {
        return settings.notificationBufferSize;
    }

    /**
     * Whether each sub-device's thing-model topics are subscribed on the wire when it logs in (ten
     * filters a sub-device, restored by the link after a reconnect, unsubscribed at logout) instead
     * of through the gateway's one wildcard subscription ({@code /sys/+/+/...}): for a platform
     * that refuses {@code +} for product key and device name. Routing stays one hash lookup a
     * message either way. Default off.
     */
    public boolean subscribePerSubDevice() {
        return settings.subscribePerSubDevice;
    }

    @Override
    public String toString() {
        return "AliyunGatewayOptions[maxSubDevices="
                + settings.maxSubDevices
                + ", signMethod="
                + settings.signMethod.wireName()
                + ", notificationBufferSize="
                + settings.notificationBufferSize
                + ", subscribePerSubDevice="
                + settings.subscribePerSubDevice
                + ", deviceOptions="
                + settings.deviceOptions
                + "]";
    }

    /** Builds {@link AliyunGatewayOptions}; every field is immutable, so a copy is a mutate. */
    public static final class Builder implements Cloneable {
        private AliyunDeviceOptions deviceOptions = AliyunDeviceOptions.defaults();
        private int maxSubDevices = DEFAULT_MAX_SUB_DEVICES;
        private SignMethod signMethod = SignMethod.HMACSHA256;
        private int notificationBufferSize = DEFAULT_NOTIFICATION_BUFFER_SIZE;
        private boolean subscribePerSubDevice;

        private Builder() {}

        public Builder deviceOptions(AliyunDeviceOptions deviceOptions) {
            this.deviceOptions = Objects.requireNonNull(deviceOptions, "deviceOptions");
            return this;
        }

        public Builder maxSubDevices(int maxSubDevices) {
            if (maxSubDevices < 1) {
                throw new IllegalArgumentException(
                        "maxSubDevices must be at least 1, was " + maxSubDevices);
            }
            this.maxSubDevices = maxSubDevices;
            return this;
        }

        public Builder signMethod(SignMethod signMethod) {
            this.signMethod = Objects.requireNonNull(signMethod, "signMethod");
            return this;
        }

        public Builder notificationBufferSize(int notificationBufferSize) {
            if (notificationBufferSize < 1) {
                throw new IllegalArgumentException(
                        "notificationBufferSize must be at least 1, was " + notificationBufferSize);
            }
            this.notificationBufferSize = notificationBufferSize;
            return this;
        }

        /** See {@link AliyunGatewayOptions#subscribePerSubDevice()}. */
        public Builder subscribePerSubDevice(boolean subscribePerSubDevice) {
            this.subscribePerSubDevice = subscribePerSubDevice;
            return this;
        }

        public AliyunGatewayOptions build() {
            return new AliyunGatewayOptions(this);
        }

        @Override
        public Builder clone() {
            try {
                return (Builder) super.clone();
            } catch (CloneNotSupportedException e) {
                throw new AssertionError(e);
            }
        }
    }
}
