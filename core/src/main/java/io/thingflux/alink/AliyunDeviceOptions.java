package io.thingflux.alink;

import io.thingflux.aliyun.AliyunLimits;
import io.thingflux.mqtt.MqttQos;
import io.thingflux.mqtt.MqttTopics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.LongSupplier;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/** Immutable settings of an {@link AliyunDevice}; build with {@link #builder()}, change with {@link #mutate()}. */
public final class AliyunDeviceOptions {

    /** Default time to wait for a reply (the platform's own RRPC limit is 8 s). */
    public static final Duration DEFAULT_REPLY_TIMEOUT = Duration.ofSeconds(10);
    /** Default bound of requests awaiting a reply; one more is refused with {@link TooManyPendingRequestsException}. */
    public static final int DEFAULT_MAX_PENDING_REQUESTS = 1024;
    /** Default bound of incoming messages buffered for slow or absent subscribers of {@link AliyunDevice#messages()}. */
    public static final int DEFAULT_INCOMING_BUFFER_SIZE = 1024;

    private final Duration replyTimeout;
    private final int maxPendingRequests;
    private final int incomingBufferSize;
    private final MqttQos publishQos;
    private final MqttQos subscribeQos;
    private final Scheduler scheduler;
    private final boolean deliverOnLinkThread;
    private final LongSupplier clock;
    private final List<String> additionalSubscriptions;

    private AliyunDeviceOptions(Builder b) {
        this.replyTimeout = b.replyTimeout;
        this.maxPendingRequests = b.maxPendingRequests;
        this.incomingBufferSize = b.incomingBufferSize;
        this.publishQos = b.publishQos;
        this.subscribeQos = b.subscribeQos;
        this.scheduler = b.scheduler;
        this.deliverOnLinkThread = b.deliverOnLinkThread;
        this.clock = b.clock;
        this.additionalSubscriptions = List.copyOf(b.additionalSubscriptions);
    }

    public static Builder builder() {
        return new Builder();
    }

    public static AliyunDeviceOptions defaults() {
        return builder().build();
    }

    /** A builder holding these settings. */
    public Builder mutate() {
        Builder b = new Builder();
        b.replyTimeout = replyTimeout;
        b.maxPendingRequests = maxPendingRequests;
        b.incomingBufferSize = incomingBufferSize;
        b.publishQos = publishQos;
        b.subscribeQos = subscribeQos;
        b.scheduler = scheduler;
        b.deliverOnLinkThread = deliverOnLinkThread;
        b.clock = clock;
        b.additionalSubscriptions.addAll(additionalSubscriptions);
        return b;
    }

    /** How long a request waits for its reply (and an NTP request for its response); default 10 s. */
    public Duration replyTimeout() {
        return replyTimeout;
    }

    /** How many requests may await a reply at once; default {@value #DEFAULT_MAX_PENDING_REQUESTS}. */
    public int maxPendingRequests() {
        return maxPendingRequests;
    }

    /**
     * How many incoming messages are held for {@link AliyunDevice#messages()} when its subscribers are slower
     * than the link, or before the first subscribes; default {@value #DEFAULT_INCOMING_BUFFER_SIZE}. Beyond,
     * the newest message is dropped, counted ({@link AliyunDevice#droppedMessages()}) and logged. The buffer holds
     * exactly this many and takes memory only for the messages waiting in it.
     */
    public int incomingBufferSize() {
        return incomingBufferSize;
    }

    /** QoS of posts and of replies other than RRPC (always QoS 0); 0 (default) or 1. */
    public MqttQos publishQos() {
        return publishQos;
    }

    /** QoS requested for the device's subscriptions; default 1 (the platform delivers at the sender's QoS anyway). */
    public MqttQos subscribeQos() {
        return subscribeQos;
    }

    /**
     * Where reply timeouts run and, unless {@link #deliverOnLinkThread()}, where {@link AliyunDevice#messages()}
     * and the results of requests and replies are delivered; default parallel.
     */
    public Scheduler scheduler() {
        return scheduler;
    }

    /**
     * Whether {@link AliyunDevice#messages()} and the results of requests and replies are signalled on the thread
     * that produced them (the link's I/O thread for what arrives: a Netty event loop, the serial reader; the
     * scheduler for timeouts; the subscriber's own thread for what waited) instead of being handed to
     * {@link #scheduler()}; default false. It saves a thread hop per reply and per message, which is most of
     * a device's cost at high rates, and lets a request made from a result's callback leave in the same event
     * loop turn. Subscribers must then never block: a blocked event loop stalls every connection it serves.
     * The order of the signals and the bounds are the same either way.
     */
    public boolean deliverOnLinkThread() {
        return deliverOnLinkThread;
    }

