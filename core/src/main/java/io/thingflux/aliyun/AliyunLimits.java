package io.thingflux.aliyun;

import io.thingflux.mqtt.Connect;
import io.thingflux.mqtt.MqttQos;
import io.thingflux.mqtt.Will;
import java.time.Duration;

/**
 * Checks what the platform refuses or ignores before it reaches the wire (Aliyun docs 73742, 30540,
 * 89301): keepalive 30..1200 s, QoS 0 or 1 only, no will, no retain, at most 200 properties per
 * post.
 *
 * <p>Every check throws {@link IllegalArgumentException} saying which limit was broken. Transports
 * call these when the target is an Aliyun endpoint ({@link AliyunEndpoints#isAliyunHost(String)});
 * generic brokers need not be held to them.
 */
public final class AliyunLimits {

    /** The smallest keepalive the platform accepts, in seconds. */
    public static final int MIN_KEEPALIVE_SECONDS = 30;

    /** The largest keepalive the platform accepts, in seconds. */
    public static final int MAX_KEEPALIVE_SECONDS = 1200;

    /** Properties in one {@code thing.event.property.post} (the platform answers 6106 beyond). */
    public static final int MAX_PROPERTIES_PER_POST = 200;

    /** How long the platform waits for the answer to a synchronous call (RRPC) at most. */
    public static final Duration RRPC_REPLY_DEADLINE = Duration.ofSeconds(8);

    private AliyunLimits() {}

    /**
     * @throws IllegalArgumentException unless {@code seconds} is within 30..1200
     */
    public static int requireKeepAlive(int seconds) {
        if (seconds < MIN_KEEPALIVE_SECONDS || seconds > MAX_KEEPALIVE_SECONDS) {
            throw new IllegalArgumentException(
                    "Aliyun accepts a keepalive of "
                            + MIN_KEEPALIVE_SECONDS
                            + ".."
                            + MAX_KEEPALIVE_SECONDS
                            + " s only, was "
                            + seconds
                            + " s");
        }
        return seconds;
    }

    /** {@code seconds} moved into 30..1200, as the C SDK does. */
    public static int clampKeepAlive(int seconds) {
        return Math.max(MIN_KEEPALIVE_SECONDS, Math.min(MAX_KEEPALIVE_SECONDS, seconds));
    }

    /**
     * @throws IllegalArgumentException for QoS 2, which the platform does not support
     */
    public static MqttQos requireQos(MqttQos qos) {
        if (qos == null) {
            throw new IllegalArgumentException("QoS must not be null");
        }
        if (qos == MqttQos.EXACTLY_ONCE) {
            throw new IllegalArgumentException("Aliyun does not support QoS 2; use QoS 0 or 1");
        }
        return qos;
    }

    /**
     * @throws IllegalArgumentException when {@code retain} is set: the platform does not keep
     *     retained messages over MQTT 3.1.1
     */
    public static void requireNoRetain(boolean retain) {
        if (retain) {
            throw new IllegalArgumentException(
                    "Aliyun does not support retained messages over MQTT 3.1.1");
        }
    }

    /**
     * @throws IllegalArgumentException when a will is given: the platform does not support will
     *     messages
     */
    public static void requireNoWill(Will will) {
        if (will != null) {
            throw new IllegalArgumentException("Aliyun does not support a will message");
        }
    }

    /**
     * Checks a CONNECT for an Aliyun endpoint: keepalive within 30..1200 s and no will.
     *
     * @throws IllegalArgumentException naming the first limit broken
     */
    public static Connect requireConnectAllowed(Connect connect) {
        requireKeepAlive(connect.keepAliveSeconds());
        requireNoWill(connect.will());
        return connect;
    }

    /**
     * @throws IllegalArgumentException when more than 200 properties go into one post
     */
    public static int requirePropertyCount(int count) {
        if (count > MAX_PROPERTIES_PER_POST) {
            throw new IllegalArgumentException(
                    "Aliyun accepts at most "
                            + MAX_PROPERTIES_PER_POST
                            + " properties per post, got "
                            + count);
        }
        return count;
    }
}
