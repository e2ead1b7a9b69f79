package io.thingflux.alink;

import io.thingflux.aliyun.AliyunLimits;
import io.thingflux.mqtt.MqttQos;
import io.thingflux.mqtt.MqttTopics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongSupplier;
import reactor.core.scheduler.Scheduler;

/**
 * Immutable settings of an {@link AliyunDevice}; build with {@link #builder()}, change with {@link
 * #mutate()}.
 */
public final class AliyunDeviceOptions {

    /** Default time to wait for a reply (the platform's own RRPC limit is 8 s). */
    public static final Duration DEFAULT_REPLY_TIMEOUT = Duration.ofSeconds(10);

    /**
     * Default bound of requests awaiting a reply; one more is refused with {@link
     * TooManyPendingRequestsException}.
     */
    public static final int DEFAULT_MAX_PENDING_REQUESTS = 1024;

    /**
     * Default bound of incoming messages buffered for slow or absent subscribers of {@link
     * AliyunDevice#messages()}.
     */
    public static final int DEFAULT_INCOMING_BUFFER_SIZE = 1024;

    private static final AliyunDeviceOptions DEFAULTS = new AliyunDeviceOptions(new Builder());

    /** The settings, frozen: never changed after construction. */
    private final Builder settings;

    private AliyunDeviceOptions(Builder b) {
        this.settings = b.clone();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The default settings (one shared instance). */
    public static AliyunDeviceOptions defaults() {
        return DEFAULTS;
    }

    /** A builder holding these settings. */
    public Builder mutate() {
        return settings.clone();
    }

    /**
     * How long a request waits for its reply (and an NTP request for its response); default 10 s.
     */
    public Duration replyTimeout() {
        return settings.replyTimeout;
    }

    /**
     * How many requests (NTP included) may await a reply at once; default {@value
     * #DEFAULT_MAX_PENDING_REQUESTS}.
     */
    public int maxPendingRequests() {
        return settings.maxPendingRequests;
    }

    /**
     * How many incoming messages are held for {@link AliyunDevice#messages()} when its subscribers
     * are slower than the link, or before the first subscribes; default {@value
     * #DEFAULT_INCOMING_BUFFER_SIZE}. The buffer takes memory only for the messages waiting in it.
     * Beyond, the newest message is dropped, counted ({@link AliyunDevice#droppedMessages()}) and
     * logged.
     */
    public int incomingBufferSize() {
        return settings.incomingBufferSize;
    }

    /** QoS of posts and of replies other than RRPC (always QoS 0); 0 (default) or 1. */
    public MqttQos publishQos() {
        return settings.publishQos;
    }

    /**
     * QoS requested for the device's subscriptions; default 1 (the platform delivers at the
     * sender's QoS anyway).
     */
    public MqttQos subscribeQos() {
        return settings.subscribeQos;
    }

    /**
     * Where the device signals its user: {@link AliyunDevice#messages()}, the results of requests
     * and replies, {@code connect()} and {@code disconnect()}. Unset (the default), they are
     * signalled on the link's I/O thread (a Netty event loop, the serial link's I/O scheduler; a
     * timeout on Reactor's parallel timer), with no thread hop: subscribers must then never block.
     * Set it (e.g. {@code Schedulers.boundedElastic()}) to run blocking code in them.
     */
    public Optional<Scheduler> scheduler() {
        return Optional.ofNullable(settings.scheduler);
    }

    /**
     * Whether {@link AliyunDevice#connect()} fails with {@link
     * io.thingflux.link.SubscriptionRefusedException} when the broker refuses some of the device's
     * filters; default true. When false, it completes and the refused filters are only listed in
     * {@link AliyunDevice#refusedSubscriptions()} and logged.
     */
    public boolean requireAllSubscriptions() {
        return settings.requireAllSubscriptions;
    }

    /** Epoch milliseconds for NTP; default {@code System::currentTimeMillis}. */
    public LongSupplier clock() {
        return settings.clock;
    }

    /**
     * Filters subscribed besides {@link AlinkTopics#deviceSubscriptions()}: custom topics ({@code
     * /{pk}/{dn}/user/...}), custom RRPC ({@code /ext/rrpc/+/{topic}}), or the reply topic of a
     * {@link AliyunDevice#request} the defaults do not cover (e.g. {@code
     * .../thing/config/get_reply}). Their messages reach {@link AliyunDevice#messages()} like the
     * others. Default none.
     */
    public List<String> additionalSubscriptions() {
        return settings.additionalSubscriptions;
    }

    @Override
    public String toString() {
        Builder s = settings;
        return "AliyunDeviceOptions[replyTimeout="
                + s.replyTimeout
                + ", maxPendingRequests="
                + s.maxPendingRequests
                + ", incomingBufferSize="
                + s.incomingBufferSize
                + ", publishQos="
                + s.publishQos.code()
                + ", subscribeQos="
                + s.subscribeQos.code()
                + ", scheduler="
                + (s.scheduler == null ? "I/O thread" : s.scheduler)
                + ", requireAllSubscriptions="
                + s.requireAllSubscriptions
                + ", additionalSubscriptions="
                + s.additionalSubscriptions
                + "]";
    }

    /**
     * Builds {@link AliyunDeviceOptions}. Every field is an immutable value, so a copy ({@link
     * #clone()}) is the whole of {@link AliyunDeviceOptions#mutate()}.
     */
    public static final class Builder implements Cloneable {
        private Duration replyTimeout = DEFAULT_REPLY_TIMEOUT;
        private int maxPendingRequests = DEFAULT_MAX_PENDING_REQUESTS;
        private int incomingBufferSize = DEFAULT_INCOMING_BUFFER_SIZE;
        private MqttQos publishQos = MqttQos.AT_MOST_ONCE;
        private MqttQos subscribeQos = MqttQos.AT_LEAST_ONCE;
        private Scheduler scheduler;
        private boolean requireAllSubscriptions = true;
        private LongSupplier clock = System::currentTimeMillis;
        private List<String> additionalSubscriptions = List.of();

        private Builder() {}

        /**
         * Adds a filter to subscribe besides the thing-model ones; see {@link
         * AliyunDeviceOptions#additionalSubscriptions()}.
         */
        public Builder additionalSubscription(String filter) {
            List<String> all = new ArrayList<>(additionalSubscriptions);
            all.add(MqttTopics.requireValidFilter(filter));
            additionalSubscriptions = List.copyOf(all);
            return this;
        }

        public Builder replyTimeout(Duration replyTimeout) {
            Objects.requireNonNull(replyTimeout, "replyTimeout");
            if (replyTimeout.isNegative() || replyTimeout.isZero()) {
                throw new IllegalArgumentException(
                        "replyTimeout must be positive, was " + replyTimeout);
            }
            this.replyTimeout = replyTimeout;
            return this;
        }

        public Builder maxPendingRequests(int maxPendingRequests) {
            if (maxPendingRequests < 1) {
                throw new IllegalArgumentException(
                        "maxPendingRequests must be at least 1, was " + maxPendingRequests);
            }
            this.maxPendingRequests = maxPendingRequests;
            return this;
        }

        public Builder incomingBufferSize(int incomingBufferSize) {
            if (incomingBufferSize < 1) {
                throw new IllegalArgumentException(
                        "incomingBufferSize must be at least 1, was " + incomingBufferSize);
            }
            this.incomingBufferSize = incomingBufferSize;
            return this;
        }

        /**
         * @throws IllegalArgumentException for QoS 2, which the platform does not support
         */
        public Builder publishQos(MqttQos publishQos) {
            this.publishQos = AliyunLimits.requireQos(publishQos);
            return this;
        }

        /**
         * @throws IllegalArgumentException for QoS 2, which the platform does not support
         */
        public Builder subscribeQos(MqttQos subscribeQos) {
            this.subscribeQos = AliyunLimits.requireQos(subscribeQos);
            return this;
        }

        /**
         * See {@link AliyunDeviceOptions#scheduler()}; {@code null} for the link's I/O thread (the
         * default).
         */
        public Builder scheduler(Scheduler scheduler) {
            this.scheduler = scheduler;
            return this;
        }

        /** See {@link AliyunDeviceOptions#requireAllSubscriptions()}. */
        public Builder requireAllSubscriptions(boolean requireAllSubscriptions) {
            this.requireAllSubscriptions = requireAllSubscriptions;
            return this;
        }

        public Builder clock(LongSupplier clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        public AliyunDeviceOptions build() {
            return new AliyunDeviceOptions(this);
        }

        /** A builder with the same settings. */
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