    /** Epoch milliseconds for NTP; default {@code System::currentTimeMillis}. */
    public LongSupplier clock() {
        return clock;
    }

    /**
     * Filters subscribed besides {@link AlinkTopics#deviceSubscriptions()}: custom topics
     * ({@code /{pk}/{dn}/user/...}), custom RRPC ({@code /ext/rrpc/+/{topic}}), or the reply topic of a
     * {@link AliyunDevice#request} the defaults do not cover (e.g. {@code .../thing/config/get_reply}).
     * Their messages reach {@link AliyunDevice#messages()} like the others. Default none.
     */
    public List<String> additionalSubscriptions() {
        return additionalSubscriptions;
    }

    @Override
    public String toString() {
        return "AliyunDeviceOptions[replyTimeout=" + replyTimeout + ", maxPendingRequests=" + maxPendingRequests
                + ", incomingBufferSize=" + incomingBufferSize + ", publishQos=" + publishQos.code()
                + ", subscribeQos=" + subscribeQos.code() + ", deliverOnLinkThread=" + deliverOnLinkThread
                + ", additionalSubscriptions=" + additionalSubscriptions + "]";
    }

    /** Builds {@link AliyunDeviceOptions}. */
    public static final class Builder {
        private Duration replyTimeout = DEFAULT_REPLY_TIMEOUT;
        private int maxPendingRequests = DEFAULT_MAX_PENDING_REQUESTS;
        private int incomingBufferSize = DEFAULT_INCOMING_BUFFER_SIZE;
        private MqttQos publishQos = MqttQos.AT_MOST_ONCE;
        private MqttQos subscribeQos = MqttQos.AT_LEAST_ONCE;
        private Scheduler scheduler = Schedulers.parallel();
        private boolean deliverOnLinkThread;
        private LongSupplier clock = System::currentTimeMillis;
        private final List<String> additionalSubscriptions = new ArrayList<>();

        private Builder() {
        }

        /** Adds a filter to subscribe besides the thing-model ones; see {@link AliyunDeviceOptions#additionalSubscriptions()}. */
        public Builder additionalSubscription(String filter) {
            additionalSubscriptions.add(MqttTopics.requireValidFilter(filter));
            return this;
        }

        public Builder replyTimeout(Duration replyTimeout) {
            Objects.requireNonNull(replyTimeout, "replyTimeout");
            if (replyTimeout.isNegative() || replyTimeout.isZero()) {
                throw new IllegalArgumentException("replyTimeout must be positive, was " + replyTimeout);
            }
            this.replyTimeout = replyTimeout;
            return this;
        }

        public Builder maxPendingRequests(int maxPendingRequests) {
            if (maxPendingRequests < 1) {
                throw new IllegalArgumentException("maxPendingRequests must be at least 1, was " + maxPendingRequests);
            }
            this.maxPendingRequests = maxPendingRequests;
            return this;
        }

        public Builder incomingBufferSize(int incomingBufferSize) {
            if (incomingBufferSize < 1) {
                throw new IllegalArgumentException("incomingBufferSize must be at least 1, was " + incomingBufferSize);
            }
            this.incomingBufferSize = incomingBufferSize;
            return this;
        }

        /** @throws IllegalArgumentException for QoS 2, which the platform does not support */
        public Builder publishQos(MqttQos publishQos) {
            this.publishQos = AliyunLimits.requireQos(publishQos);
            return this;
        }

        /** @throws IllegalArgumentException for QoS 2, which the platform does not support */
        public Builder subscribeQos(MqttQos subscribeQos) {
            this.subscribeQos = AliyunLimits.requireQos(subscribeQos);
            return this;
        }

        public Builder scheduler(Scheduler scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        /** See {@link AliyunDeviceOptions#deliverOnLinkThread()}. */
        public Builder deliverOnLinkThread(boolean deliverOnLinkThread) {
            this.deliverOnLinkThread = deliverOnLinkThread;
            return this;
        }

        public Builder clock(LongSupplier clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        public AliyunDeviceOptions build() {
            return new AliyunDeviceOptions(this);
        }
    }
}
